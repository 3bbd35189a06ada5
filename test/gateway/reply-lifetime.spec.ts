import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConnectedSocket, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { finalize, interval, map, NEVER, Subject, type Observable } from 'rxjs';
import type { WebPubSubSocket } from '../../lib/gateway/index.js';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { waitFor } from '../support/wait-for.js';

/** Replies that never end by themselves; each records when its subscription ends. */
@WebSocketGateway({ hub: 'chat' })
class EndlessGateway {
  static ended: string[] = [];
  static ticks = 0;
  /** Emits only when something changes: nothing, here. */
  static readonly updates = new Subject<unknown>();

  @SubscribeMessage('ticks')
  ticks(@ConnectedSocket() socket: WebPubSubSocket): Observable<unknown> {
    return interval(50).pipe(
      map((n) => (EndlessGateway.ticks++, { event: 'tick', data: n })),
      finalize(() => EndlessGateway.ended.push(`ticks ${socket.id}`)),
    );
  }

  @SubscribeMessage('never')
  never(@ConnectedSocket() socket: WebPubSubSocket): Observable<unknown> {
    return NEVER.pipe(finalize(() => EndlessGateway.ended.push(`never ${socket.id}`)));
  }

  @SubscribeMessage('updates')
  updates(@ConnectedSocket() socket: WebPubSubSocket): Observable<unknown> {
    return EndlessGateway.updates.pipe(finalize(() => EndlessGateway.ended.push(`updates ${socket.id}`)));
  }
}

const ticksOf = (frames: Array<{ event: string }>) => frames.filter((frame) => frame.event === 'tick').length;

/** Issue 23, point 2: an Observable reply ends with its connection (as Nest's ws adapter's takeUntil on close). */
describe('Observable replies end with their connection', () => {
  const driver = new WebPubSubDriver('express');
  beforeAll(() => driver.start(EndlessGateway));
  afterAll(() => driver.stop());

  it('on `disconnected`: the subscription ends and no later value is sent', async () => {
    const client = await driver.connect('leaver');
    const id = client.official.connectionId;
    expect(await client.request('ticks', {}, 'tick')).toEqual({ event: 'tick', data: 0 });
    await waitFor(() => ticksOf(client.frames) >= 3, 'three ticks');
    await client.close();
    await waitFor(() => EndlessGateway.ended.includes(`ticks ${id}`), 'the reply to end after `disconnected`');
    const after = EndlessGateway.ticks;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(EndlessGateway.ticks).toBe(after);
  });
});

/**
 * Express only: on Fastify, app.close() hangs (over 15 s) once the service gave up on any user event
 * answered late, gateway or event handler class alike (reported with issue 23; lib/events' route).
 */
describe('an Observable reply with no first value at the upstream timeout', () => {
  const driver = new WebPubSubDriver('express', {}, { upstreamTimeoutMs: 400 });
  beforeAll(() => driver.start(EndlessGateway));
  afterAll(() => driver.stop());

  it('ends when the service gives up on the request', async () => {
    const client = await driver.connect('waiter');
    const id = client.official.connectionId;
    await client.official.client.sendEvent('updates', {}, 'json').catch(() => undefined);
    await waitFor(
      () => EndlessGateway.ended.includes(`updates ${id}`),
      'the reply to end after the upstream timeout',
      3000,
    );
    expect(EndlessGateway.updates.observed).toBe(false);
  });
});

describe('Observable replies end on app.close()', () => {
  const driver = new WebPubSubDriver('express');
  beforeAll(() => driver.start(EndlessGateway));
  afterAll(() => driver.stop());

  it('an interval and a NEVER reply end, and app.close() does not wait for them', async () => {
    const client = await driver.connect('stayer');
    const id = client.official.connectionId;
    await client.request('ticks', {}, 'tick');
    void client.official.client.sendEvent('never', {}, 'json').catch(() => undefined);
    await waitFor(() => ticksOf(client.frames) >= 2, 'two ticks');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await driver.app!.close();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(EndlessGateway.ended).toEqual(expect.arrayContaining([`ticks ${id}`, `never ${id}`]));
    const after = EndlessGateway.ticks;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(EndlessGateway.ticks).toBe(after);
  }, 10_000);
});
