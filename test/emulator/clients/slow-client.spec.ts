import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { JSON_PROTOCOL, RawClient } from '../../support/raw-client.js';
import { waitFor } from '../../support/wait-for.js';

/*
 * Issue 23 item 5: a client that does not read must not make the emulator buffer without bound.
 * Past `clientBufferLimitBytes` waiting for it, the emulator closes it (1008, "Slow client: ...",
 * as the service counts a SlowClient close); a client that reads keeps getting every message.
 */

const LIMIT = 256 * 1024;
const MESSAGE = 'x'.repeat(64 * 1024);
/** 400 x 64 KiB = 25 MiB: far past the limit plus what the loopback socket buffers hold. */
const MAX_SENDS = 400;

describe.each([
  ['JSON subprotocol', JSON_PROTOCOL],
  ['plain WebSocket', undefined],
])('a %s client that stops reading', (_name, protocol) => {
  const stage = useEmulator({ clientBufferLimitBytes: LIMIT });

  it('is closed with 1008 and a reason naming the cause, while a reading client gets everything', async () => {
    const rest = new WebPubSubRestClient(stage.emulator.connectionString, 'slow');
    const url = async (userId: string) => (await rest.getClientAccessToken({ userId })).url;
    const slow = await RawClient.open(await url('slow'), protocol);
    const reader = await RawClient.open(await url('reader'), protocol);
    stage.defer(() => slow.close());
    stage.defer(() => reader.close());
    await waitFor(() => stage.emulator.connections('slow').length === 2 || undefined, 'both connections');
    // The slow client's socket stops reading: what the emulator sends piles up in its buffers.
    const socket = (slow.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const slowOpen = () => stage.emulator.connections('slow').some((c) => c.userId === 'slow');
    let sends = 0;
    while (slowOpen() && sends < MAX_SENDS) {
      await rest.sendToAll(MESSAGE, { contentType: 'text/plain' });
      sends++;
    }
    expect({ closedAfterSends: slowOpen() ? `still open after ${sends}` : 'closed' }).toEqual({
      closedAfterSends: 'closed',
    });
    socket.resume();
    await waitFor(() => slow.closeEvent, 'the slow client to see the close', 10_000);
    expect(slow.closeEvent).toEqual({
      code: 1008,
      reason: expect.stringMatching(/^Slow client: more than 262144 bytes/),
    });
    if (protocol) {
      const last = JSON.parse(String(slow.frames.filter((f) => !f.isBinary).at(-1)!.data)) as Record<string, unknown>;
      expect(last).toMatchObject({
        type: 'system',
        event: 'disconnected',
        message: expect.stringContaining('clientBufferLimitBytes'),
      });
    }
    const messages = () => reader.frames.filter((f) => String(f.data).includes(MESSAGE)).length;
    await waitFor(() => messages() === sends || undefined, `the reader to get all ${sends} messages`);
    expect(reader.isOpen).toBe(true);
  });
});
