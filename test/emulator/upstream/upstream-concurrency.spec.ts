import { describe, expect, it } from '@jest/globals';
import { odata, WebPubSubRestClient } from '../../../lib/index.js';
import { JsonClient } from '../../support/json-client.js';
import { waitFor } from '../../support/wait-for.js';
import { allowAnyOrigin, useUpstreamStage } from './upstream-helpers.js';

/*
 * Issue 23 item 5: one REST call can make thousands of presence events. The emulator keeps at most
 * `upstreamConcurrency` requests in flight and starts the rest in order of arrival.
 */

const LIMIT = 4;
const CLIENTS = 8;
const GROUPS = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5'];

let inFlight = 0;
let peak = 0;
const stage = useUpstreamStage(
  (request, response) => {
    if (request.method === 'OPTIONS') return allowAnyOrigin(response);
    // Each event takes a while, so that without a limit they would all be in flight together.
    inFlight++;
    peak = Math.max(peak, inFlight);
    setTimeout(() => {
      inFlight--;
      response.writeHead(204).end();
    }, 15);
  },
  (port) => ({
    upstreamConcurrency: LIMIT,
    hubs: {
      storm: {
        eventHandlers: [
          { urlTemplate: `http://127.0.0.1:${port}/{event}`, groupPresenceEvents: { eventNames: ['joined'] } },
        ],
      },
    },
  }),
);

describe('a presence storm', () => {
  it(`never has more than ${LIMIT} upstream requests in flight, and each connection's events keep their order`, async () => {
    const rest = new WebPubSubRestClient(stage.emulator.connectionString, 'storm');
    const clients: JsonClient[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const { url } = await rest.getClientAccessToken({ userId: `member-${i}` });
      clients.push(await JsonClient.connect(url, `member-${i}`));
      stage.defer(() => clients[i].close());
    }
    await rest.addConnectionsToGroups(GROUPS, odata`startswith(userId, ${'member-'})`);
    const joined = () => stage.receiver.posts('gp.joined');
    await waitFor(() => joined().length === CLIENTS * GROUPS.length || undefined, 'every joined event', 10_000);
    expect(peak).toBeLessThanOrEqual(LIMIT);
    expect(peak).toBeGreaterThan(1);
    for (const client of clients) {
      const mine = joined()
        .filter((post) => post.headers['ce-connectionid'] === client.connectionId)
        .sort((a, b) => Number(a.headers['ce-id']) - Number(b.headers['ce-id']))
        .map((post) => (JSON.parse(post.body.toString()) as { group: string }).group);
      expect(mine).toEqual(GROUPS);
    }
  });
});
