import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubClient, type OnGroupDataMessageArgs, type OnServerDataMessageArgs } from '@azure/web-pubsub-client';
import { WebPubSubEmulator } from '../../lib/emulator/index.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';
import { buildSampleApp, SampleAppProcess } from '../support/sample-app-process.js';

/*
 * The sample app with WEBPUBSUB_CONNECTION_STRING set runs against that service, unchanged: here a
 * separate emulator stands in for Azure (its hub's events go to the app, as the portal's event
 * handler settings would send them). The official web-pubsub-client is the browser.
 */
describe('the sample app with WEBPUBSUB_CONNECTION_STRING', () => {
  let service: WebPubSubEmulator;
  let app: SampleAppProcess;
  const clients: WebPubSubClient[] = [];

  beforeAll(async () => {
    buildSampleApp();
    const port = await freePort();
    service = await WebPubSubEmulator.start({
      hubs: {
        chat: {
          eventHandlers: [
            {
              urlTemplate: `http://127.0.0.1:${port}/eventhandler/{event}`,
              userEventPattern: '*',
              systemEvents: ['connect', 'connected', 'disconnected'],
            },
          ],
        },
        // The gateway's hub, as sample-app/README.md tells to set it up in the portal.
        gateway_chat: {
          eventHandlers: [
            {
              urlTemplate: `http://127.0.0.1:${port}/eventhandler/{event}`,
              userEventPattern: '*',
              systemEvents: ['connected', 'disconnected'],
            },
          ],
        },
      },
      upstreamRetryDelaysMs: [],
    });
    app = await SampleAppProcess.start({ port, connectionString: service.connectionString });
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.stop();
    await app?.stop();
    await service?.stop();
  });

  /** Negotiates at `path` (the REST chat's or the gateway chat's) as `user` and connects an official client. */
  async function connect(
    user: string,
    path: string,
  ): Promise<{ client: WebPubSubClient; received: unknown[]; url: string }> {
    const negotiate = await fetch(`${app.url}${path}`, { headers: { 'x-chat-user': user } });
    expect(negotiate.status).toBe(200);
    const { url } = (await negotiate.json()) as { url: string };
    const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    clients.push(client);
    const received: unknown[] = [];
    client.on('group-message', (event: OnGroupDataMessageArgs) => received.push(event.message.data));
    client.on('server-message', (event: OnServerDataMessageArgs) => received.push(event.message.data));
    await client.start();
    return { client, received, url };
  }

  it('says which service it uses (its endpoint, never the key) and starts no emulator of its own', () => {
    const text = app.lines().join('\n');
    expect(text).toContain(`Using the Web PubSub service at ${service.endpoint} (from WEBPUBSUB_CONNECTION_STRING).`);
    expect(text).not.toContain('embedded');
    expect(text).not.toContain(service.connectionString.match(/AccessKey=([^;]+)/)![1]);
  });

  it('puts the connection in its room, answers hello, and broadcasts a posted message to the room', async () => {
    const dana = await connect('dana', '/negotiate?room=lobby');
    await dana.client.sendEvent('hello', {}, 'json');
    await waitFor(
      () => dana.received.some((data) => (data as { kind?: string }).kind === 'welcome'),
      'the welcome answer',
    );

    const posted = await fetch(`${app.url}/rooms/lobby/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-chat-user': 'dana' },
      body: JSON.stringify({ text: 'through the connection string' }),
    });
    expect(posted.status).toBe(201);
    await waitFor(
      () => dana.received.find((data) => (data as { kind?: string }).kind === 'message'),
      'the room message',
    );
    expect(dana.received.filter((data) => (data as { kind?: string }).kind === 'message')).toEqual([
      expect.objectContaining({ kind: 'message', room: 'lobby', from: 'dana', text: 'through the connection string' }),
    ]);
    // The service, not an embedded emulator, carried it.
    expect(service.restCalls.some((call) => call.operation === 'sendToGroup' && call.status === 202)).toBe(true);
  });

  it('runs the gateway chat on that service: welcome, join, say to the room', async () => {
    const { client, received, url } = await connect('gina', '/gateway/negotiate');
    expect(url).toContain('/client/hubs/gateway_chat?');
    await waitFor(
      () => received.find((data) => (data as { event?: string }).event === 'welcome'),
      'the welcome from handleConnection',
    );
    await client.sendEvent('join', 'lobby', 'json');
    await waitFor(() => received.find((data) => (data as { event?: string }).event === 'joined'), 'the joined answer');
    await client.sendEvent('say', { room: 'lobby', text: 'from the gateway' }, 'json');
    await waitFor(() => received.find((data) => (data as { event?: string }).event === 'said'), 'the room message');
    expect(received).toEqual([
      { event: 'welcome', data: { text: 'Welcome, gina! Join a room to chat.' } },
      { event: 'joined', data: 'lobby' },
      { event: 'said', data: { room: 'lobby', from: 'gina', text: 'from the gateway' } },
    ]);
    expect(service.restCalls.some((call) => call.operation === 'addConnectionToGroup' && call.status === 200)).toBe(
      true,
    );
  });

  it('refuses a connection without a valid room (the connect handler answers 400)', async () => {
    const { url } = (await (
      await fetch(`${app.url}/negotiate?room=lobby`, { headers: { 'x-chat-user': 'eve' } })
    ).json()) as { url: string };
    const client = new WebPubSubClient(url.replace('&room=lobby', '&room=Not%20A%20Room'), {
      keepAliveIntervalInMs: 0,
      keepAliveTimeoutInMs: 0,
      autoReconnect: false,
    });
    clients.push(client);
    await expect(client.start()).rejects.toThrow();
    expect(service.connections('chat').map((connection) => connection.userId)).not.toContain('eve');
  });
});
