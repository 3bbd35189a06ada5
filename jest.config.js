/**
 * Jest 30 in ESM mode (Nest 12 is ESM-only): run through `npm run test:jest`. The load and stress
 * cases (`*.stress.spec.ts`) are left out here and run by `npm run test:stress` (jest.stress.config.js).
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.stress\\.spec\\.ts$'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }] },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/jest-run-id.mjs',
};
