import { describe, expect, it } from '@jest/globals';
import { RestError } from '@azure/core-rest-pipeline';
import { WebPubSubRestClient, WebPubSubRestError } from '../../../lib/index.js';
import type { Delivery } from '../../../lib/emulator/index.js';
import { startOfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';
import { closeClients, connectClients, useRestStage } from './rest-harness.js';

/**
 * The emulator's test hooks: injected REST failures (as both clients see them, with and without
 * retries), an outage switch, added latency, dropped client sockets, and the records of REST calls
 * and deliveries.
 */

const HUB = 'faults';
const stage = useRestStage(HUB, [
  { name: 'a', userId: 'alice' },
  { name: 'b', userId: 'bob' },
]);

/** Our client with quick retries, so retried faults do not slow the suite. */
const ours = () =>
  new WebPubSubRestClient(stage.emulator.connectionString, HUB, {
    retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 },
  });
const callsSince = (index: number) =>
  stage.emulator.restCalls.slice(index).map((call) => [call.operation, call.status]);
const failure = (call: () => Promise<unknown>) =>
  call().then(
    () => undefined,
    (error: unknown) => error as RestError,
  );

describe('failNext', () => {
  it('fails the next call for the official client with the status, error code and Retry-After', async () => {
    stage.emulator.faults.failNext(1, { status: 503, retryAfterSeconds: 7 });
    const error = await failure(() => stage.service.sendToAll({ x: 1 }));
    expect(error).toBeInstanceOf(RestError);
    expect([error!.statusCode, error!.code]).toEqual([503, 'Error.InjectedFault']);
    expect(error!.response?.headers.get('retry-after')).toBe('7');
    await stage.service.sendToAll({ x: 2 });
    expect(stage.emulator.restCalls.at(-1)).toMatchObject({ operation: 'sendToAll', status: 202 });
  });

  it('lets our client recover from two injected 503s, delivering the message once', async () => {
    stage.emulator.faults.failNext(2, { status: 503 });
    const [calls, deliveries] = [stage.emulator.restCalls.length, stage.emulator.deliveryCount];
    await ours().sendToUser('alice', { once: true });
    expect(callsSince(calls)).toEqual([
      ['sendToUser', 503],
      ['sendToUser', 503],
      ['sendToUser', 202],
    ]);
    expect(stage.emulator.deliveryCount - deliveries).toBe(1);
    await stage.clients.a.waitData({ once: true });
  });

  it('fails our client with WebPubSubRestError once the retries run out', async () => {
    stage.emulator.faults.failNext(5, { status: 500 });
    const client = new WebPubSubRestClient(stage.emulator.connectionString, HUB, {
      retryOptions: { maxRetries: 2, retryDelayInMs: 5 },
    });
    const error = await failure(() => client.sendToAll({}));
    expect(error).toBeInstanceOf(WebPubSubRestError);
    expect([error!.statusCode, error!.code]).toEqual([500, 'Error.InjectedFault']);
    // 1 try + 2 retries took three of the five faults; two remain for the next calls.
    await expect(failure(() => stage.service.sendToAll({}))).resolves.toMatchObject({ statusCode: 500 });
  });

  it('retries a 429 only after its Retry-After', async () => {
    stage.emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const calls = stage.emulator.restCalls.length;
    const started = Date.now();
    await ours().sendToAll({ throttled: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(callsSince(calls)).toEqual([
      ['sendToAll', 429],
      ['sendToAll', 202],
    ]);
  });

  it('failNext(0) fails nothing', async () => {
    stage.emulator.faults.failNext(0, { status: 500 });
    await stage.service.sendToAll({});
    expect(stage.emulator.restCalls.at(-1)).toMatchObject({ operation: 'sendToAll', status: 202 });
  });

  it('limits a fault to one operation when asked', async () => {
    stage.emulator.faults.failNext(1, { status: 500, operation: 'sendToUser' });
    const calls = stage.emulator.restCalls.length;
    await stage.service.sendToAll({});
    await expect(stage.service.userExists('alice')).resolves.toBe(true);
    expect((await failure(() => stage.service.sendToUser('alice', {})))?.statusCode).toBe(500);
    await stage.service.sendToUser('alice', {});
    expect(callsSince(calls)).toEqual([
      ['sendToAll', 202],
      ['userExists', 200],
      ['sendToUser', 500],
      ['sendToUser', 202],
    ]);
  });
});

describe('serviceDown / serviceUp', () => {
  it('fails every call, health included, until the service is up again', async () => {
    stage.emulator.faults.serviceDown();
    expect((await failure(() => stage.service.sendToAll({})))?.statusCode).toBe(503);
    expect((await failure(() => stage.service.connectionExists(stage.clients.a.connectionId)))?.statusCode).toBe(503);
    const health = await fetch(`${stage.emulator.endpoint}/api/health`, { method: 'HEAD' });
    expect(health.status).toBe(503);
    stage.emulator.faults.serviceDown({ status: 500 });
    expect((await failure(() => stage.service.sendToAll({})))?.statusCode).toBe(500);
    stage.emulator.faults.serviceUp();
    await expect(stage.service.connectionExists(stage.clients.a.connectionId)).resolves.toBe(true);
  });
});

describe('setLatency', () => {
  it('holds calls back: still pending after a short while, answered afterwards in order', async () => {
    stage.emulator.faults.setLatency(400);
    const order: string[] = [];
    const slow = stage.service.sendToAll({ slow: 1 }).then(() => order.push('first'));
    const second = stage.service.sendToAll({ slow: 2 }).then(() => order.push('second'));
    const early = await Promise.race([
      slow.then(() => 'answered'),
      new Promise((resolve) => setTimeout(resolve, 100, 'pending')),
    ]);
    expect(early).toBe('pending');
    expect(stage.clients.a.received).not.toContainEqual({ slow: 1 });
    await Promise.all([slow, second]);
    expect(order.sort()).toEqual(['first', 'second']);
    stage.emulator.faults.setLatency(0);
    const fast = await Promise.race([
      stage.service.sendToAll({}).then(() => 'answered'),
      new Promise((resolve) => setTimeout(resolve, 300, 'pending')),
    ]);
    expect(fast).toBe('answered');
  });
});

describe('dropClients', () => {
  it('terminates matching sockets without a close frame; the emulator forgets non-reliable ones', async () => {
    const extra = await connectClients(stage.service, [
      { name: 'c', userId: 'carol' },
      { name: 'd', userId: 'dave' },
    ]);
    expect(stage.emulator.faults.dropClients({ hub: HUB, userId: 'carol' })).toBe(1);
    expect(await extra.c.waitClosed()).toBe(1006);
    await waitFor(() => !stage.emulator.connections(HUB).some((info) => info.userId === 'carol'), 'carol to be gone');
    expect(await stage.service.userExists('dave')).toBe(true);
    expect(stage.emulator.faults.dropClients({ connectionId: 'no-such-connection' })).toBe(0);
    await closeClients(extra);
  });

  it('lets a reliable official client recover the same connection and get later messages', async () => {
    const { url } = await stage.service.getClientAccessToken({ userId: 'rita' });
    const client = await startOfficialClient(url);
    const { connectionId } = client;
    expect(stage.emulator.faults.dropClients({ userId: 'rita' })).toBe(1);
    await waitFor(
      () => stage.emulator.connections(HUB).find((info) => info.connectionId === connectionId)?.open === false,
      'the drop to be noticed',
    );
    await waitFor(
      () => stage.emulator.connections(HUB).find((info) => info.connectionId === connectionId)?.open,
      'the connection to be recovered',
      5000,
    );
    await stage.service.sendToUser('rita', { after: 'drop' });
    await waitFor(() => client.server.length === 1, 'the message after recovery');
    expect(client.server.map((message) => message.data)).toEqual([{ after: 'drop' }]);
    await client.stop();
    // A stopped reliable client may be kept for recovery; end it for good so later tests see two clients.
    await stage.service.closeConnection(connectionId);
    expect(stage.emulator.connections(HUB).some((info) => info.connectionId === connectionId)).toBe(false);
  });
});

describe('restCalls and deliveries', () => {
  it('records each REST call with its operation and status', async () => {
    const calls = stage.emulator.restCalls.length;
    await stage.service.group('room').addConnection(stage.clients.b.connectionId);
    await stage.service.groupExists('empty-room');
    await failure(() => stage.service.group('room').addConnection('no-such-connection'));
    expect(stage.emulator.restCalls.slice(calls)).toEqual([
      {
        method: 'PUT',
        path: `/api/hubs/${HUB}/groups/room/connections/${stage.clients.b.connectionId}`,
        operation: 'addConnectionToGroup',
        status: 200,
      },
      { method: 'HEAD', path: `/api/hubs/${HUB}/groups/empty-room`, operation: 'groupExists', status: 404 },
      {
        method: 'PUT',
        path: `/api/hubs/${HUB}/groups/room/connections/no-such-connection`,
        operation: 'addConnectionToGroup',
        status: 404,
      },
    ]);
  });

  it('shows who got what through deliveries and onDelivery, until unsubscribed', async () => {
    const seen: Delivery[] = [];
    const stop = stage.emulator.onDelivery((delivery) => seen.push(delivery));
    const start = stage.emulator.deliveries.length;
    await stage.service.group('room').sendToAll('to the room', { contentType: 'text/plain' });
    await stage.service.sendToConnection(stage.clients.a.connectionId, new Uint8Array([9]));
    expect(
      seen.map(({ hub, connectionId, userId, source, dataType, data }) => ({
        hub,
        connectionId,
        userId,
        source,
        dataType,
        data,
      })),
    ).toEqual([
      {
        hub: HUB,
        connectionId: stage.clients.b.connectionId,
        userId: 'bob',
        source: { from: 'group', group: 'room' },
        dataType: 'text',
        data: 'to the room',
      },
      {
        hub: HUB,
        connectionId: stage.clients.a.connectionId,
        userId: 'alice',
        source: { from: 'server' },
        dataType: 'binary',
        data: Buffer.from([9]),
      },
    ]);
    expect(stage.emulator.deliveries.slice(start)).toEqual(seen);
    stop();
    await stage.service.sendToAll({ unseen: true });
    expect(seen).toHaveLength(2);
    expect(stage.emulator.deliveries.length - start).toBe(4);
  });
});
