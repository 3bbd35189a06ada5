import { describe, expect, it } from '@jest/globals';
import { Body, Controller, Post } from '@nestjs/common';
import request from 'supertest';
import { BroadcastToHub, type BroadcastDefaults } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { accepted, useDeliveryStage } from './delivery-harness.js';

/*
 * `await` vs `background` delivery, seen from the client of the route: with a slow service (emulator
 * latency), an awaited broadcast has been accepted by the time the response arrives; a background one
 * has not, and arrives later.
 */

@Controller('news')
class NewsController {
  /** Follows the module's default delivery. */
  @Post()
  @BroadcastToHub()
  publish(@Body() body: { text: string }) {
    return { kind: 'default', text: body.text };
  }

  @Post('awaited')
  @BroadcastToHub({ delivery: 'await' })
  publishAwaited(@Body() body: { text: string }) {
    return { kind: 'awaited', text: body.text };
  }

  @Post('background')
  @BroadcastToHub({ delivery: 'background' })
  publishInBackground(@Body() body: { text: string }) {
    return { kind: 'background', text: body.text };
  }
}

const LATENCY_MS = 300;

describe('broadcast delivery modes', () => {
  const stage = useDeliveryStage();

  /** Starts the app, connects a receiver, then slows the service down. */
  async function setUp(broadcast: BroadcastDefaults = {}) {
    const current = await stage.startApp([NewsController], { broadcast });
    const receiver = await stage.connectReceiver(current.service, 'reader');
    stage.emulator.faults.setLatency(LATENCY_MS);
    return { ...current, receiver, sent: () => accepted(stage.emulator, 'sendToAll') };
  }

  it('defaults to await delivery and onError throw, with a bounded queue', async () => {
    const { context } = await setUp();
    expect(context.broadcastDefaults).toEqual({
      delivery: 'await',
      onError: 'throw',
      queueLimit: 1000,
      concurrency: 4,
      shutdownTimeoutInMs: 10_000,
    });
    expect(context.backgroundQueue.limit).toBe(1000);
    expect(context.backgroundQueue.concurrency).toBe(4);
  });

  it('await: the response comes after Web PubSub accepted the message', async () => {
    const { app, sent, receiver, context } = await setUp();
    const before = sent();
    await request(app.getHttpServer()).post('/news').send({ text: 'a1' }).expect(201, { kind: 'default', text: 'a1' });
    // Accepted (202) and delivered to the connection before the route answered.
    expect(sent()).toBe(before + 1);
    expect(
      stage.emulator.deliveries
        .filter((d) => d.connectionId === receiver.connectionId)
        .map((d) => JSON.parse(d.data as string)),
    ).toEqual([{ kind: 'default', text: 'a1' }]);
    expect(context.backgroundQueue.size).toBe(0);
    await waitFor(() => receiver.server.length === 1, 'the receiver to get the awaited message');
    expect(receiver.server[0]).toMatchObject({
      kind: 'serverData',
      dataType: 'json',
      data: { kind: 'default', text: 'a1' },
    });
  });

  it('background: the response comes before the send finishes; the message still arrives', async () => {
    const { app, sent, receiver, context, logs } = await setUp({ delivery: 'background' });
    const before = sent();
    await request(app.getHttpServer()).post('/news').send({ text: 'b1' }).expect(201, { kind: 'default', text: 'b1' });
    expect(sent()).toBe(before);
    expect(context.backgroundQueue.size).toBe(1);
    await waitFor(() => receiver.server.length === 1, 'the background message to arrive');
    expect(receiver.server.map((message) => message.data)).toEqual([{ kind: 'default', text: 'b1' }]);
    await waitFor(() => context.backgroundQueue.size === 0, 'the queue to empty');
    expect(sent()).toBe(before + 1);
    expect(logs.errors()).toEqual([]);
  });

  it('a decorator’s delivery overrides the module default, either way', async () => {
    const { app, sent, receiver } = await setUp({ delivery: 'background' });
    const before = sent();
    await request(app.getHttpServer()).post('/news/awaited').send({ text: 'o1' }).expect(201);
    expect(sent()).toBe(before + 1);
    await stage.closeApp(app);

    // Module default await, decorator background: the response does not wait.
    const second = await stage.startApp([NewsController]);
    await request(second.app.getHttpServer())
      .post('/news/background')
      .send({ text: 'o2' })
      .expect(201, { kind: 'background', text: 'o2' });
    expect(sent()).toBe(before + 1);
    expect(second.context.backgroundQueue.size).toBe(1);
    await waitFor(() => receiver.server.length === 2, 'both messages to arrive');
    expect(receiver.server.map((message) => message.data)).toEqual([
      { kind: 'awaited', text: 'o1' },
      { kind: 'background', text: 'o2' },
    ]);
  });
});
