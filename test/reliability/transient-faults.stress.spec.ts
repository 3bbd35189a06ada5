import { beforeAll, describe, expect, it } from '@jest/globals';
import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import type { OfficialClient } from '../support/official-client.js';
import {
  duplicates,
  groupIds,
  postJson,
  RoomsController,
  runPool,
  awaitMarker,
  useReliabilityStage,
  type ReliabilityApp,
} from './reliability-harness.js';

/*
 * 1,000 broadcasts through a decorated route while the emulator answers a seeded ~20% of the sends
 * with 503 and a few with 429 + Retry-After: 1. Every message must reach the connected official
 * client exactly once, the emulator must accept each exactly once, and the retry after each 429 must
 * wait the second the service asked for.
 */

const MESSAGES = 1000;
const IN_FLIGHT = 16;
const FAILURE_RATE = 0.2;
const THROTTLED = 5;
const RETRY_AFTER_SECONDS = 1;

/** One attempt as the client's pipeline saw it (recorded once per try, below the retry policy). */
interface Attempt {
  request: PipelineRequest;
  startedAt: number;
  endedAt: number;
  status?: number;
}

/** A per-retry policy that timestamps every attempt: the retry policy runs above it. */
function attemptRecorder(attempts: Attempt[]): PipelinePolicy {
  return {
    name: 'reliabilityAttemptRecorder',
    async sendRequest(request, next) {
      const attempt: Attempt = { request, startedAt: performance.now(), endedAt: 0 };
      attempts.push(attempt);
      try {
        const response = await next(request);
        attempt.status = response.status;
        return response;
      } finally {
        attempt.endedAt = performance.now();
      }
    },
  };
}

describe('transient faults under load', () => {
  const stage = useReliabilityStage();
  let current: ReliabilityApp;
  let receiver: OfficialClient;
  const attempts: Attempt[] = [];

  beforeAll(async () => {
    current = await stage.startApp([RoomsController], {
      httpLogging: 'errors',
      // With 20% of attempts failing independently, a message is lost only if all 1 + maxRetries
      // attempts fail: 0.2^11 ≈ 2e-8 per message, ≈ 2e-5 over 1,000 (the default 3 retries would
      // lose ~1.6 messages per run: 1000 × 0.2^4). The delays stay tiny (≤ 10 ms) so 1,000 sends with
      // ~250 retries take well under a second; a 429's Retry-After overrides them.
      retryOptions: { maxRetries: 10, retryDelayInMs: 1, maxRetryDelayInMs: 10 },
      clientOptions: { additionalPolicies: [{ policy: attemptRecorder(attempts), position: 'perRetry' }] },
    });
    receiver = await stage.connectReceiver(current.service, 'member', ['lobby']);
  });

  it('delivers 1,000 broadcasts exactly once through 20% 503s and 429s, honouring Retry-After', async () => {
    const callsBefore = stage.emulator.restCalls.length;
    const attemptsBefore = attempts.length;
    stage.emulator.faults.failRandomly(FAILURE_RATE, { status: 503, operation: 'sendToGroup' }, { seed: 20240611 });

    const ids = Array.from({ length: MESSAGES }, (_, i) => `m-${String(i).padStart(4, '0')}`);
    const outcomes = await runPool(MESSAGES, IN_FLIGHT, async (index) => {
      // Mid-run, so the throttled sends mix with the 503s and the others keep going meanwhile.
      if (index === 300)
        stage.emulator.faults.failNext(THROTTLED, {
          status: 429,
          retryAfterSeconds: RETRY_AFTER_SECONDS,
          operation: 'sendToGroup',
        });
      return postJson(`${current.url}/rooms/lobby/messages`, { id: ids[index] });
    });
    stage.emulator.faults.clear();

    // Await delivery (the default): 201 means the emulator accepted the broadcast.
    expect(outcomes.filter((outcome) => outcome.status !== 201)).toEqual([]);
    expect(outcomes.map((outcome) => (outcome.body as { id: string }).id)).toEqual(ids);

    // What the emulator answered: ~20% 503s, exactly the 5 429s, and exactly one 202 per message
    // (a send retried after it had been accepted would show as a 1,001st 202).
    const statuses = stage.emulator.restCalls
      .slice(callsBefore)
      .filter((call) => call.operation === 'sendToGroup')
      .map((call) => call.status);
    const count = (status: number) => statuses.filter((candidate) => candidate === status).length;
    expect(count(202)).toBe(MESSAGES);
    expect(count(429)).toBe(THROTTLED);
    expect(count(202) + count(429) + count(503)).toBe(statuses.length);
    const failedShare = count(503) / (statuses.length - THROTTLED);
    expect(failedShare).toBeGreaterThan(0.16);
    expect(failedShare).toBeLessThan(0.24);

    // The client saw the same attempts: one per emulator answer (nothing retried unseen).
    const sendAttempts = attempts
      .slice(attemptsBefore)
      .filter((attempt) => attempt.request.method === 'POST' && attempt.request.url.includes('/groups/lobby/'));
    expect(sendAttempts.map((attempt) => attempt.status).sort()).toEqual([...statuses].sort());

    // Retry-After: the next attempt of each throttled request started at least 1 s after the 429
    // came back (setTimeout may fire a millisecond early, hence the small slack).
    const throttled = sendAttempts.filter((attempt) => attempt.status === 429);
    expect(throttled).toHaveLength(THROTTLED);
    const waits = throttled.map((attempt) => {
      const retry = sendAttempts.find(
        (other) => other.request === attempt.request && other.startedAt >= attempt.endedAt,
      );
      return retry ? retry.startedAt - attempt.endedAt : Number.NaN;
    });
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000 - 5);
      // And it was that delay, not a much longer stall.
      expect(wait).toBeLessThan(RETRY_AFTER_SECONDS * 1000 + 750);
    }

    // The connected official client got every id exactly once, and nothing else.
    await awaitMarker(current.service, receiver, 'lobby', 'transient');
    const received = groupIds(receiver);
    expect(duplicates(received)).toEqual([]);
    expect(received).toHaveLength(MESSAGES);
    expect(new Set(received)).toEqual(new Set(ids));

    // Retried attempts were warned about; no call and no broadcast ended in an error.
    expect(current.logs.errors()).toEqual([]);
    const retriedWarnings = current.logs.lines.filter(
      (line) => line.level === 'warn' && line.message.includes('the retry policy may try again'),
    );
    expect(retriedWarnings).toHaveLength(count(503) + count(429));
  });
});
