import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { WebPubSubRestClient } from '../../lib/index.js';
import { WebPubSubEmulator } from '../../lib/emulator/index.js';
import { freePort } from '../support/free-port.js';
import { connectOfficialClient, type OfficialClient } from '../support/official-client.js';
import { RoundRobinProxy } from '../support/round-robin-proxy.js';
import { ChildApp, transpileForChild } from '../support/transpiled-process.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Scale-out: the same gateway in TWO app processes behind one load balancer (a round-robin proxy:
 * each upstream request, the abuse-protection handshake included, goes to the next process), one
 * emulator in front. The events of one connection reach both processes, so each process binds
 * connections whose `connected` went to the other one ("binding only", lib/gateway/nest-binds-handlers-only-on-connection.patch.ts).
 */

interface Counters {
  name: string;
  handleConnection: string[];
  handleDisconnect: string[];
  events: Record<string, number>;
  boundOnly: string[];
  problems: string[];
}

interface Frame {
  event: string;
  data: Record<string, unknown>;
}

const names = ['app-a', 'app-b'];

describe('a gateway scaled out to two app processes behind one load balancer', () => {
  let emulator: WebPubSubEmulator;
  let proxy: RoundRobinProxy;
  let apps: ChildApp[] = [];
  let ports: number[] = [];
  const clients: OfficialClient[] = [];

  beforeAll(async () => {
    const outDir = transpileForChild('scale-out', ['test/gateway/scale-out/scale-out-app.ts']);
    ports = await Promise.all(names.map(() => freePort()));
    proxy = await RoundRobinProxy.start(ports.map((port) => `http://127.0.0.1:${port}`));
    emulator = await WebPubSubEmulator.start({
      hubs: {
        chat: {
          eventHandlers: [
            {
              urlTemplate: `${proxy.url}/eventhandler`,
              userEventPattern: '*',
              systemEvents: ['connect', 'connected', 'disconnected'],
            },
          ],
        },
      },
      upstreamRetryDelaysMs: [],
    });
    apps = await Promise.all(
      names.map((name, index) =>
        ChildApp.start(`${outDir}/test/gateway/scale-out/scale-out-app.js`, name, {
          APP_NAME: name,
          PORT: String(ports[index]),
          CONNECTION_STRING: emulator.connectionString,
        }),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.stop()));
    await Promise.all(apps.map((app) => app.stop()));
    await proxy?.stop();
    await emulator?.stop();
  });

  async function counters(): Promise<Counters[]> {
    return Promise.all(
      ports.map(async (port) => (await fetch(`http://127.0.0.1:${port}/counters`)).json() as Promise<Counters>),
    );
  }

  async function connect(userId: string): Promise<OfficialClient> {
    const client = await connectOfficialClient(
      new WebPubSubRestClient(emulator.connectionString, 'chat'),
      { userId },
      { protocol: WebPubSubJsonProtocol(), autoReconnect: false },
    );
    clients.push(client);
    return client;
  }

  function frames(client: OfficialClient): Frame[] {
    return client.messages.map((message) => message.data as Frame);
  }

  /** Sends an event and waits for its answer (the first `reply` frame after it). */
  async function request(client: OfficialClient, event: string, data: unknown, reply: string): Promise<Frame> {
    const from = client.messages.length;
    await client.client.sendEvent(event, data as never, 'json');
    return waitFor(
      () =>
        frames(client)
          .slice(from)
          .find((frame) => frame.event === reply),
      `the "${reply}" answer to "${event}"`,
    );
  }

  /** Asks both processes for their counters until `done` holds for them (or 5 s passed), then once more after a short pause, so a late duplicate would show. */
  async function countersWhen(done: (seen: Counters[]) => boolean): Promise<Counters[]> {
    const deadline = Date.now() + 5000;
    while (!done(await counters()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    return counters();
  }

  /** How many times a connection id appears in one list of both processes together. */
  function total(seen: Counters[], list: (one: Counters) => string[], id: string): number {
    return seen.reduce((sum, one) => sum + list(one).filter((value) => value === id).length, 0);
  }

  it('spreads the events of one connection over both processes, and either process answers correctly', async () => {
    const alice = await connect('alice');
    const answers: Frame[] = [];
    for (let index = 0; index < 8; index++) answers.push(await request(alice, 'echo', { index }, 'echo'));
    // Each answer is the right one, whichever process gave it.
    expect(answers.map((answer) => answer.data.data)).toEqual([...Array(8).keys()].map((index) => ({ index })));
    for (const answer of answers) expect(answer.data).toMatchObject({ id: alice.connectionId, userId: 'alice' });
    expect(new Set(answers.map((answer) => answer.data.by))).toEqual(new Set(names));
    const seen = await countersWhen((now) => total(now, (one) => one.handleConnection, alice.connectionId) > 0);
    const perProcess = seen.map((one) => one.events[alice.connectionId] ?? 0);
    expect(perProcess.every((count) => count >= 1)).toBe(true);
    expect(perProcess[0] + perProcess[1]).toBe(8);
    // One process ran handleConnection; the other served events of the connection all the same, bound "binding only".
    const ranConnection = seen
      .filter((one) => one.handleConnection.includes(alice.connectionId))
      .map((one) => one.name);
    expect(ranConnection).toHaveLength(1);
    expect(seen.filter((one) => one.boundOnly.includes(alice.connectionId)).map((one) => one.name)).toEqual(
      names.filter((name) => name !== ranConnection[0]),
    );
  });

  it('a room joined in one process gets what the other process broadcasts to it, and an outsider does not', async () => {
    const [bob, carol, dave] = await Promise.all([connect('bob'), connect('carol'), connect('dave')]);
    const joined = await request(bob, 'join', 'lobby', 'joined');
    await request(carol, 'join', 'lobby', 'joined');
    // From the process that did NOT run bob's join: dave asks again until that process takes the event.
    const other = names.find((name) => name !== joined.data.by)!;
    let sent: Frame | undefined;
    for (let attempt = 0; attempt < 6 && !sent; attempt++) {
      const answer = await request(dave, 'say', { room: 'lobby', text: 'hello room', from: other }, 'sent');
      if (!answer.data.skipped) sent = answer;
    }
    expect(sent?.data.by).toBe(other);
    for (const member of [bob, carol])
      await waitFor(
        () => frames(member).find((frame) => frame.event === 'said'),
        `the room message at ${member.userId}`,
      );
    // A hub-wide marker after it: the room message, had dave got it, would have come first.
    await request(bob, 'shout', 'marker', 'shout-sent');
    await waitFor(() => frames(dave).find((frame) => frame.event === 'shouted'), 'the marker at dave');
    expect(frames(bob).filter((frame) => frame.event === 'said')).toEqual([
      { event: 'said', data: { text: 'hello room', by: other } },
    ]);
    expect(frames(carol).filter((frame) => frame.event === 'said')).toEqual([
      { event: 'said', data: { text: 'hello room', by: other } },
    ]);
    expect(frames(dave).filter((frame) => frame.event === 'said')).toEqual([]);
  });

  it('runs handleConnection once per connection and handleDisconnect once, across both processes; no process logs a problem', async () => {
    const ids = clients.map((client) => client.connectionId);
    expect(new Set(ids).size).toBe(4);
    // `connected` is sent without waiting for it: wait until each connection's handleConnection ran somewhere.
    let seen = await countersWhen((now) => ids.every((id) => total(now, (one) => one.handleConnection, id) > 0));
    expect(ids.map((id) => total(seen, (one) => one.handleConnection, id))).toEqual([1, 1, 1, 1]);
    await Promise.all(clients.map((client) => client.stop()));
    seen = await countersWhen((now) => ids.every((id) => total(now, (one) => one.handleDisconnect, id) > 0));
    expect(ids.map((id) => total(seen, (one) => one.handleDisconnect, id))).toEqual([1, 1, 1, 1]);
    // The load balancer really shared the work (the handshake and events went to both).
    expect(proxy.countsPerTarget(2).every((count) => count > 2)).toBe(true);
    expect(proxy.requests.filter((request) => request.method === 'OPTIONS')).toHaveLength(1);
    expect(proxy.requests.filter((request) => request.status >= 400)).toEqual([]);
    expect(seen.map((one) => one.problems)).toEqual([[], []]);
    for (const app of apps) expect(app.text()).not.toMatch(/ERROR|WARN|Unhandled/);
  });
});
