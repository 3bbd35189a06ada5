import { beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import type { OfficialClient } from '../support/official-client.js';
import { waitFor } from '../support/wait-for.js';
import {
  duplicates,
  groupIds,
  postJson,
  RoomsController,
  runPool,
  watchPeaks,
  secretsIn,
  awaitMarker,
  useReliabilityStage,
  type Outcome,
  type ReliabilityApp,
} from './reliability-harness.js';

/*
 * Background delivery while Web PubSub is down, then back. The app keeps answering; broadcasting
 * routes are slowed only by the bounded queue's backpressure (never more than the queue holds is
 * pending), each lost broadcast is logged once with its route and target and no secret, and once
 * the service is back, new broadcasts reach the connected client again, exactly once.
 */

/** A route without a broadcast: backpressure must not touch it. */
@Controller('rooms')
class PingController {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}

const QUEUE_LIMIT = 20;
const CONCURRENCY = 2;
const MAX_RETRIES = 2;
const OUTAGE_LATENCY_MS = 5;
const OUTAGE_MESSAGES = 100;
const IN_FLIGHT = 16;
/**
 * The longest any response may take during the outage. A response waits for room in the queue:
 * at most QUEUE_LIMIT waiting + the IN_FLIGHT requests ahead of it, drained CONCURRENCY at a time,
 * each failing after 1 + MAX_RETRIES attempts of ~OUTAGE_LATENCY_MS + ≤ 5 ms retry delay:
 * (20 + 16) / 2 × 3 × ~12 ms ≈ 0.65 s. Twice that leaves room for a slow machine; a hang (a send
 * that never fails, a queue that never frees room) runs into it.
 */
const RESPONSE_CEILING_MS = 1500;
const ROUTE = 'RoomsController.create';
const TARGET = 'group "lobby" of hub "chat"';

describe('service outage with background delivery', () => {
  const stage = useReliabilityStage();
  let current: ReliabilityApp;
  let receiver: OfficialClient;

  beforeAll(async () => {
    current = await stage.startApp([RoomsController, PingController], {
      // Errors and retried attempts are logged too, so the secret check covers the HTTP lines.
      httpLogging: 'errors',
      broadcast: { delivery: 'background', queueLimit: QUEUE_LIMIT, concurrency: CONCURRENCY },
      // A dead service fails a send fast: 3 attempts, at most 5 ms apart.
      retryOptions: { maxRetries: MAX_RETRIES, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
    });
    receiver = await stage.connectReceiver(current.service, 'member', ['lobby']);
  });

  const post = (id: string) => postJson(`${current.url}/rooms/lobby/messages`, { id });
  const broadcastFailures = () => current.logs.errors().filter((line) => line.startsWith('Broadcast of '));

  it('keeps answering while the service is down, bounded by the queue, and delivers again once it is back', async () => {
    const { service, logs } = current;
    const queue = current.context.backgroundQueue;
    const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

    // Healthy first: the same route delivers, so what follows is the outage's doing.
    for (const outcome of await runPool(5, 5, (i) => post(`before-${i}`))) expect(outcome.status).toBe(201);
    await queue.drain();
    await awaitMarker(service, receiver, 'lobby', 'before');
    expect(groupIds(receiver).sort()).toEqual(ids('before', 5));

    // Down. Each failing send is slowed a little, so requests outpace the queue and fill it.
    stage.emulator.faults.serviceDown({ status: 503 });
    stage.emulator.faults.setLatency(OUTAGE_LATENCY_MS);
    const callsBefore = stage.emulator.restCalls.length;
    const watcher = watchPeaks(() => ({ size: queue.size, blocked: queue.blockedCount }));
    const outageIds = ids('down', OUTAGE_MESSAGES);
    let answered = 0;
    /** At each response: how many were answered, and how many queued sends had failed (logged) by then. */
    const atResponse: Array<{ answered: number; failed: number }> = [];
    let loadDone = false;
    const load = runPool(OUTAGE_MESSAGES, IN_FLIGHT, async (i): Promise<Outcome> => {
      const outcome = await post(outageIds[i]);
      atResponse.push({ answered: ++answered, failed: broadcastFailures().length });
      return outcome;
    }).finally(() => (loadDone = true));

    // While broadcasting routes wait for room, a plain route answers at once.
    await waitFor(() => queue.blockedCount > 0, 'a broadcasting request to wait for room');
    const ping = await fetch(`${current.url}/rooms/ping`);
    expect(ping.status).toBe(200);
    expect(loadDone).toBe(false);

    const outcomes = await load;
    await queue.drain();
    await watcher.stop();

    // Every request was answered, 2xx, with its own result, and none hung.
    expect(outcomes.filter((outcome) => outcome.status !== 201)).toEqual([]);
    expect(outcomes.map((outcome) => (outcome.body as { id: string }).id)).toEqual(outageIds);
    expect(Math.max(...outcomes.map((outcome) => outcome.ms))).toBeLessThan(RESPONSE_CEILING_MS);

    // Bounded: never more than queueLimit waiting + concurrency sending; the limit was reached, and
    // requests then waited for room (backpressure) rather than piling up in memory.
    expect(watcher.peaks.size).toBe(QUEUE_LIMIT + CONCURRENCY);
    expect(watcher.peaks.blocked).toBeGreaterThan(0);
    // A response means its broadcast is queued: answered − failed never exceeds what the queue holds.
    for (const { answered: done, failed } of atResponse)
      expect(done - failed).toBeLessThanOrEqual(QUEUE_LIMIT + CONCURRENCY);

    // Each outage broadcast failed after all its attempts and was logged exactly once.
    const sends = stage.emulator.restCalls.slice(callsBefore).filter((call) => call.operation === 'sendToGroup');
    expect(sends).toHaveLength(OUTAGE_MESSAGES * (1 + MAX_RETRIES));
    expect(sends.every((call) => call.status === 503)).toBe(true);
    const failures = broadcastFailures();
    expect(failures).toHaveLength(OUTAGE_MESSAGES);
    for (const line of failures)
      expect(line).toMatch(new RegExp(`^Broadcast of ${ROUTE} to ${TARGET} failed: .*HTTP 503`));
    expect(secretsIn(logs.text(), stage.emulator.connectionString)).toEqual([]);
    expect(queue.size).toBe(0);

    // Back up: new broadcasts are delivered again, each exactly once; nothing from the outage
    // arrives late (it was reported as failed, so it must not also be delivered).
    stage.emulator.faults.clear();
    const afterIds = ids('after', 20);
    for (const outcome of await runPool(afterIds.length, IN_FLIGHT, (i) => post(afterIds[i])))
      expect(outcome.status).toBe(201);
    await queue.drain();
    await awaitMarker(service, receiver, 'lobby', 'after');
    const received = groupIds(receiver);
    expect(duplicates(received)).toEqual([]);
    expect(received.sort()).toEqual([...ids('before', 5), ...afterIds].sort());
    expect(broadcastFailures()).toHaveLength(OUTAGE_MESSAGES);
  });
});
