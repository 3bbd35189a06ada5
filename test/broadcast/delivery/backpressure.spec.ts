import { describe, expect, it } from '@jest/globals';
import { Body, Controller, Post } from '@nestjs/common';
import { from, type Observable } from 'rxjs';
import request from 'supertest';
import { BroadcastToHub } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { accepted, useDeliveryStage } from './delivery-harness.js';

/*
 * Background delivery against a slow service: responses do not wait for sends, the queue stays
 * within queueLimit + concurrency, requests beyond that wait for room (nothing dropped), app.close()
 * sends what is still queued, and one request's Observable emissions arrive in order.
 */

@Controller('ticks')
class TicksController {
  @Post()
  @BroadcastToHub()
  tick(@Body() body: { n: number }) {
    return { n: body.n };
  }

  /** Several emissions of one request: each is broadcast, in order. */
  @Post('burst')
  @BroadcastToHub()
  burst(@Body() body: { count: number }): Observable<{ seq: number }> {
    return from(Array.from({ length: body.count }, (_, i) => ({ seq: i + 1 })));
  }
}

const QUEUE_LIMIT = 3;
const CONCURRENCY = 2;
const REQUESTS = 12;
const LATENCY_MS = 250;

describe('background delivery with a slow service', () => {
  const stage = useDeliveryStage();

  it('stays bounded, makes extra requests wait for room, and app.close() flushes everything exactly once', async () => {
    const current = await stage.startApp([TicksController], {
      broadcast: { delivery: 'background', queueLimit: QUEUE_LIMIT, concurrency: CONCURRENCY },
    });
    const { app, service, logs } = current;
    const receiver = await stage.connectReceiver(service, 'watcher');
    const { backgroundQueue: queue } = current.context;
    const sendsBefore = accepted(stage.emulator, 'sendToAll');
    const finishedSends = () => accepted(stage.emulator, 'sendToAll') - sendsBefore;
    stage.emulator.faults.setLatency(LATENCY_MS);

    // Watch the queue on every turn of the event loop while the requests run.
    let maxSize = 0;
    let maxBlocked = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        maxSize = Math.max(maxSize, queue.size);
        maxBlocked = Math.max(maxBlocked, queue.blockedCount);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    const server = app.getHttpServer();
    // What had been sent when each response arrived.
    const sentAtResponse: number[] = [];
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const response = await request(server)
          .post('/ticks')
          .send({ n: i + 1 });
        sentAtResponse.push(finishedSends());
        return response;
      }),
    );
    watching = false;
    await watcher;

    expect(responses.map((response) => response.status)).toEqual(Array(REQUESTS).fill(201));
    expect(responses.map((response) => response.body.n)).toEqual(Array.from({ length: REQUESTS }, (_, i) => i + 1));
    // Responses did not wait for sends: some came before any send had finished …
    expect(sentAtResponse.filter((sent) => sent === 0).length).toBeGreaterThan(0);
    // … but only as many as the queue holds; every other request waited until a send made room.
    expect(sentAtResponse.filter((sent) => sent === 0).length).toBeLessThanOrEqual(QUEUE_LIMIT + CONCURRENCY);
    expect(maxSize).toBe(QUEUE_LIMIT + CONCURRENCY);
    expect(maxBlocked).toBeGreaterThan(0);

    // Every response is out, yet sends are still queued; close() must send them before returning.
    expect(queue.size).toBeGreaterThan(0);
    expect(finishedSends()).toBeLessThan(REQUESTS);
    await stage.closeApp(app);
    expect(finishedSends()).toBe(REQUESTS);
    expect(queue.size).toBe(0);

    // The receiver got each message once: nothing lost, nothing twice.
    await waitFor(() => receiver.server.length >= REQUESTS, `all ${REQUESTS} messages to arrive`);
    const received = receiver.server.map((message) => (message.data as { n: number }).n).sort((a, b) => a - b);
    expect(received).toEqual(Array.from({ length: REQUESTS }, (_, i) => i + 1));
    expect(logs.errors()).toEqual([]);
  });

  it('keeps one request’s Observable emissions in order, through retries, while other requests run alongside', async () => {
    const current = await stage.startApp([TicksController], {
      broadcast: { delivery: 'background', queueLimit: 50, concurrency: 4 },
    });
    const { app, service } = current;
    const receiver = await stage.connectReceiver(service, 'sequencer');
    stage.emulator.faults.setLatency(5);
    // The first sends fail once and are retried: without per-request ordering, later emissions
    // (sent alongside, concurrency 4) would overtake them.
    stage.emulator.faults.failNext(2, { status: 503, operation: 'sendToAll' });
    const server = app.getHttpServer();
    await Promise.all([
      request(server).post('/ticks/burst').send({ count: 15 }).expect(201),
      request(server).post('/ticks/burst').send({ count: 15 }).expect(201),
    ]);
    await current.context.backgroundQueue.drain();
    await waitFor(() => receiver.server.length >= 30, 'both bursts to arrive');
    // Two requests interleave, but each one's sequence numbers arrive in order (each exactly once).
    const sequences = receiver.server.map((message) => (message.data as { seq: number }).seq);
    const runs: number[][] = [[], []];
    for (const seq of sequences) {
      const run = runs.find((candidate) => candidate.length === seq - 1);
      if (!run) throw new Error(`message ${seq} arrived out of order: ${sequences.join(',')}`);
      run.push(seq);
    }
    expect(runs.map((run) => run.length)).toEqual([15, 15]);
  });
});
