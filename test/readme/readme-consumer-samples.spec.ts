import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/*
 * The README's testing samples are excerpts of the consumer apps in test/consumers, which the
 * consumer matrix (`npm run test:consumers`, part of `npm test`) installs from the packed tarball and
 * runs in their own runners. This keeps the README and those apps the same: each sample whose first
 * line names `(the full app: test/consumers/<case>)` must appear in that app's file, piece by piece
 * (a `// …` line stands for lines left out), and the JSON sample must equal the config it shows.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const HEADER = /^\/\/ (\S+) \(the full app: (test\/consumers\/[\w-]+)\)$/;

interface Excerpt {
  file: string;
  pieces: string[];
}

function excerpts(text: string): Excerpt[] {
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].flatMap(([, block]) => {
    const [first, ...rest] = block.replace(/\n$/, '').split('\n');
    const header = HEADER.exec(first);
    if (!header) return [];
    const pieces = rest
      .join('\n')
      .split(/^\/\/ ….*$/m)
      .map((piece) => piece.trim())
      .filter(Boolean);
    return [{ file: path.join(header[2], header[1]), pieces }];
  });
}

/** The pieces of an excerpt that its file does not contain. */
function missingPieces(excerpt: Excerpt): string[] {
  const source = readFileSync(path.join(root, excerpt.file), 'utf8');
  return excerpt.pieces.filter((piece) => !source.includes(piece));
}

describe('README testing samples are the consumer apps that CI runs', () => {
  const found = excerpts(readme);

  it('finds a sample for Jest CommonJS, Jest ESM and Vitest', () => {
    expect(found.map((excerpt) => excerpt.file).sort()).toEqual([
      'test/consumers/nest11-commonjs-jest/test/app.e2e-spec.ts',
      'test/consumers/nest12-esm-jest/test/app.e2e-spec.ts',
      'test/consumers/nest12-esm-vitest/test/app.e2e-spec.ts',
      'test/consumers/nest12-esm-vitest/vitest.config.e2e.ts',
    ]);
  });

  it.each(found.map((excerpt) => [excerpt.file, excerpt] as const))(
    '%s holds its README sample as written',
    (_file, excerpt) => {
      expect(missingPieces(excerpt)).toEqual([]);
    },
  );

  it('runs the same spec in every consumer app, so "the rest as above" holds: they differ only in their imports', () => {
    const bodies = ['nest10-commonjs-jest', 'nest11-commonjs-jest', 'nest12-esm-jest', 'nest12-esm-vitest'].map((app) =>
      readFileSync(path.join(root, 'test/consumers', app, 'test/app.e2e-spec.ts'), 'utf8').replace(
        /^import .*\n/gm,
        '',
      ),
    );
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain("describe('Web PubSub (e2e)'");
  });

  it('shows the Jest ESM config the app runs with', () => {
    const blocks = [...readme.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map(([, block]) => JSON.parse(block) as unknown);
    expect(blocks).toEqual([
      JSON.parse(readFileSync(path.join(root, 'test/consumers/nest12-esm-jest/test/jest-e2e.json'), 'utf8')),
    ]);
  });

  it('catches a sample that drifted from its app (the check can fail)', () => {
    const drifted = excerpts(readme.replace("send({ text: 'hello lobby' })", "send({ text: 'hello garden' })"));
    expect(drifted.flatMap(missingPieces)).toEqual([expect.stringContaining('hello garden')]);
  });
});
