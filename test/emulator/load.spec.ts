import { describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../lib/index.js';
import { WebPubSubTestClient } from '../../lib/testing/index.js';
import { useEmulator } from '../support/emulator-stage.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Load over real sockets: 1,000 JSON-subprotocol clients in one group receive 100 REST broadcasts
 * each, in order, with nothing lost or duplicated. The rate is printed for the issue note; the test
 * asserts only counts and order (timings are for `npm run bench`).
 */

const CLIENTS = 1000;
const BROADCASTS = 100;

/** The `n` of each group message a client got, in order. */
const received = (client: WebPubSubTestClient) => client.messages.filter((message) => message.from === 'group').map((message) => (message.data as { n: number }).n);

describe('emulator under load', () => {
  const stage = useEmulator();

  it(`delivers ${BROADCASTS} group broadcasts to each of ${CLIENTS} clients, in order, nothing lost`, async () => {
    const { emulator } = stage;
    const clients: WebPubSubTestClient[] = [];
    stage.defer(() => Promise.all(clients.map((client) => client.close())));
    const rest = new WebPubSubRestClient(emulator.connectionString, 'load');
    const { url } = await rest.getClientAccessToken({ groups: ['everyone'] });
    for (let i = 0; i < CLIENTS; i += 100) {
      clients.push(...(await Promise.all(Array.from({ length: 100 }, () => WebPubSubTestClient.connect(url)))));
    }
    expect(emulator.connections('load').filter((connection) => connection.groups.includes('everyone'))).toHaveLength(CLIENTS);

    const started = process.hrtime.bigint();
    const group = rest.group('everyone');
    for (let n = 0; n < BROADCASTS; n++) await group.sendToAll({ n });
    const total = () => clients.reduce((sum, client) => sum + client.messages.length, 0);
    await waitFor(() => total() >= CLIENTS * BROADCASTS, () => `every delivery: ${total()} of ${CLIENTS * BROADCASTS} delivered`, 60_000);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const expected = Array.from({ length: BROADCASTS }, (_, n) => n);
    const wrong = clients.filter((client) => received(client).length !== BROADCASTS || received(client).some((n, i) => n !== expected[i]));
    expect(wrong).toHaveLength(0);
    expect(total()).toBe(CLIENTS * BROADCASTS);
    console.log(`load: ${CLIENTS * BROADCASTS} deliveries in ${seconds.toFixed(2)} s = ${Math.round((CLIENTS * BROADCASTS) / seconds)} deliveries/s`);
  }, 120_000);
});
