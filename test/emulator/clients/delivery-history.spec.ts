import { describe, expect, it } from '@jest/globals';
import { useEmulator } from '../../support/emulator-stage.js';
import { waitFor } from '../../support/wait-for.js';
import { freshHub, useClientSession } from './client-harness.js';

/*
 * `emulator.deliveries` is a test's record of what clients received: bounded by
 * `deliveryHistoryLimit`, so an emulator that runs for days (the CLI, a dev app) keeps its memory.
 */
describe('delivery history', () => {
  const stage = useEmulator({ deliveryHistoryLimit: 5 });
  const session = useClientSession(stage);

  it('keeps at most twice the limit and always the most recent deliveries', async () => {
    const hub = freshHub();
    const rest = session.rest(hub);
    const plain = await session.raw(await session.url(hub, { userId: 'p' }));
    for (let i = 1; i <= 30; i++) await rest.sendToAll(`m${i}`, { contentType: 'text/plain' });
    for (let i = 1; i <= 30; i++) expect(await plain.next()).toEqual({ data: `m${i}`, isBinary: false });
    const mine = () => stage.emulator.deliveries.filter((delivery) => delivery.hub === hub);
    await waitFor(() => mine().at(-1)?.data === 'm30', 'the last delivery in the history');
    // Trimmed in batches: never more than 2 × limit, never fewer than the limit, newest last.
    expect(stage.emulator.deliveries.length).toBeLessThanOrEqual(10);
    expect(mine().map((delivery) => delivery.data)).toEqual(
      Array.from({ length: mine().length }, (_, i) => `m${31 - mine().length + i}`),
    );
    expect(mine().length).toBeGreaterThanOrEqual(5);
  });
});
