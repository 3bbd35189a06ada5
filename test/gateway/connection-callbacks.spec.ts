import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { WebPubSubSocket } from '../../lib/gateway/index.js';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { waitFor } from '../support/wait-for.js';

/** handleConnection / handleDisconnect that fail in every way app code can, chosen by the user id. */
@WebSocketGateway({ hub: 'chat' })
class FragileGateway {
  static connections: string[] = [];
  static disconnects: string[] = [];

  handleConnection(socket: WebPubSubSocket): unknown {
    FragileGateway.connections.push(socket.id);
    switch (socket.userId) {
      case 'sync-throw':
        throw new Error('handleConnection threw');
      case 'rejects':
        return Promise.reject(new Error('handleConnection rejected'));
      case 'non-error':
        return Promise.reject({ code: 42, secret: 'not-for-logs' });
      case 'sends':
        // The README's own code: the send fails (a 500, no retries) and rejects with onError 'throw'.
        return (async () => await socket.send('welcome', { you: socket.userId }))();
      default:
        return undefined;
    }
  }

  handleDisconnect(socket: WebPubSubSocket): unknown {
    FragileGateway.disconnects.push(socket.id);
    if (socket.userId === 'bye-rejects') return Promise.reject(new Error('handleDisconnect rejected'));
    if (socket.userId === 'bye-throws') throw new Error('handleDisconnect threw');
    return undefined;
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'echo', data };
  }
}

/** Issue 23, point 1: a failing connection callback is logged with the connection id; the app keeps serving. */
describe('gateway connection callbacks that fail', () => {
  const driver = new WebPubSubDriver('express', { retryOptions: { maxRetries: 0 } });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const onUncaught = (error: unknown) => unhandled.push(error);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUncaught);
    await driver.start(FragileGateway);
  });
  afterAll(async () => {
    await driver.stop();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUncaught);
  });
  afterEach(() => driver.emulator!.faults.clear());

  /** Errors logged so far that name `id`. */
  const errorsAbout = (id: string) =>
    driver.logs.lines.filter((line) => line.level === 'error' && String(line.message).includes(id));

  it.each([
    ['throws synchronously', 'sync-throw', 'handleConnection threw'],
    ['rejects', 'rejects', 'handleConnection rejected'],
    ['rejects with a non-Error', 'non-error', 'non-Error'],
    ['awaits a send the service answers with 500 (onError: throw)', 'sends', '500'],
  ])(
    'handleConnection %s: logged with the connection id, the client is closed with a reason, the app keeps serving',
    async (_how, userId, logged) => {
      if (userId === 'sends') driver.emulator!.faults.failNext(1, { status: 500, operation: 'sendToConnection' });
      const client = await driver.connect(userId);
      const id = client.official.connectionId;
      await waitFor(
        () => errorsAbout(id).find((line) => String(line.message).includes('handleConnection')),
        () => `an error naming ${id} and handleConnection; logs: ${JSON.stringify(driver.logs.lines)}`,
      );
      expect(errorsAbout(id).some((line) => String(line.message).includes(logged))).toBe(true);
      expect(JSON.stringify(driver.logs.lines)).not.toContain('not-for-logs');
      // The client learns why it lost its connection.
      const closed = await waitFor(() => client.official.disconnected[0], 'the client to be disconnected');
      expect(closed.message?.message ?? '').toContain('handleConnection');
      // And the app still serves others.
      const other = await driver.connect('fine');
      expect(await other.request('echo', { n: 1 }, 'echo')).toEqual({ event: 'echo', data: { n: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    },
  );

  it.each([
    ['rejects', 'bye-rejects', 'handleDisconnect rejected'],
    ['throws synchronously', 'bye-throws', 'handleDisconnect threw'],
  ])('handleDisconnect %s: logged with the connection id, no crash', async (_how, userId, logged) => {
    const client = await driver.connect(userId);
    const id = client.official.connectionId;
    await client.close();
    await waitFor(() => FragileGateway.disconnects.includes(id), 'handleDisconnect');
    await waitFor(
      () => errorsAbout(id).find((line) => String(line.message).includes(logged)),
      () => `an error naming ${id}; logs: ${JSON.stringify(driver.logs.lines)}`,
    );
    const other = await driver.connect('fine');
    expect(await other.request('echo', 2, 'echo')).toEqual({ event: 'echo', data: 2 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });
});

/** handleConnection and handleDisconnect that never settle. */
@WebSocketGateway({ hub: 'chat' })
class HangingGateway {
  static disconnects: string[] = [];

  handleConnection(): Promise<void> {
    return new Promise(() => undefined);
  }

  handleDisconnect(socket: WebPubSubSocket): Promise<void> {
    HangingGateway.disconnects.push(socket.id);
    return new Promise(() => undefined);
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'echo', data };
  }
}

describe('gateway connection callbacks that never complete', () => {
  const driver = new WebPubSubDriver('express');
  beforeAll(() => driver.start(HangingGateway));
  afterAll(() => driver.stop());

  it('hold up neither the connection, nor its messages, nor other clients, nor app.close()', async () => {
    const hung = await driver.connect('hung');
    expect(await hung.request('echo', 1, 'echo')).toEqual({ event: 'echo', data: 1 });
    const id = hung.official.connectionId;
    await hung.close();
    await waitFor(() => HangingGateway.disconnects.includes(id), 'handleDisconnect');
    const other = await driver.connect('other');
    expect(await other.request('echo', 2, 'echo')).toEqual({ event: 'echo', data: 2 });
    await other.close();
    const started = Date.now();
    await driver.stop();
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
