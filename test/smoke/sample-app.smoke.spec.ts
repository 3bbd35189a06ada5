import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubClient, type OnGroupDataMessageArgs, type OnServerDataMessageArgs } from '@azure/web-pubsub-client';
import { waitFor } from '../support/wait-for.js';
import { buildSampleApp, SampleAppProcess } from '../support/sample-app-process.js';

/*
 * The smoke test each supported Node runs (`.ci/run`): the built sample app (`npm start`, which
 * loads the package from dist/ through Node's own loader, not ts-jest) on its embedded emulator,
 * one round trip through its REST chat and one through its gateway chat, with the official client.
 */
describe('smoke: the built sample app on its embedded emulator', () => {
  let app: SampleAppProcess;
  const clients: WebPubSubClient[] = [];

  beforeAll(async () => {
    buildSampleApp();
    app = await SampleAppProcess.start();
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.stop();
    await app?.stop();
  });

  async function connect(user: string, path: string): Promise<{ client: WebPubSubClient; received: unknown[] }> {
    const negotiate = await fetch(`${app.url}${path}`, { headers: { 'x-chat-user': user } });
    expect(negotiate.status).toBe(200);
    const { url } = (await negotiate.json()) as { url: string };
    const client = new WebPubSubClient(url, {
      keepAliveIntervalInMs: 0,
      keepAliveTimeoutInMs: 0,
      autoReconnect: false,
    });
    clients.push(client);
    const received: unknown[] = [];
    client.on('group-message', (event: OnGroupDataMessageArgs) => received.push(event.message.data));
    client.on('server-message', (event: OnServerDataMessageArgs) => received.push(event.message.data));
    await client.start();
    return { client, received };
  }

  it('says it runs on the embedded emulator', () => {
    expect(app.lines().join('\n')).toContain(
      'WEBPUBSUB_CONNECTION_STRING is not set: running on the embedded Web PubSub emulator (local only).',
    );
  });

  it('delivers a message posted to a room to a client in that room', async () => {
    const { received } = await connect('sam', '/negotiate?room=lobby');
    const posted = await fetch(`${app.url}/rooms/lobby/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-chat-user': 'sam' },
      body: JSON.stringify({ text: 'smoke' }),
    });
    expect(posted.status).toBe(201);
    await waitFor(() => received.find((data) => (data as { kind?: string }).kind === 'message'), 'the room message');
    expect(received.filter((data) => (data as { kind?: string }).kind === 'message')).toEqual([
      expect.objectContaining({ kind: 'message', room: 'lobby', from: 'sam', text: 'smoke' }),
    ]);
  });

  it('answers a gateway event with the room broadcast', async () => {
    const { client, received } = await connect('gus', '/gateway/negotiate');
    await waitFor(
      () => received.find((data) => (data as { event?: string }).event === 'welcome'),
      'the welcome from handleConnection',
    );
    await client.sendEvent('join', 'lobby', 'json');
    await waitFor(() => received.find((data) => (data as { event?: string }).event === 'joined'), 'the joined answer');
    await client.sendEvent('say', { room: 'lobby', text: 'smoke' }, 'json');
    await waitFor(() => received.find((data) => (data as { event?: string }).event === 'said'), 'the room message');
    expect(received).toEqual([
      { event: 'welcome', data: { text: 'Welcome, gus! Join a room to chat.' } },
      { event: 'joined', data: 'lobby' },
      { event: 'said', data: { room: 'lobby', from: 'gus', text: 'smoke' } },
    ]);
  });
});
