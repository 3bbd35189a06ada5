import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { WebPubSubGatewayOptions, WebPubSubServer, WebPubSubSocket } from '../../lib/gateway/index.js';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { waitFor } from '../support/wait-for.js';

const GROUPS = Array.from({ length: 1000 }, (_, n) => `group-number-${n}`);

/** Records the socket objects each callback got; broadcasts to many groups. */
@WebSocketGateway<WebPubSubGatewayOptions>({ hub: 'chat', maxSockets: 2 })
class SmallGateway {
  static connected = new Map<string, object>();
  static disconnected = new Map<string, object>();
  @WebSocketServer() server!: WebPubSubServer;

  handleConnection(socket: WebPubSubSocket): void {
    SmallGateway.connected.set(socket.id, socket);
  }

  handleDisconnect(socket: WebPubSubSocket): void {
    SmallGateway.disconnected.set(socket.id, socket);
  }

  @SubscribeMessage('join')
  async join(@MessageBody() group: string, @ConnectedSocket() socket: WebPubSubSocket): Promise<unknown> {
    await socket.join(group);
    return { event: 'joined', data: group };
  }

  @SubscribeMessage('many')
  async many(@MessageBody() except: string): Promise<unknown> {
    await this.server.to(GROUPS).except(except).emit('to-many', 1);
    return { event: 'sent', data: GROUPS.length };
  }
}

@WebSocketGateway<WebPubSubGatewayOptions>({ hub: 'chat', maxSockets: 0 })
class BadBoundGateway {}

describe('sockets per hub and broadcasts to many groups', () => {
  const driver = new WebPubSubDriver('express');
  beforeAll(() => driver.start(SmallGateway));
  afterAll(() => driver.stop());

  /** Issue 23, point 7: the bound is an option; within it the socket object stays, beyond it it is documented to change. */
  it('`maxSockets`: the least recently active connection past the bound gets a new socket object, the others keep theirs', async () => {
    const first = await driver.connect('a');
    const second = await driver.connect('b');
    const third = await driver.connect('c');
    const ids = [first, second, third].map((client) => client.official.connectionId);
    await waitFor(() => ids.every((id) => SmallGateway.connected.has(id)), 'handleConnection of all three');
    await first.close();
    await third.close();
    await waitFor(() => SmallGateway.disconnected.has(ids[0]) && SmallGateway.disconnected.has(ids[2]), 'two leaves');
    // Compared as booleans: a failed toBe would print the sockets, their REST client included.
    expect(SmallGateway.disconnected.get(ids[0]) === SmallGateway.connected.get(ids[0])).toBe(false);
    expect(SmallGateway.disconnected.get(ids[2]) === SmallGateway.connected.get(ids[2])).toBe(true);
  });

  /** Issue 23, point 12: `to(1,000 groups)` goes in several calls below the URL limit, `except` applying to each. */
  it('`to(1,000 groups).except(id).emit()`: members get it once, the excluded connection and outsiders not at all', async () => {
    const member = await driver.connect('member');
    const excluded = await driver.connect('excluded');
    const outsider = await driver.connect('outsider');
    await member.request('join', GROUPS[999], 'joined');
    await excluded.request('join', GROUPS[700], 'joined');
    const before = driver.emulator!.restCalls.length;
    expect(await outsider.request('many', excluded.official.connectionId, 'sent')).toEqual({
      event: 'sent',
      data: 1000,
    });
    await waitFor(() => member.frames.some((frame) => frame.event === 'to-many'), 'the message to the member');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sends = driver.emulator!.restCalls.slice(before).filter((call) => call.operation === 'sendToAll');
    expect(sends.length).toBeGreaterThan(1);
    expect(sends.every((call) => call.status === 202)).toBe(true);
    expect(member.frames.filter((frame) => frame.event === 'to-many')).toHaveLength(1);
    expect(excluded.frames.filter((frame) => frame.event === 'to-many')).toHaveLength(0);
    expect(outsider.frames.filter((frame) => frame.event === 'to-many')).toHaveLength(0);
  });

  it('an `except()` list too long for one URL fails before any call, naming the fix', () => {
    const server = driver.app!.get(SmallGateway).server;
    const ids = Array.from({ length: 300 }, (_, n) => `connection-${String(n).padStart(11, '0')}`);
    const before = driver.emulator!.restCalls.length;
    expect(() => server.to(GROUPS.slice(0, 3)).except(ids).emit('to-many', 1)).toThrow(
      /except\(\) names 300 connections.*Exclude fewer connections/,
    );
    expect(driver.emulator!.restCalls.length).toBe(before);
  });

  it('an un-awaited `to(1,000 groups).emit()` whose calls fail: logged, never an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      driver.emulator!.faults.failNext(2, { status: 403, operation: 'sendToAll' });
      void driver.app!.get(SmallGateway).server.to(GROUPS).emit('to-many', 2);
      await waitFor(
        () => driver.logs.lines.filter((line) => line.level === 'error' && line.message.includes('403')).length >= 2,
        'two failures logged',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      driver.emulator!.faults.clear();
    }
  });
});

/** Last: a second app replaces Nest's global logger, so the logs of the first would go to it. */
describe('maxSockets at startup', () => {
  it('a bound that is not a positive integer is refused at startup, naming the option', async () => {
    const other = new WebPubSubDriver('express');
    const failure = await other.start(BadBoundGateway).then(
      () => undefined,
      (error: unknown) => error,
    );
    await other.stop().catch(() => undefined);
    expect(String(failure)).toContain('maxSockets');
    expect(String(failure)).toContain('BadBoundGateway');
  });
});
