import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'test/artifacts/',
      'sample-app/dist/',
      'test/bench/.build/',
      '.readme-run/',
      'test/consumers/*/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['test/**', 'sample-app/**', 'lib/emulator/cli.ts', '.ci/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Plain Node scripts, run outside TypeScript: CI steps, developer scripts and the packaging test's user-app fixtures.
    files: ['.ci/**/*.mjs', 'scripts/**/*.mjs', 'test/packaging/fixtures/**/*.{mjs,cjs}'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    // CommonJS fixtures stand in for users' CommonJS code: require() is the point of them.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['sample-app/public/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        location: 'readonly',
        fetch: 'readonly',
        WebSocket: 'readonly',
        URLSearchParams: 'readonly',
      },
    },
  },
  // Dependencies point one way (DESIGN.md, Layout). One config object per folder: a later object
  // for the same files would replace this rule's patterns rather than add to them.
  {
    files: ['lib/protocol/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            frameworkFree('protocol/'),
            {
              group: ['@azure/*', 'ws'],
              message: 'protocol/ holds the facts of the service: no HTTP client, no WebSocket server.',
            },
            siblings(
              ['client', 'emulator', 'events', 'module', 'core', 'broadcast', 'gateway', 'testing', 'health', 'rest'],
              'protocol/ imports nothing else of the package.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/client/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            frameworkFree('client/'),
            siblings(
              ['emulator', 'events', 'module', 'core', 'broadcast', 'gateway', 'testing', 'health', 'rest'],
              'client/ imports only protocol/.',
            ),
          ],
        },
      ],
    },
  },
  {
    // The /rest entry re-exports the client's request builders: it builds on client/ only, and nothing imports it.
    files: ['lib/rest/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            frameworkFree('rest/'),
            siblings(
              ['protocol', 'emulator', 'events', 'module', 'core', 'broadcast', 'gateway', 'testing', 'health'],
              'rest/ imports only client/.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/emulator/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            frameworkFree('emulator/'),
            siblings(
              ['client', 'events', 'module', 'core', 'broadcast', 'gateway', 'testing', 'health', 'rest'],
              'emulator/ imports only protocol/ (the service facts it shares with the client).',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            frameworkFree('testing/'),
            siblings(
              ['module', 'events', 'broadcast', 'health', 'gateway', 'rest'],
              'testing/ stands in for the service and its clients: it builds on emulator/, core/ and below only.',
            ),
          ],
        },
      ],
    },
  },
  // Test areas share helpers only through test/support/: no area reaches into another one.
  {
    files: ['test/*/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!support/|\\.\\./)',
              message: 'Import shared test helpers from test/support/, not from another test area.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/*/*/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./(?!support/|\\.\\./)',
              message: 'Import shared test helpers from test/support/, not from another test area.',
            },
          ],
        },
      ],
    },
  },
  // Nest layers: protocol → client → core → broadcast / events / health → module (the composition root).
  {
    files: ['lib/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            siblings(
              ['emulator', 'events', 'module', 'broadcast', 'gateway', 'testing', 'health', 'rest'],
              'core/ is what the features share: it imports only client/ and protocol/.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/broadcast/**', 'lib/events/**', 'lib/health/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            siblings(
              ['emulator', 'module', 'testing', 'gateway', 'rest'],
              'A feature builds on core/ (and client/, protocol/); only module/, the composition root, wires features together.',
            ),
            {
              group: ['../broadcast', '../broadcast/**', '../events', '../events/**', '../health', '../health/**'],
              message: 'Features do not import each other: share through core/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The gateway adapter builds on events/ (the route it consumes) and core/; nothing imports it but its entry.
    files: ['lib/gateway/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            siblings(
              ['emulator', 'module', 'testing', 'broadcast', 'health', 'rest'],
              'gateway/ builds on events/ and core/ (and client/, protocol/) only.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/module/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            siblings(['testing', 'gateway', 'rest'], 'module/ is the composition root of the production module.'),
            {
              group: ['../emulator', '../emulator/**'],
              allowTypeImports: true,
              message:
                'The emulator is loaded with import() only when `emulator` is set, so apps without it never load it (or ws).',
            },
          ],
        },
      ],
    },
  },
  // Layout is Prettier's (.prettierrc.json, checked by `npm run lint`): no ESLint rule may disagree with it.
  prettier,
);

function frameworkFree(folder) {
  return { group: ['@nestjs/*'], message: `${folder} stays framework-free.` };
}

/** Patterns for other folders of lib/, by path from a folder beside them (`../client/jwt.js`). */
function siblings(folders, message) {
  return { group: folders.flatMap((folder) => [`../${folder}`, `../${folder}/**`]), message };
}
