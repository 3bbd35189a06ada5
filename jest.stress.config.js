import base from './jest.config.js';

/** `npm run test:stress`: only the load and stress cases (`*.stress.spec.ts`), which the default run leaves out. */
export default {
  ...base,
  testMatch: ['**/*.stress.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
