import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isRestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { WebPubSubArgumentError, WebPubSubRestClient, type WebPubSubRestClientOptions } from '../../lib/index.js';
import { failureOf } from '../support/failure-of.js';
import { startSilentServer, type SilentServer } from '../support/silent-server.js';

/*
 * `timeoutInMs` against a real TCP peer that accepts and never answers: every attempt of every
 * REST call is bounded (default 30 s), a call's `requestOptions.timeout` overrides it, 0 means no
 * timeout. A timed-out attempt is not retried (the service may have carried it out).
 */

let silent: SilentServer;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(() => silent.close());

const TIMEOUT_REASON =
  /^Web PubSub did not answer within (\d+) ms, so the request was abandoned and not retried .*0 means no timeout\)\.$/;
const clientOf = (options: WebPubSubRestClientOptions = {}) =>
  new WebPubSubRestClient(silent.connectionString, 'chat', {
    retryOptions: { maxRetries: 3, retryDelayInMs: 1 },
    ...options,
  });

describe('a service that accepts and never answers', () => {
  it('ends a call after timeoutInMs with a RestError, sent once', async () => {
    const before = silent.requestLines.length;
    const started = performance.now();
    const error = (await failureOf(() =>
      clientOf({ timeoutInMs: 200 }).group('room').sendToAll({ text: 'hi' }),
    )) as Error & { code?: string };
    const elapsed = performance.now() - started;

    expect(isRestError(error)).toBe(true);
    expect(error.code).toBe('REQUEST_TIMEOUT');
    expect(error.message).toMatch(TIMEOUT_REASON);
    expect(error.message).toContain('within 200 ms');
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(2000);
    expect(silent.requestLines.slice(before)).toEqual([
      expect.stringMatching(/^POST \/api\/hubs\/chat\/groups\/room\/:send\?api-version=/),
    ]);
  });

  it('bounds every operation, HEAD checks and paging included', async () => {
    const client = clientOf({ timeoutInMs: 100 });
    for (const call of [
      () => client.userExists('u1'),
      () => client.closeConnection('c1'),
      async () => (await client.group('g').listConnections()).next(),
    ]) {
      expect(((await failureOf(call)) as { code?: string }).code).toBe('REQUEST_TIMEOUT');
    }
  });

  it('lets requestOptions.timeout override timeoutInMs for one call', async () => {
    const error = (await failureOf(() =>
      clientOf({ timeoutInMs: 0 }).sendToAll({}, { requestOptions: { timeout: 150 } }),
    )) as Error;
    expect(error.message).toContain('within 150 ms');
  });

  it('waits as long as it takes with timeoutInMs 0 (until the caller aborts)', async () => {
    const abort = new AbortController();
    const call = clientOf({ timeoutInMs: 0 }).sendToAll({}, { abortSignal: abort.signal });
    const outcome = await Promise.race([
      call.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((resolve) => setTimeout(resolve, 500, 'pending')),
    ]);
    expect(outcome).toBe('pending');
    abort.abort();
    expect(((await failureOf(() => call)) as Error).name).toBe('AbortError');
  });

  it("still ends with the caller's own abort, not a timeout, when that comes first", async () => {
    const abort = new AbortController();
    const call = clientOf({ timeoutInMs: 5000 }).sendToAll({}, { abortSignal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    const error = (await failureOf(() => call)) as Error & { code?: string };
    expect(error.name).toBe('AbortError');
    expect(error.code).not.toBe('REQUEST_TIMEOUT');
  });
});

describe('timeoutInMs defaults and checks', () => {
  it('is 30000 ms by default, and each call can say otherwise', async () => {
    const seen: number[] = [];
    const spy: PipelinePolicy = {
      name: 'seeTimeout',
      sendRequest: (request, next) => (seen.push(request.timeout), next(request)),
    };
    const client = clientOf({ timeoutInMs: undefined, additionalPolicies: [{ policy: spy, position: 'perCall' }] });
    const abort = new AbortController();
    const call = client.sendToAll({}, { abortSignal: abort.signal });
    await failureOf(() => client.sendToAll({}, { requestOptions: { timeout: 10 } }));
    abort.abort();
    await failureOf(() => call);
    expect(seen).toEqual([30_000, 10]);
  });

  it.each([[-1], [1.5], [2 ** 31], ['100']])('refuses timeoutInMs %p before anything is sent', async (value) => {
    const before = silent.connections;
    const error = await failureOf(() => clientOf({ timeoutInMs: value as number }));
    expect(error).toBeInstanceOf(WebPubSubArgumentError);
    expect((error as WebPubSubArgumentError).argument).toBe('timeoutInMs');
    expect((error as Error).message).toMatch(/Pass a value in that range\.$/);
    const perCall = await failureOf(() => clientOf().sendToAll({}, { requestOptions: { timeout: value as number } }));
    expect((perCall as WebPubSubArgumentError).argument).toBe('requestOptions.timeout');
    expect(silent.connections).toBe(before);
  });
});
