import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ensureBuilt } from '../support/prebuilt.js';

/*
 * The README's tracing set-up, run as a user's app runs it: a plain Node process (not Jest, whose
 * loader the instrumentation's hooks never see) that loads the built package by its name, after a
 * tracing file registering @azure/opentelemetry-instrumentation-azure-sdk with an in-memory exporter.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/packaging/fixtures/tracing');

interface SpanLine {
  name: string;
  parent: string | null;
  namespace: string | null;
}

function spansOf(app: string, env: Record<string, string> = {}): SpanLine[] {
  const output = execFileSync(process.execPath, [path.join(fixtures, app)], {
    cwd: root,
    encoding: 'utf8',
    stdio: 'pipe',
    env: { ...process.env, ...env },
  });
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as SpanLine);
}

const EXPECTED: SpanLine[] = [
  { name: 'HTTP POST', parent: 'WebPubSubServiceClient.sendToAll', namespace: 'Microsoft.WebPubSub' },
  { name: 'WebPubSubServiceClient.sendToAll', parent: null, namespace: 'Microsoft.WebPubSub' },
  { name: 'HTTP PUT', parent: 'WebPubSubGroupClient.addUser', namespace: 'Microsoft.WebPubSub' },
  { name: 'WebPubSubGroupClient.addUser', parent: null, namespace: 'Microsoft.WebPubSub' },
];

describe("the README's tracing set-up in a plain Node app", () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it.each([
    ['an ESM app', 'app.mjs'],
    ['a CommonJS app', 'app.cjs'],
  ])('gives %s the operation spans with the HTTP span under each', (_label, app) => {
    expect(spansOf(app)).toEqual(EXPECTED);
  });

  it.each([
    ['an ESM app', 'app.mjs'],
    ['a CommonJS app', 'app.cjs'],
  ])(
    "gives %s no span without the tracing file's require of @azure/core-tracing (why the README has it)",
    (_label, app) => {
      expect(spansOf(app, { SKIP_CORE_TRACING_REQUIRE: '1' })).toEqual([]);
    },
  );
});
