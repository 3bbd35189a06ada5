import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';

/*
 * The README's "Testing your own app" sample is run, not only compiled: its spec and the controller
 * it imports (both README blocks, named by their first line) are written to a scratch folder and
 * run by a separate jest, with the package name mapped to lib/. A passing spec there means the
 * documented way of testing works as written.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Outside test/ so the outer jest never collects it, and removed afterwards. */
const scratch = path.join(root, '.readme-run');

function namedBlock(readme: string, fileName: string): string {
  const match = new RegExp('^```ts\\n// ' + fileName.replace(/\./g, '\\.') + '\\n([\\s\\S]*?)^```$', 'm').exec(readme);
  if (!match) throw new Error(`README.md has no \`\`\`ts block starting with "// ${fileName}"`);
  return `// ${fileName}\n${match[1]}`;
}

describe('the README testing sample', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes when run by jest as a user would run it', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch);
    writeFileSync(path.join(scratch, 'messages.controller.ts'), namedBlock(readme, 'messages.controller.ts'));
    writeFileSync(path.join(scratch, 'messages.controller.spec.ts'), namedBlock(readme, 'messages.controller.spec.ts'));
    const config = {
      rootDir: scratch,
      testEnvironment: 'node',
      testMatch: ['**/*.spec.ts'],
      extensionsToTreatAsEsm: ['.ts'],
      moduleNameMapper: {
        '^nestjs-web-pubsub$': path.join(root, 'lib/index.ts'),
        '^nestjs-web-pubsub/(emulator|testing)$': path.join(root, 'lib/$1/index.ts'),
        '^(\\.{1,2}/.*)\\.js$': '$1',
      },
      transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: path.join(root, 'tsconfig.json'), diagnostics: false }] },
    };
    const run = spawnSync(process.execPath, ['--experimental-vm-modules', path.join(root, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config), '--ci'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect({ status: run.status, output }).toEqual({ status: 0, output: expect.stringContaining('Tests:       1 passed, 1 total') });
    expect(output).toContain('✓ sends a posted message to the room');
  }, 90_000);
});
