import { describe, expect, it } from '@jest/globals';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { map, range, type Observable } from 'rxjs';
import type { WebPubSubServer, WebPubSubSocket } from '../../lib/gateway/index.js';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { instanceContext } from '../support/instance-context.js';
import { waitFor } from '../support/wait-for.js';

/** Sends a gateway starts and does not await: `flood` emits to a room, `stream` replies with many values. */
@WebSocketGateway({ hub: 'chat' })
class BusyGateway {
  @WebSocketServer() server!: WebPubSubServer;

  @SubscribeMessage('join')
  async join(@ConnectedSocket() socket: WebPubSubSocket): Promise<{ event: string; data: null }> {
    await socket.join('room');
    return { event: 'joined', data: null };
  }

  @SubscribeMessage('flood')
  flood(@MessageBody() count: number): { event: string; data: number } {
    for (let n = 0; n < count; n++) void this.server.to('room').emit('flood', n);
    return { event: 'flooding', data: count };
  }

  @SubscribeMessage('stream')
  stream(@MessageBody() count: number): Observable<unknown> {
    return range(0, count).pipe(map((n) => ({ event: 'value', data: n })));
  }
}

const groupSends = (driver: WebPubSubDriver) =>
  driver.emulator!.restCalls.filter((call) => call.path.endsWith('/groups/room/:send')).length;

/** Issue 23, point 3: app.close() waits for gateway sends already started, up to broadcast.shutdownTimeoutInMs. */
describe('gateway sends at shutdown', () => {
  it('un-awaited `to(room).emit()`s: all sent before app.close() resolves', async () => {
    const driver = new WebPubSubDriver('express');
    try {
      await driver.start(BusyGateway);
      const client = await driver.connect('member');
      await client.request('join', null, 'joined');
      driver.emulator!.faults.setLatency(100);
      await client.request('flood', 200, 'flooding');
      await driver.app!.close();
      expect(groupSends(driver)).toBe(200);
    } finally {
      driver.emulator?.faults.clear();
      await driver.stop();
    }
  }, 20_000);

  it('a service slower than shutdownTimeoutInMs: close resolves in time and one line counts what was not delivered', async () => {
    const driver = new WebPubSubDriver('express', { broadcast: { shutdownTimeoutInMs: 300 } });
    try {
      await driver.start(BusyGateway);
      const client = await driver.connect('member');
      await client.request('join', null, 'joined');
      driver.emulator!.faults.setLatency(1200);
      await client.request('flood', 20, 'flooding');
      const started = Date.now();
      await driver.app!.close();
      expect(Date.now() - started).toBeLessThan(1000);
      const lines = driver.logs.lines.filter(
        (line) => /gateway sends?/i.test(line.message) && line.message.includes('20'),
      );
      expect(lines.map((line) => line.level)).toEqual(['error']);
      // The emulator still answers the aborted calls (its latency timers): let them land before it stops.
      await waitFor(() => groupSends(driver) >= 20 || undefined, 'the aborted calls to land', 3000);
    } finally {
      driver.emulator?.faults.clear();
      await driver.stop();
    }
  }, 20_000);

  it('an Observable reply of 3,000 values: nothing is sent after close resolves, and what was not is counted', async () => {
    const driver = new WebPubSubDriver('express', { broadcast: { shutdownTimeoutInMs: 300 } });
    try {
      await driver.start(BusyGateway);
      const client = await driver.connect('reader');
      await client.request('stream', 3000, 'value');
      await driver.app!.close();
      const sentAtClose = driver.emulator!.restCalls.filter((call) => call.operation === 'sendToConnection').length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const sentLater = driver.emulator!.restCalls.filter((call) => call.operation === 'sendToConnection').length;
      // At most the one call in flight when the wait ran out may still land.
      expect(sentLater - sentAtClose).toBeLessThanOrEqual(1);
      const line = driver.logs.lines.find((entry) => /gateway sends? (were|was) not delivered/i.test(entry.message));
      const dropped = Number(/(\d+) gateway send/i.exec(line?.message ?? '')?.[1] ?? 0);
      expect(sentAtClose + dropped).toBeGreaterThanOrEqual(2999);
    } finally {
      await driver.stop();
    }
  }, 20_000);

  it('a background broadcast and gateway sends both held by a slow service: one shutdownTimeoutInMs in all, both counted', async () => {
    const LIMIT_MS = 600;
    const driver = new WebPubSubDriver('express', { broadcast: { shutdownTimeoutInMs: LIMIT_MS } });
    try {
      await driver.start(BusyGateway);
      const client = await driver.connect('member');
      await client.request('join', null, 'joined');
      driver.emulator!.faults.setLatency(3000);
      await client.request('flood', 5, 'flooding');
      // A background broadcast in flight too: the instance's flush waits for it before the gateway closes.
      const context = instanceContext(driver.app!);
      void context.backgroundQueue.enqueue(() => context.client.sendToAll({ n: 1 }), undefined, 'the slow one');
      const started = Date.now();
      await driver.app!.close();
      const took = Date.now() - started;
      // One bound for the whole close, not one per waiter (before: the gateway waited a second LIMIT_MS).
      expect(took).toBeGreaterThanOrEqual(LIMIT_MS - 50);
      expect(took).toBeLessThan(LIMIT_MS + 350);
      const messages = driver.logs.lines.map((line) => `${line.level}: ${line.message}`);
      expect(messages).toContainEqual(expect.stringMatching(/^warn: 1 background broadcast was still being sent/));
      expect(messages).toContainEqual(expect.stringMatching(/^error: 5 gateway sends were not delivered/));
      await waitFor(() => groupSends(driver) >= 5 || undefined, 'the aborted calls to land', 5000);
    } finally {
      driver.emulator?.faults.clear();
      await driver.stop();
    }
  }, 20_000);
});
