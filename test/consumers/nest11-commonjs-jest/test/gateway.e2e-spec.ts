import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebPubSubClient, WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { createServer } from 'node:net';
import { WebPubSubService } from 'nestjs-web-pubsub';
import { WebPubSubAdapter } from 'nestjs-web-pubsub/gateway';
import { WebPubSubEmulator } from 'nestjs-web-pubsub/emulator';
import { AppModule } from './../src/app.module';
import { ChatGateway } from './../src/chat/chat.gateway';
import { ChatModule } from './../src/chat/chat.module';

/** A loopback port that was free a moment ago: the emulator must know the app's URL before the app listens. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` until it returns a value (5 s at most). */
async function until<T>(check: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  let value = check();
  while (value === undefined) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = check();
  }
  return value;
}

describe('Chat gateway on Web PubSub (e2e)', () => {
  let emulator: WebPubSubEmulator;
  let app: INestApplication;
  const clients: WebPubSubClient[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    emulator = await WebPubSubEmulator.start({
      hubs: { chat: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/eventhandler`, userEventPattern: '*', systemEvents: ['connected', 'disconnected'] }] } },
    });
    process.env.WEBPUBSUB_CONNECTION_STRING = emulator.connectionString;

    const moduleFixture = await Test.createTestingModule({
      imports: [AppModule, ChatModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    app.useLogger({ log: () => undefined, error: () => undefined, warn: (message: unknown) => void warnings.push(String(message)) });
    app.useWebSocketAdapter(new WebPubSubAdapter(app));
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    for (const client of clients) client.stop();
    await app?.close();
    await emulator?.stop();
  });

  /** An official client, and every `{ event, data }` it receives. */
  async function connect(userId: string): Promise<{ client: WebPubSubClient; frames: Array<{ event: string; data: unknown }> }> {
    const { url } = await app.get(WebPubSubService).getClientAccessToken({ userId });
    const client = new WebPubSubClient(url, { protocol: WebPubSubJsonProtocol(), keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, autoReconnect: false });
    const frames: Array<{ event: string; data: unknown }> = [];
    client.on('server-message', (event) => frames.push(event.message.data as never));
    client.on('group-message', (event) => frames.push(event.message.data as never));
    await client.start();
    clients.push(client);
    return { client, frames };
  }

  // @nestjs/core 11.1.4 and later announce a testing module's HTTP adapter (HttpAdapterHost.init$): the gate goes in first, silently.
  it('logs no warning about the event route at startup', () => {
    expect(warnings.filter((line) => line.includes('/eventhandler'))).toEqual([]);
  });

  it('answers sendEvent with the handler result (a WsResponse)', async () => {
    const alice = await connect('alice');
    await alice.client.sendEvent('echo', { text: 'hi' }, 'json');
    expect(await until(() => alice.frames[0], 'the answer')).toEqual({ event: 'echo', data: { text: 'hi' } });
  });

  it('broadcasts to a room: a member receives it, an outsider does not', async () => {
    const [bob, carol, dave] = await Promise.all([connect('bob'), connect('carol'), connect('dave')]);
    await bob.client.sendEvent('join', 'lobby', 'json');
    expect(await until(() => bob.frames.find((frame) => frame.event === 'joined'), 'the join answer')).toEqual({ event: 'joined', data: 'lobby' });

    await carol.client.sendEvent('say', { room: 'lobby', text: 'hello lobby' }, 'json');
    expect(await until(() => bob.frames.find((frame) => frame.event === 'said'), 'the room message')).toEqual({ event: 'said', data: { room: 'lobby', text: 'hello lobby' } });

    // Had the room message reached dave, it would have arrived before this later one.
    await app.get(WebPubSubService).sendToUser('dave', { event: 'marker', data: null });
    await until(() => dave.frames.find((frame) => frame.event === 'marker'), 'the marker');
    expect(dave.frames.map((frame) => frame.event)).toEqual(['marker']);
    expect(carol.frames.map((frame) => frame.event)).toEqual(['sent']);
  });
});

/**
 * Two instances of the app, as behind a load balancer: the emulator sends `connected` to one and the
 * user events to the other. The second binds the connection's handlers without handleConnection.
 * This relies on how Nest's WebSocketsController calls handleConnection (see the package's
 * lib/gateway/nest-binds-handlers-only-on-connection.patch.ts): if a Nest release changes it, the
 * second instance runs handleConnection too, or its handlers never answer, and this test fails.
 */
describe('Chat gateway in two app instances (e2e)', () => {
  let emulator: WebPubSubEmulator;
  const apps: INestApplication[] = [];
  let client: WebPubSubClient | undefined;

  beforeAll(async () => {
    const connectedPort = await freePort();
    let eventsPort = await freePort();
    while (eventsPort === connectedPort) eventsPort = await freePort();
    emulator = await WebPubSubEmulator.start({
      hubs: {
        chat: {
          eventHandlers: [
            { urlTemplate: `http://127.0.0.1:${connectedPort}/eventhandler`, systemEvents: ['connected', 'disconnected'] },
            { urlTemplate: `http://127.0.0.1:${eventsPort}/eventhandler`, userEventPattern: '*' },
          ],
        },
      },
    });
    process.env.WEBPUBSUB_CONNECTION_STRING = emulator.connectionString;
    for (const port of [connectedPort, eventsPort]) {
      const moduleFixture = await Test.createTestingModule({ imports: [AppModule, ChatModule] }).compile();
      const app = moduleFixture.createNestApplication({ logger: false });
      app.useWebSocketAdapter(new WebPubSubAdapter(app));
      await app.listen(port, '127.0.0.1');
      apps.push(app);
    }
  });

  afterAll(async () => {
    client?.stop();
    for (const app of apps) await app.close();
    await emulator?.stop();
  });

  it('runs handleConnection once, where `connected` went; the other instance answers the events', async () => {
    const [connectedApp, eventsApp] = apps;
    const { url } = await connectedApp.get(WebPubSubService).getClientAccessToken({ userId: 'erin' });
    client = new WebPubSubClient(url, { protocol: WebPubSubJsonProtocol(), keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, autoReconnect: false });
    const frames: Array<{ event: string; data: unknown }> = [];
    client.on('server-message', (event) => frames.push(event.message.data as never));
    let connectionId: string | undefined;
    client.on('connected', (event) => (connectionId = event.connectionId));
    await client.start();
    await until(() => connectedApp.get(ChatGateway).connections[0], 'handleConnection');

    for (const [event, data] of [['echo', { text: 'one' }], ['join', 'lobby'], ['echo', { text: 'two' }]] as const) {
      const before = frames.length;
      await client.sendEvent(event, data, 'json');
      await until(() => frames[before], `the answer to ${event}`);
    }
    expect(frames).toEqual([{ event: 'echo', data: { text: 'one' } }, { event: 'joined', data: 'lobby' }, { event: 'echo', data: { text: 'two' } }]);
    expect(connectedApp.get(ChatGateway).connections).toEqual([connectionId]);
    expect(eventsApp.get(ChatGateway).connections).toEqual([]);
  });
});
