import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ensureBuilt } from '../../support/prebuilt.js';

/*
 * Issue 23 item 5 at full size (`npm run test:stress`): the emulator's peak RSS, measured by
 * emulator-memory.mjs in a child process against dist/. Before the fix: 1,182 MiB for a client
 * that never reads while 8,000 broadcasts of 64 KiB flow (both protocols), and 2,317 MiB with
 * 538 requests in flight for 30,000 presence events. The light checks are in the default suite
 * (clients/slow-client.spec.ts, upstream/upstream-concurrency.spec.ts).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const script = path.join(root, 'test/emulator/memory/emulator-memory.mjs');

function measure(...args: string[]): Record<string, unknown> {
  const output = execFileSync(process.execPath, [script, path.join(root, 'dist/esm'), ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, unknown>;
  console.log(JSON.stringify(result));
  return result;
}

describe('emulator memory under the issue 23 loads', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it.each(['slow-json', 'slow-plain'])(
    '%s: a client that never reads while 8,000 broadcasts of 64 KiB flow is closed, RSS stays under 400 MiB',
    (scenario) => {
      const result = measure(scenario, '8000');
      expect(result).toMatchObject({ broadcasts: 8000, slowClientStillListed: false });
      expect(result.peakRssMiB).toBeLessThan(400);
    },
    300_000,
  );

  it('30,000 presence events from one addConnectionsToGroups: all delivered, at most 64 in flight, RSS under 1 GiB', () => {
    const result = measure('presence', '300', '100');
    expect(result).toMatchObject({ expected: 30000, delivered: 30000 });
    expect(result.handlerPeakInFlight).toBeLessThanOrEqual(64);
    expect(result.peakRssMiB).toBeLessThan(1024);
  }, 300_000);
});
