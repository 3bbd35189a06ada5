import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { WebPubSubRestClient } from '../../lib/index.js';
import { WebPubSubEmulator } from '../../lib/emulator/index.js';

/*
 * Load over real sockets: 1,000 JSON-subprotocol clients in one group receive 100 REST broadcasts
 * each, in order, with nothing lost or duplicated. The rate is printed for the issue note; the test
 * asserts only counts and order (timings are for `npm run bench`).
 */

const CLIENTS = 1000;
const BROADCASTS = 100;

interface LoadClient {
  socket: WebSocket;
  received: number[];
}

function connect(url: string): Promise<LoadClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'json.webpubsub.azure.v1');
    const client: LoadClient = { socket, received: [] };
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; from?: string; data?: { n: number } };
      if (frame.type === 'message' && frame.from === 'group') client.received.push(frame.data!.n);
      if (frame.type === 'system') resolve(client);
    });
    socket.once('error', reject);
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number, describeState: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describeState()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('emulator under load', () => {
  let emulator: WebPubSubEmulator;
  const clients: LoadClient[] = [];

  beforeAll(async () => {
    emulator = await WebPubSubEmulator.start();
  });
  afterAll(async () => {
    for (const { socket } of clients) socket.terminate();
    await emulator.stop();
  });

  it(`delivers ${BROADCASTS} group broadcasts to each of ${CLIENTS} clients, in order, nothing lost`, async () => {
    const rest = new WebPubSubRestClient(emulator.connectionString, 'load');
    const { url } = await rest.getClientAccessToken({ groups: ['everyone'] });
    for (let i = 0; i < CLIENTS; i += 100) {
      clients.push(...(await Promise.all(Array.from({ length: 100 }, () => connect(url)))));
    }
    expect(emulator.connections('load').filter((connection) => connection.groups.includes('everyone'))).toHaveLength(CLIENTS);

    const started = process.hrtime.bigint();
    const group = rest.group('everyone');
    for (let n = 0; n < BROADCASTS; n++) await group.sendToAll({ n });
    const total = () => clients.reduce((sum, client) => sum + client.received.length, 0);
    await waitFor(() => total() >= CLIENTS * BROADCASTS, 60_000, () => `${total()} of ${CLIENTS * BROADCASTS} delivered`);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const expected = Array.from({ length: BROADCASTS }, (_, n) => n);
    const wrong = clients.filter((client) => client.received.length !== BROADCASTS || client.received.some((n, i) => n !== expected[i]));
    expect(wrong).toHaveLength(0);
    expect(total()).toBe(CLIENTS * BROADCASTS);
    console.log(`load: ${CLIENTS * BROADCASTS} deliveries in ${seconds.toFixed(2)} s = ${Math.round((CLIENTS * BROADCASTS) / seconds)} deliveries/s`);
  }, 120_000);
});
