import { describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { JsonClient } from '../../support/json-client.js';
import { allowAnyOrigin, useUpstreamStage } from './upstream-helpers.js';

/**
 * Close reasons longer than a WebSocket close frame holds (123 bytes of UTF-8), issue item 7: the
 * frame's reason is cut at a character boundary; the `disconnected` message and upstream event
 * carry the whole reason, and every connection of a close-all is closed and forgotten.
 */
describe('long and non-ASCII close reasons', () => {
  const stage = useUpstreamStage(
    (request, response) =>
      request.method === 'OPTIONS' ? allowAnyOrigin(response) : void response.writeHead(204).end(),
    (port) => ({
      hubs: {
        closing: {
          eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/{event}`, systemEvents: ['disconnected'] }],
        },
      },
    }),
  );
  const rest = () => new WebPubSubRestClient(stage.emulator.connectionString, 'closing');

  async function connect(userId: string, groups: string[] = []): Promise<JsonClient> {
    const { url } = await rest().getClientAccessToken({ userId, groups });
    const client = await JsonClient.connect(url, userId);
    stage.defer(() => client.close());
    return client;
  }

  /** Waits for the close and for the upstream `disconnected` event; checks what each carried. */
  async function expectClosedWith(client: JsonClient, reason: string, cut: string): Promise<void> {
    await client.waitClosed();
    expect(client.raw.closeEvent).toEqual({ code: 1000, reason: cut });
    expect(client.frames.at(-1)).toEqual({ type: 'system', event: 'disconnected', message: reason });
    const event = await stage.receiver.requests.waitFor(
      (r) => r.path === '/disconnected' && r.headers['ce-connectionid'] === client.connectionId,
      'the disconnected event',
    );
    expect(JSON.parse(event.body.toString('utf8'))).toEqual({ reason });
  }

  it.each([
    ['70 × é (140 bytes)', 'é'.repeat(70), 'é'.repeat(61)],
    ['a + 70 × é (141 bytes)', `a${'é'.repeat(70)}`, `a${'é'.repeat(61)}`],
    ['40 emoji (160 bytes)', '😀'.repeat(40), '😀'.repeat(30)],
    ['130 ASCII characters', 'x'.repeat(130), 'x'.repeat(123)],
  ])('closeConnection with %s', async (_case, reason, cut) => {
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    const client = await connect('single');
    await rest().closeConnection(client.connectionId, { reason });
    await expectClosedWith(client, reason, cut);
    expect(stage.emulator.connections('closing').map((c) => c.connectionId)).not.toContain(client.connectionId);
  });

  it('closes every connection of a group, a user and the hub with such a reason', async () => {
    const reason = 'é'.repeat(70);
    const cut = 'é'.repeat(61);
    const grouped = [await connect('g1', ['room']), await connect('g2', ['room'])];
    await rest().group('room').closeAllConnections({ reason });
    for (const client of grouped) await expectClosedWith(client, reason, cut);
    const users = [await connect('twice'), await connect('twice')];
    await rest().closeUserConnections('twice', { reason });
    for (const client of users) await expectClosedWith(client, reason, cut);
    const all = [await connect('a1'), await connect('a2')];
    await rest().closeAllConnections({ reason });
    for (const client of all) await expectClosedWith(client, reason, cut);
    expect(stage.emulator.connections('closing')).toEqual([]);
    expect(stage.emulator.restCalls.filter((call) => call.status >= 500)).toEqual([]);
  });
});
