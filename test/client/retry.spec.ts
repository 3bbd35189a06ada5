import { describe, expect, it } from '@jest/globals';
import { RestError } from '@azure/core-rest-pipeline';
import type { PipelineRetryOptions } from '@azure/core-rest-pipeline';
import type { WebPubSubRestError } from '../../lib/index.js';
import type { ScriptedResponse } from '../support/capture-server.js';
import { settle, type Outcome } from '../support/settle.js';
import { expectSignedFor, inSequence, officialClient, ourClient, useServers } from './transport-harness.js';

/**
 * Retries come from core-rest-pipeline's default retry policy, as in `@azure/web-pubsub` (reference
 * §5): 408 and 5xx but 501/505, dropped connections, and 429/503 with Retry-After; 429 without
 * Retry-After is not retried. Each case runs the official client and ours against the same loopback
 * server and expects the same number of attempts from both.
 */

const accepted: ScriptedResponse = { status: 202 };
const failure = (status: number, headers: Record<string, string> = {}): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ code: `Error.Status${status}`, message: `scripted ${status}` }),
});

interface RetryCase {
  name: string;
  responses: ScriptedResponse[];
  retryOptions?: PipelineRetryOptions;
  attempts: number;
  /** The status the call finally fails with, or undefined when it succeeds. */
  failsWith?: number;
}

const cases: RetryCase[] = [
  { name: '500 then 202 is retried once', responses: [failure(500), accepted], attempts: 2 },
  { name: '503 without Retry-After then 202 is retried', responses: [failure(503), accepted], attempts: 2 },
  { name: '408 then 202 is retried', responses: [failure(408), accepted], attempts: 2 },
  {
    name: '429 with Retry-After: 0 then 202 is retried',
    responses: [failure(429, { 'retry-after': '0' }), accepted],
    attempts: 2,
  },
  { name: '429 without Retry-After is not retried', responses: [failure(429), accepted], attempts: 1, failsWith: 429 },
  { name: '501 is not retried', responses: [failure(501), accepted], attempts: 1, failsWith: 501 },
  { name: 'a dropped connection then 202 is retried', responses: [{ status: 0, drop: true }, accepted], attempts: 2 },
  { name: 'a persistent 500 is tried 1 + 3 times by default', responses: [failure(500)], attempts: 4, failsWith: 500 },
  {
    name: 'maxRetries: 0 turns retries off',
    responses: [failure(500), accepted],
    retryOptions: { maxRetries: 0 },
    attempts: 1,
    failsWith: 500,
  },
  {
    name: 'maxRetries: 2 is respected',
    responses: [failure(500)],
    retryOptions: { maxRetries: 2, retryDelayInMs: 1 },
    attempts: 3,
    failsWith: 500,
  },
];

const { serve } = useServers();

function expectFailureStatus(outcome: Outcome, status: number): unknown {
  expect(outcome.ok).toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(RestError);
  expect((error as RestError).statusCode).toBe(status);
  return error;
}

describe('retries', () => {
  it.each(cases)('$name', async ({ responses, retryOptions, attempts, failsWith }) => {
    // One server for both clients; the script restarts for each so they see the same answers.
    let script = inSequence(...responses);
    const server = await serve((request) => script(request));
    const send = { contentType: 'text/plain' as const };

    const officialOutcome = await settle(officialClient(server, { retryOptions }).sendToAll('payload', send));
    const officialAttempts = server.requests.splice(0);
    script = inSequence(...responses);
    const ourOutcome = await settle(ourClient(server, { retryOptions }).sendToAll('payload', send));

    expect(officialAttempts).toHaveLength(attempts);
    expect(server.requests).toHaveLength(attempts);
    // Every attempt carries the whole message and its own valid signature for the URL it reached.
    for (const request of server.requests) {
      expect(request.body.toString('utf8')).toBe('payload');
      expectSignedFor(request, server.url);
    }
    if (failsWith === undefined) {
      expect(officialOutcome.ok).toBe(true);
      expect(ourOutcome).toEqual({ ok: true, value: undefined });
    } else {
      expectFailureStatus(officialOutcome, failsWith);
      // The error's type is covered in errors.spec.ts; here only the final status matters.
      const error = expectFailureStatus(ourOutcome, failsWith);
      expect((error as WebPubSubRestError).status).toBe(failsWith);
    }
  });

  it('retryDelayInMs / maxRetryDelayInMs bound the wait before a retry (jittered between half and all of it)', async () => {
    const server = await serve(inSequence(failure(500), accepted));
    const started = performance.now();
    await ourClient(server, { retryOptions: { maxRetries: 1, retryDelayInMs: 200, maxRetryDelayInMs: 200 } }).sendToAll(
      { a: 1 },
    );
    const elapsed = performance.now() - started;
    expect(server.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(95);
    // With the defaults the first retry waits at least 1 s: well above this bound.
    expect(elapsed).toBeLessThan(750);
  });

  it('a persistently dropped connection fails after the retries with the socket error, not a status', async () => {
    const server = await serve(inSequence({ status: 0, drop: true }));
    const outcome = await settle(ourClient(server, { retryOptions: { maxRetries: 2 } }).sendToAll({ a: 1 }));
    expect(server.requests).toHaveLength(3);
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: RestError }).error;
    expect(error).toBeInstanceOf(RestError);
    expect(error.statusCode).toBeUndefined();
    expect(error.code).toBe('ECONNRESET');
  });
});
