import { describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../lib/index.js';
import { WebPubSubTestClient } from '../../lib/testing/index.js';
import { useEmulator } from '../support/emulator-stage.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Load over real sockets: JSON-subprotocol clients in one group receive REST broadcasts, each in
 * order, with nothing lost or duplicated. load.spec.ts runs a light case in every jest run;
 * load.stress.spec.ts the heavy one (1,000 clients x 100 broadcasts, `npm run test:stress`). The
 * rate is printed; the test asserts only counts and order (timings are for `npm run bench`).
 */

/** The `n` of each group message a client got, in order. */
const received = (client: WebPubSubTestClient) =>
  client.messages.filter((message) => message.from === 'group').map((message) => (message.data as { n: number }).n);

/** One describe block: `clientCount` clients connected 100 at a time, `broadcastCount` group sends, every delivery checked. */
export function describeLoad(clientCount: number, broadcastCount: number): void {
  describe('emulator under load', () => {
    const stage = useEmulator();

    it(`delivers ${broadcastCount} group broadcasts to each of ${clientCount} clients, in order, nothing lost`, async () => {
      const { emulator } = stage;
      const clients: WebPubSubTestClient[] = [];
      stage.defer(() => Promise.all(clients.map((client) => client.close())));
      const rest = new WebPubSubRestClient(emulator.connectionString, 'load');
      const { url } = await rest.getClientAccessToken({ groups: ['everyone'] });
      for (let i = 0; i < clientCount; i += 100) {
        clients.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(100, clientCount - i) }, () => WebPubSubTestClient.connect(url)),
          )),
        );
      }
      expect(emulator.connections('load').filter((connection) => connection.groups.includes('everyone'))).toHaveLength(
        clientCount,
      );

      const started = process.hrtime.bigint();
      const group = rest.group('everyone');
      for (let n = 0; n < broadcastCount; n++) await group.sendToAll({ n });
      const total = () => clients.reduce((sum, client) => sum + client.messages.length, 0);
      await waitFor(
        () => total() >= clientCount * broadcastCount,
        () => `every delivery: ${total()} of ${clientCount * broadcastCount} delivered`,
        60_000,
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;

      const expected = Array.from({ length: broadcastCount }, (_, n) => n);
      const wrong = clients.filter(
        (client) => received(client).length !== broadcastCount || received(client).some((n, i) => n !== expected[i]),
      );
      expect(wrong).toHaveLength(0);
      expect(total()).toBe(clientCount * broadcastCount);
      console.log(
        `load: ${clientCount * broadcastCount} deliveries in ${seconds.toFixed(2)} s = ${Math.round((clientCount * broadcastCount) / seconds)} deliveries/s`,
      );
    }, 120_000);
  });
}
