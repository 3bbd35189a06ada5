import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RestError } from '@azure/core-rest-pipeline';
import type { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { WebPubSubRestClient, WebPubSubRestError } from '../../../lib/index.js';
import { WebPubSubEmulator, type Delivery } from '../../../lib/emulator/index.js';
import { closeClients, connectClients, officialClient, SDK_TEST_OPTIONS, waitFor, type JsonClient } from './rest-harness.js';

/**
 * The emulator's test hooks: injected REST failures (as both clients see them, with and without
 * retries), an outage switch, added latency, dropped client sockets, and the records of REST calls
 * and deliveries.
 */

const HUB = 'faults';
let emulator: WebPubSubEmulator;
let official: WebPubSubServiceClient;
let clients: Record<string, JsonClient>;
beforeAll(async () => {
  emulator = await WebPubSubEmulator.start();
  official = officialClient(emulator, HUB, { maxRetries: 0 });
  clients = await connectClients(official, [{ name: 'a', userId: 'alice' }, { name: 'b', userId: 'bob' }]);
});
afterEach(() => emulator.faults.clear());
afterAll(async () => {
  await closeClients(clients);
  await emulator.stop();
});

/** Our client with quick retries, so retried faults do not slow the suite. */
const ours = () => new WebPubSubRestClient(emulator.connectionString, HUB, { retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } });
const callsSince = (index: number) => emulator.restCalls.slice(index).map((call) => [call.operation, call.status]);
const failure = (call: () => Promise<unknown>) => call().then(() => undefined, (error: unknown) => error as RestError);

describe('failNext', () => {
  it('fails the next call for the official client with the status, error code and Retry-After', async () => {
    emulator.faults.failNext(1, { status: 503, retryAfterSeconds: 7 });
    const error = await failure(() => official.sendToAll({ x: 1 }));
    expect(error).toBeInstanceOf(RestError);
    expect([error!.statusCode, error!.code]).toEqual([503, 'Error.InjectedFault']);
    expect(error!.response?.headers.get('retry-after')).toBe('7');
    await official.sendToAll({ x: 2 });
    expect(emulator.restCalls.at(-1)).toMatchObject({ operation: 'sendToAll', status: 202 });
  });

  it('lets our client recover from two injected 503s, delivering the message once', async () => {
    emulator.faults.failNext(2, { status: 503 });
    const [calls, deliveries] = [emulator.restCalls.length, emulator.deliveryCount];
    await ours().sendToUser('alice', { once: true });
    expect(callsSince(calls)).toEqual([['sendToUser', 503], ['sendToUser', 503], ['sendToUser', 202]]);
    expect(emulator.deliveryCount - deliveries).toBe(1);
    await clients.a.waitData({ once: true });
  });

  it('fails our client with WebPubSubRestError once the retries run out', async () => {
    emulator.faults.failNext(5, { status: 500 });
    const client = new WebPubSubRestClient(emulator.connectionString, HUB, { retryOptions: { maxRetries: 2, retryDelayInMs: 5 } });
    const error = await failure(() => client.sendToAll({}));
    expect(error).toBeInstanceOf(WebPubSubRestError);
    expect([error!.statusCode, error!.code]).toEqual([500, 'Error.InjectedFault']);
    // 1 try + 2 retries took three of the five faults; two remain for the next calls.
    await expect(failure(() => official.sendToAll({}))).resolves.toMatchObject({ statusCode: 500 });
  });

  it('retries a 429 only after its Retry-After', async () => {
    emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const calls = emulator.restCalls.length;
    const started = Date.now();
    await ours().sendToAll({ throttled: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(callsSince(calls)).toEqual([['sendToAll', 429], ['sendToAll', 202]]);
  });

  it('failNext(0) fails nothing', async () => {
    emulator.faults.failNext(0, { status: 500 });
    await official.sendToAll({});
    expect(emulator.restCalls.at(-1)).toMatchObject({ operation: 'sendToAll', status: 202 });
  });

  it('limits a fault to one operation when asked', async () => {
    emulator.faults.failNext(1, { status: 500, operation: 'sendToUser' });
    const calls = emulator.restCalls.length;
    await official.sendToAll({});
    await expect(official.userExists('alice')).resolves.toBe(true);
    expect((await failure(() => official.sendToUser('alice', {})))?.statusCode).toBe(500);
    await official.sendToUser('alice', {});
    expect(callsSince(calls)).toEqual([['sendToAll', 202], ['userExists', 200], ['sendToUser', 500], ['sendToUser', 202]]);
  });
});

describe('serviceDown / serviceUp', () => {
  it('fails every call, health included, until the service is up again', async () => {
    emulator.faults.serviceDown();
    expect((await failure(() => official.sendToAll({})))?.statusCode).toBe(503);
    expect((await failure(() => official.connectionExists(clients.a.connectionId)))?.statusCode).toBe(503);
    const health = await fetch(`${emulator.endpoint}/api/health`, { method: 'HEAD' });
    expect(health.status).toBe(503);
    emulator.faults.serviceDown({ status: 500 });
    expect((await failure(() => official.sendToAll({})))?.statusCode).toBe(500);
    emulator.faults.serviceUp();
    await expect(official.connectionExists(clients.a.connectionId)).resolves.toBe(true);
  });
});

describe('setLatency', () => {
  it('holds calls back: still pending after a short while, answered afterwards in order', async () => {
    emulator.faults.setLatency(400);
    const order: string[] = [];
    const slow = official.sendToAll({ slow: 1 }).then(() => order.push('first'));
    const second = official.sendToAll({ slow: 2 }).then(() => order.push('second'));
    const early = await Promise.race([slow.then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 100, 'pending'))]);
    expect(early).toBe('pending');
    expect(clients.a.received).not.toContainEqual({ slow: 1 });
    await Promise.all([slow, second]);
    expect(order.sort()).toEqual(['first', 'second']);
    emulator.faults.setLatency(0);
    const fast = await Promise.race([official.sendToAll({}).then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 300, 'pending'))]);
    expect(fast).toBe('answered');
  });
});

describe('dropClients', () => {
  it('terminates matching sockets without a close frame; the emulator forgets non-reliable ones', async () => {
    const extra = await connectClients(official, [{ name: 'c', userId: 'carol' }, { name: 'd', userId: 'dave' }]);
    expect(emulator.faults.dropClients({ hub: HUB, userId: 'carol' })).toBe(1);
    expect(await extra.c.waitClosed()).toBe(1006);
    await waitFor(() => !emulator.connections(HUB).some((info) => info.userId === 'carol'), 'carol to be gone');
    expect(await official.userExists('dave')).toBe(true);
    expect(emulator.faults.dropClients({ connectionId: 'no-such-connection' })).toBe(0);
    await closeClients(extra);
  });

  it('lets a reliable official client recover the same connection and get later messages', async () => {
    const { url } = await official.getClientAccessToken({ userId: 'rita' });
    const client = new WebPubSubClient(url, SDK_TEST_OPTIONS);
    const received: unknown[] = [];
    const connected: string[] = [];
    client.on('connected', (event) => connected.push(event.connectionId));
    client.on('server-message', (event) => received.push(event.message.data));
    await client.start();
    const connectionId = await waitFor(() => connected[0], 'the SDK client to connect');
    expect(emulator.faults.dropClients({ userId: 'rita' })).toBe(1);
    await waitFor(() => emulator.connections(HUB).find((info) => info.connectionId === connectionId)?.open === false, 'the drop to be noticed');
    await waitFor(() => emulator.connections(HUB).find((info) => info.connectionId === connectionId)?.open, 'the connection to be recovered', 5000);
    await official.sendToUser('rita', { after: 'drop' });
    await waitFor(() => received.length === 1, 'the message after recovery');
    expect(received).toEqual([{ after: 'drop' }]);
    client.stop();
    // A stopped reliable client may be kept for recovery; end it for good so later tests see two clients.
    await official.closeConnection(connectionId);
    expect(emulator.connections(HUB).some((info) => info.connectionId === connectionId)).toBe(false);
  });
});

describe('restCalls and deliveries', () => {
  it('records each REST call with its operation and status', async () => {
    const calls = emulator.restCalls.length;
    await official.group('room').addConnection(clients.b.connectionId);
    await official.groupExists('empty-room');
    await failure(() => official.group('room').addConnection('no-such-connection'));
    expect(emulator.restCalls.slice(calls)).toEqual([
      { method: 'PUT', path: `/api/hubs/${HUB}/groups/room/connections/${clients.b.connectionId}`, operation: 'addConnectionToGroup', status: 200 },
      { method: 'HEAD', path: `/api/hubs/${HUB}/groups/empty-room`, operation: 'groupExists', status: 404 },
      { method: 'PUT', path: `/api/hubs/${HUB}/groups/room/connections/no-such-connection`, operation: 'addConnectionToGroup', status: 404 },
    ]);
  });

  it('shows who got what through deliveries and onDelivery, until unsubscribed', async () => {
    const seen: Delivery[] = [];
    const stop = emulator.onDelivery((delivery) => seen.push(delivery));
    const start = emulator.deliveries.length;
    await official.group('room').sendToAll('to the room', { contentType: 'text/plain' });
    await official.sendToConnection(clients.a.connectionId, new Uint8Array([9]));
    expect(seen.map(({ hub, connectionId, userId, source, dataType, data }) => ({ hub, connectionId, userId, source, dataType, data }))).toEqual([
      { hub: HUB, connectionId: clients.b.connectionId, userId: 'bob', source: { from: 'group', group: 'room' }, dataType: 'text', data: 'to the room' },
      { hub: HUB, connectionId: clients.a.connectionId, userId: 'alice', source: { from: 'server' }, dataType: 'binary', data: Buffer.from([9]) },
    ]);
    expect(emulator.deliveries.slice(start)).toEqual(seen);
    stop();
    await official.sendToAll({ unseen: true });
    expect(seen).toHaveLength(2);
    expect(emulator.deliveries.length - start).toBe(4);
  });
});
