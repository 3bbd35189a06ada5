import { describe, expect, it } from '@jest/globals';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { OperationOptions, WebPubSubRestClient } from '../../lib/index.js';
import { buildSendToAllRequest } from '../../lib/rest/index.js';
import { failureOf } from '../support/failure-of.js';
import { freePort } from '../support/free-port.js';
import { loopbackCertificate } from '../support/self-signed-certificate.js';
import { ACCESS_KEY, inSequence, officialClient, ourClient, useServers } from './transport-harness.js';

/*
 * Per-call options as core-client's OperationOptions: `requestOptions.allowInsecureConnection` adds
 * to the client's permission (its `false` takes none away), and `onResponse` is called once per call
 * with the final response: after retries, and not at all when no response came. The official client
 * over the same real loopback peer is the reference wherever it can run the same call.
 */

const servers = useServers();

/** A per-attempt policy that records the `allowInsecureConnection` each request reaches the wire with. */
function flagRecorder(): { seen: boolean[]; policy: PipelinePolicy } {
  const seen: boolean[] = [];
  return {
    seen,
    policy: {
      name: 'flagRecorder',
      sendRequest: (request, next) => (seen.push(request.allowInsecureConnection === true), next(request)),
    },
  };
}

describe('requestOptions.allowInsecureConnection', () => {
  it('reaches the request as the official client puts it there (https: off unless the call asks)', async () => {
    const tls = loopbackCertificate();
    const server = await servers.serve(undefined, { tls });
    const perCall = [undefined, true, false];
    const results: boolean[][] = [];
    for (const make of [officialClient, ourClient] as const) {
      const recorder = flagRecorder();
      const client = make(server, {
        tlsOptions: { ca: tls.cert },
        additionalPolicies: [{ policy: recorder.policy, position: 'perRetry' }],
        allowInsecureConnection: false,
      }) as WebPubSubRestClient;
      for (const allowInsecureConnection of perCall)
        await client.sendToAll('hi', { contentType: 'text/plain', requestOptions: { allowInsecureConnection } });
      results.push(recorder.seen);
    }
    expect(results[0]).toEqual([false, true, false]);
    expect(results[1]).toEqual(results[0]);
  });

  it('lets one call over plain http when the client does not allow it (the official client refuses without it)', async () => {
    const server = await servers.serve();
    const official = officialClient(server, { allowInsecureConnection: false, retryOptions: { maxRetries: 0 } });
    expect(String(await failureOf(() => official.sendToAll('hi', { contentType: 'text/plain' })))).toMatch(
      /allowInsecureConnection is false/,
    );
    await official.sendToAll('hi', { contentType: 'text/plain', requestOptions: { allowInsecureConnection: true } });
    // Ours allows loopback http by itself; the call's flag is accepted and the call goes through.
    await ourClient(server).sendToAll('hi', {
      contentType: 'text/plain',
      requestOptions: { allowInsecureConnection: true },
    });
    expect(server.requests.map((request) => request.method)).toEqual(['POST', 'POST']);
  });

  it('does not withdraw the permission with false (loopback http still goes through)', async () => {
    const server = await servers.serve();
    await ourClient(server).sendToAll('hi', {
      contentType: 'text/plain',
      requestOptions: { allowInsecureConnection: false },
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('onResponse', () => {
  const record = () => {
    const calls: Array<{ status: number; parsedBody: unknown; flat: unknown; error: unknown }> = [];
    const onResponse: OperationOptions['onResponse'] = (raw, flat, error) =>
      calls.push({ status: raw.status, parsedBody: raw.parsedBody, flat, error });
    return { calls, onResponse };
  };

  it('is called once, with the final answer and the error, after retries of a 503 (as the official client)', async () => {
    const answers = () =>
      inSequence(
        { status: 503 },
        {
          status: 503,
          headers: { 'content-type': 'application/json' },
          body: '{"code":"Busy","message":"Try later."}',
        },
      );
    const views: unknown[] = [];
    for (const make of [officialClient, ourClient] as const) {
      const server = await servers.serve(answers());
      const { calls, onResponse } = record();
      const client = make(server, { retryOptions: { maxRetries: 1 } }) as WebPubSubRestClient;
      const thrown = await failureOf(() => client.group('g').addUser('u1', { onResponse }));
      expect(server.requests).toHaveLength(2);
      expect(calls).toHaveLength(1);
      expect(calls[0].error).toBe(thrown);
      views.push({
        status: calls[0].status,
        parsedBody: calls[0].parsedBody,
        statusCode: (thrown as { statusCode?: number }).statusCode,
      });
    }
    expect(views[0]).toEqual({ status: 503, parsedBody: { code: 'Busy', message: 'Try later.' }, statusCode: 503 });
    expect(views[1]).toEqual(views[0]);
  });

  it('is not called when no answer came (a refused connection)', async () => {
    const port = await freePort();
    const { calls, onResponse } = record();
    const client = ourClient(
      {
        connectionString: (key = ACCESS_KEY) => `Endpoint=http://127.0.0.1;Port=${port};AccessKey=${key};Version=1.0;`,
      },
      { retryOptions: { maxRetries: 0 } },
    );
    await failureOf(() => client.sendToAll('hi', { contentType: 'text/plain', onResponse }));
    expect(calls).toHaveLength(0);
  });

  it('gets every answer of sendRequest without an error, since sendRequest does not judge the status', async () => {
    const server = await servers.serve(() => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: '{"code":"Bad"}',
    }));
    const { calls, onResponse } = record();
    const client = ourClient(server);
    const response = await client.sendRequest(
      buildSendToAllRequest({ hub: 'hub1', apiVersion: client.apiVersion }, 'hi', { contentType: 'text/plain' }),
      { onResponse },
    );
    expect(response.status).toBe(400);
    expect(calls).toEqual([{ status: 400, parsedBody: { code: 'Bad' }, flat: { code: 'Bad' }, error: undefined }]);
  });
});
