import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, HttpCode, Param, Post, Query, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { WebPubSubModule, WebPubSubService, type WebPubSubModuleOptions } from '../../../lib/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { startOfficialClient, type OfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';
import { connectOutcome, portOf } from './di-harness.js';

/*
 * A Nest app over real sockets: a controller sends through the injected service, and official
 * @azure/web-pubsub-client clients (their URLs from the app's negotiate route, i.e. from
 * service.getClientAccessToken) receive the messages. Once with `emulator: true` (embedded), once
 * with an external emulator.
 */

@Controller()
class NotifyController {
  constructor(private readonly webPubSub: WebPubSubService) {}

  /** Where clients get their URL: the usual Web PubSub "negotiate" route. */
  @Get('negotiate')
  async negotiate(@Query('userId') userId: string) {
    const { url } = await this.webPubSub.getClientAccessToken({ userId });
    return { url };
  }

  @Post('all')
  @HttpCode(202)
  async all(@Body() body: Record<string, unknown>) {
    await this.webPubSub.sendToAll(body);
  }

  @Post('rooms/:room/members/:connectionId')
  @HttpCode(204)
  async join(@Param('room') room: string, @Param('connectionId') connectionId: string) {
    await this.webPubSub.group(room).addConnection(connectionId);
  }

  @Post('rooms/:room')
  @HttpCode(202)
  async room(@Param('room') room: string, @Body() body: Record<string, unknown>) {
    await this.webPubSub.group(room).sendToAll(body);
  }

  @Post('users/:userId')
  @HttpCode(202)
  async user(@Param('userId') userId: string, @Body() body: Record<string, unknown>) {
    await this.webPubSub.sendToUser(userId, body);
  }
}

/** One running app and the clients connected through it. */
class Running {
  readonly logger = new CapturingLogger();
  app!: INestApplication;
  service!: WebPubSubService;
  private readonly receivers: OfficialClient[] = [];

  async start(options: WebPubSubModuleOptions): Promise<void> {
    const moduleRef = await Test.createTestingModule({
      imports: [WebPubSubModule.forRoot(options)],
      controllers: [NotifyController],
    })
      .setLogger(this.logger)
      .compile();
    this.app = moduleRef.createNestApplication();
    await this.app.listen(0, '127.0.0.1');
    this.service = this.app.get(WebPubSubService);
  }

  /** Connects an official client with the URL the app's negotiate route hands out. */
  async connect(userId: string): Promise<OfficialClient> {
    const { body } = await request(this.app.getHttpServer()).get('/negotiate').query({ userId }).expect(200);
    const receiver = await startOfficialClient((body as { url: string }).url, {}, `the official client of ${userId}`);
    this.receivers.push(receiver);
    return receiver;
  }

  post(path: string, body: object = {}, status = 202) {
    return request(this.app.getHttpServer()).post(path).send(body).expect(status);
  }

  async stopClients(): Promise<void> {
    await Promise.all(this.receivers.splice(0).map((receiver) => receiver.stop()));
  }

  async close(): Promise<void> {
    await this.stopClients();
    await this.app?.close();
  }
}

/** A Running app for the enclosing describe block (`options()` is read when it starts); clients stopped after each test. */
function useRunningApp(options: () => WebPubSubModuleOptions): Running {
  const running = new Running();
  beforeAll(() => running.start(options()));
  afterEach(() => running.stopClients());
  afterAll(() => running.close());
  return running;
}

/** The shared scenario: broadcast, group and user sends reach exactly the right clients. */
async function deliversThroughTheApp(running: Running): Promise<void> {
  const alice = await running.connect('alice');
  const bob = await running.connect('bob');
  await running.post(`/rooms/room1/members/${alice.connectionId}`, {}, 204);
  await running.post('/all', { text: 'to all' });
  await running.post('/rooms/room1', { text: 'to room1' });
  await running.post('/users/bob', { text: 'to bob' });
  // A last broadcast: once both have it, everything sent before has arrived too (one ordered socket each).
  await running.post('/all', { text: 'end' });
  await waitFor(() => alice.server.length >= 2 && bob.server.length >= 3, 'alice and bob to get the closing broadcast');
  expect(alice.server.map((message) => message.data)).toEqual([{ text: 'to all' }, { text: 'end' }]);
  expect(alice.group.map((message) => [message.group, message.data])).toEqual([['room1', { text: 'to room1' }]]);
  expect(bob.server.map((message) => message.data)).toEqual([{ text: 'to all' }, { text: 'to bob' }, { text: 'end' }]);
  expect(bob.group).toEqual([]);
}

describe('e2e with `emulator: true` (embedded)', () => {
  const running = useRunningApp(() => ({ emulator: true, hub: 'chat' }));

  it('uses the embedded emulator: tokens and REST calls point at a loopback port it opened', async () => {
    expect(running.service.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { url } = await running.service.getClientAccessToken({ userId: 'alice' });
    expect(url.startsWith(`${running.service.endpoint.replace('http', 'ws')}/client/hubs/chat?access_token=`)).toBe(
      true,
    );
    await expect(running.service.getServiceStatus()).resolves.toBe(true);
  });

  it('delivers sendToAll, group and user sends from a controller to official clients', async () => {
    await deliversThroughTheApp(running);
  });

  it('logs one line about the emulator, with its endpoint and never its key', () => {
    const started = running.logger.lines.filter((line) => line.message.includes('embedded Web PubSub emulator'));
    const message = `Started an embedded Web PubSub emulator at ${running.service.endpoint} (hub "chat"). For local development only.`;
    expect(started).toEqual([
      { level: 'log', message, params: ['WebPubSub'], context: 'WebPubSub', text: `${message} WebPubSub` },
    ]);
    // The generated key is private to the service: read it only to prove no line ever showed it.
    const key = (running.service.client as unknown as { transport: { accessKey?: string } }).transport.accessKey;
    expect(key).toEqual(expect.any(String));
    expect(running.logger.text()).not.toContain(key);
  });

  it('stops the embedded emulator when the app closes: its port refuses connections', async () => {
    const port = portOf(running.service.endpoint);
    await expect(connectOutcome(port)).resolves.toBe('connected');
    await running.close();
    await expect(connectOutcome(port)).resolves.toBe('ECONNREFUSED');
  });
});

describe('e2e with an external emulator', () => {
  const external = useEmulator({ accessKey: 'e2e-external-emulator-key' });
  const running = useRunningApp(() => ({ connectionString: external.emulator.connectionString, hub: 'chat' }));

  it('delivers sendToAll, group and user sends from a controller to official clients', async () => {
    const from = external.emulator.restCalls.length;
    await deliversThroughTheApp(running);
    expect(external.emulator.restCalls.slice(from).map((call) => `${call.operation} ${call.status}`)).toEqual([
      'addConnectionToGroup 200',
      'sendToAll 202',
      'sendToGroup 202',
      'sendToUser 202',
      'sendToAll 202',
    ]);
    expect(
      external.emulator
        .connections('chat')
        .map((connection) => connection.userId)
        .sort(),
    ).toEqual(['alice', 'bob']);
  });

  it('starts no emulator of its own, and logs REST calls without the key', () => {
    expect(running.service.endpoint).toBe(external.emulator.endpoint);
    expect(running.logger.text()).not.toContain('embedded Web PubSub emulator');
    expect(running.logger.lines.some((line) => line.message.includes('/api/hubs/chat/:send'))).toBe(true);
    expect(running.logger.text()).not.toContain('e2e-external-emulator-key');
  });
});
