import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { WebPubSubService } from '../../lib/index.js';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { refusalStatus } from '../support/raw-client.js';
import { waitFor } from '../support/wait-for.js';
import { BehaviourGateway, PortGateway } from './behaviour.gateway.js';

/** What a gateway gets on Web PubSub beyond Nest's ws adapter, on the emulator with official clients. */
describe('a gateway on WebPubSubAdapter', () => {
  const driver = new WebPubSubDriver('express');
  beforeAll(() => driver.start(BehaviourGateway));
  afterAll(() => driver.stop());
  beforeEach(() => BehaviourGateway.reset());

  describe("the gateway's @OnConnect()", () => {
    it('sets userId, groups and state: the socket shows them, and a broadcast to the group reaches the client', async () => {
      const client = await driver.connect('u1');
      expect(client.official.userId).toBe('app-u1');
      expect(await client.request('whoami', {}, 'whoami')).toEqual({
        event: 'whoami',
        data: { id: client.official.connectionId, userId: 'app-u1', greeting: 'hello u1' },
      });
      await driver.app!.get(WebPubSubService).group('room-u1').sendToAll({ event: 'to-room', data: 1 });
      await waitFor(() => client.frames.find((frame) => frame.event === 'to-room'), 'the group message');
    });

    it('sets roles: the client may join only the group they name', async () => {
      const client = await driver.connect('u2');
      await expect(client.official.client.joinGroup('extra')).resolves.toBeDefined();
      await expect(client.official.client.joinGroup('other')).rejects.toThrow();
      const plain = await driver.connect('plain');
      expect(plain.official.userId).toBe('plain');
      await expect(plain.official.client.joinGroup('extra')).rejects.toThrow();
    });

    it('refuses with the HttpException status: the client cannot connect, and nothing is logged as an error', async () => {
      await expect(driver.connect('intruder')).rejects.toThrow();
      const { url } = await driver.app!.get(WebPubSubService).getClientAccessToken({ userId: 'intruder' });
      expect(await refusalStatus(url)).toBe(401);
      expect(driver.logs.lines.filter((line) => line.level === 'error')).toEqual([]);
    });
  });

  it('socket.state: a value set while answering one event is there in the next event of the connection', async () => {
    const client = await driver.connect('u3');
    expect(await client.request('remember', { n: 1 }, 'remembered')).toEqual({
      event: 'remembered',
      data: { now: { n: 1 } },
    });
    expect(await client.request('recall', {}, 'recalled')).toEqual({ event: 'recalled', data: { n: 1 } });
    expect(await client.request('remember', 'second', 'remembered')).toEqual({
      event: 'remembered',
      data: { before: { n: 1 }, now: 'second' },
    });
    expect(await client.request('recall', {}, 'recalled')).toEqual({ event: 'recalled', data: 'second' });
    // Another connection has its own state.
    const other = await driver.connect('u4');
    expect(await other.request('recall', {}, 'recalled')).toEqual({ event: 'recalled', data: null });
  });

  it.each([
    ['at once (of)', 'count'],
    ['over time (interval)', 'tick'],
  ])(
    'an Observable with several values %s: the first answers the event, the others follow in order',
    async (_how, event) => {
      const client = await driver.connect('u5');
      const first = await client.request(event, 30, event);
      expect(first).toEqual({ event, data: 1 });
      await waitFor(
        () => client.frames.filter((frame) => frame.event === event).length >= 30 || undefined,
        'all thirty values',
      );
      expect(client.frames.filter((frame) => frame.event === event).map((frame) => frame.data)).toEqual(
        Array.from({ length: 30 }, (_, index) => index + 1),
      );
    },
  );

  it('an Observable whose second value meets a transient fault (503, retried): the values still arrive in order', async () => {
    const client = await driver.connect('u5');
    driver.emulator!.faults.failNext(1, { status: 503, operation: 'sendToConnection' });
    expect(await client.request('count', 10, 'count')).toEqual({ event: 'count', data: 1 });
    await waitFor(
      () => client.frames.filter((frame) => frame.event === 'count').length >= 10 || undefined,
      'all ten values',
      10_000,
    );
    expect(client.frames.filter((frame) => frame.event === 'count').map((frame) => frame.data)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(driver.logs.lines.filter((line) => line.level === 'error')).toEqual([]);
  }, 15_000);

  it('socket.close(reason): the client is disconnected with the reason, and handleDisconnect gets it', async () => {
    const client = await driver.connect('u6');
    const id = client.official.connectionId;
    await client.official.client.sendEvent('bye', 'done here', 'json').catch(() => undefined);
    await waitFor(() => client.official.disconnected[0], 'the client to be disconnected');
    expect(client.official.disconnected[0].message).toMatchObject({ message: 'done here' });
    await waitFor(() => BehaviourGateway.disconnected.find((entry) => entry.id === id), 'handleDisconnect');
    expect(BehaviourGateway.disconnected).toEqual([{ id, reason: 'done here' }]);
  });
});

describe.each([
  ['throw', true],
  ['log', false],
] as const)("a failing server.emit with broadcast.onError '%s'", (onError, rejects) => {
  const driver = new WebPubSubDriver('express', { broadcast: { onError } });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    await driver.start(BehaviourGateway);
  });
  afterAll(async () => {
    await driver.stop();
    process.off('unhandledRejection', onUnhandled);
  });
  beforeEach(() => BehaviourGateway.reset());
  afterEach(() => driver.emulator!.faults.clear());

  it(`${rejects ? 'rejects the awaited emit' : 'resolves the awaited emit'} and logs the failure`, async () => {
    const client = await driver.connect('u7');
    driver.emulator!.faults.failNext(1, { status: 403, operation: 'sendToAll' });
    const answer = await client.request('shout', 'lost', 'shout-done');
    expect(BehaviourGateway.shouts).toHaveLength(1);
    if (rejects) expect(answer.data).toMatch(/403/);
    else expect(answer.data).toBe('sent');
    expect(driver.logs.lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
      expect.stringMatching(/^Gateway emit to the hub failed: .*403/),
    ]);
    // The next one goes through.
    expect((await client.request('shout', 'heard', 'shout-done')).data).toBe('sent');
    await waitFor(() => client.frames.find((frame) => frame.event === 'shouted'), 'the second shout');
    driver.logs.lines.length = 0;
  });

  it('an emit nobody awaits fails without an unhandled rejection', async () => {
    const client = await driver.connect('u8');
    driver.emulator!.faults.failNext(1, { status: 403, operation: 'sendToAll' });
    expect(await client.request('shout-and-forget', 'lost', 'forgot')).toEqual({ event: 'forgot', data: 'lost' });
    await waitFor(() => driver.logs.lines.find((line) => line.level === 'error'), 'the failure to be logged');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
    driver.logs.lines.length = 0;
  });
});

describe('a gateway with a port', () => {
  const driver = new WebPubSubDriver('express');
  beforeAll(() => driver.start(PortGateway));
  afterAll(() => driver.stop());

  it('logs once that Web PubSub ignores the port, and works all the same', async () => {
    const warnings = driver.logs.lines.filter((line) => line.level === 'warn').map((line) => line.message);
    expect(warnings).toEqual([
      'PortGateway asks for port 8099, which Web PubSub ignores: clients connect to the service, and its events reach this app through the event route. Remove the port, or keep it only for another adapter.',
    ]);
    const client = await driver.connect('u9');
    expect(await client.request('echo', 'hi', 'echo')).toEqual({ event: 'echo', data: 'hi' });
  });

  it('matches @SubscribeMessage by a non-ASCII event name', async () => {
    const client = await driver.connect('u10');
    expect(await client.request('名前', 'hi', '名前')).toEqual({ event: '名前', data: 'hi' });
  });
});
