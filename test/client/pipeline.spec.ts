import { describe, expect, it } from '@jest/globals';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  buildCloseConnectionRequest,
  buildGroupExistsRequest,
  buildListConnectionsInGroupRequest,
  buildSendToAllRequest,
  type WebPubSubRequest,
} from '../../lib/rest/index.js';
import type { ScriptedResponse } from '../support/capture-server.js';
import { settle } from '../support/settle.js';
import {
  expectSignedFor,
  inSequence,
  officialClient,
  ourClient,
  startHangingServer,
  useServers,
  type HangingServer,
  type Peer,
} from './transport-harness.js';

/**
 * What rides on the shared pipeline: `hub(name)` clients, `sendRequest` with the request builders,
 * and cancellation, each against real loopback servers.
 */

const { serve, track } = useServers();

function urlSpy(): { policy: PipelinePolicy; urls: string[] } {
  const urls: string[] = [];
  return { urls, policy: { name: 'urlSpy', sendRequest: (request, next) => (urls.push(request.url), next(request)) } };
}

describe('hub(name)', () => {
  it('talks to another hub through the same pipeline', async () => {
    const server = await serve();
    const client = ourClient(server);
    const spy = urlSpy();
    client.pipeline.addPolicy(spy.policy);
    const other = client.hub('other');

    await client.sendToAll({ a: 1 });
    await other.sendToAll({ b: 2 });
    await other.group('room 1').addUser('u1');

    expect(other.hubName).toBe('other');
    expect(client.hubName).toBe('hub1');
    expect(other.pipeline).toBe(client.pipeline);
    expect((await other.getClientAccessToken()).baseUrl).toBe(`${server.url.replace(/^http/, 'ws')}/client/hubs/other`);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/hubs/hub1/:send',
      'POST /api/hubs/other/:send',
      'PUT /api/hubs/other/users/u1/groups/room%201',
    ]);
    // The policy added on the first client saw both hubs' requests.
    expect(spy.urls.map((url) => new URL(url).pathname)).toEqual(server.requests.map((request) => request.path));
    for (const request of server.requests) expectSignedFor(request, server.url);
  });
});

describe('sendRequest(build…Request(...))', () => {
  const cases: Array<{ name: string; request: WebPubSubRequest; answer: ScriptedResponse }> = [
    {
      name: 'a 404 of a HEAD check',
      request: buildGroupExistsRequest({ hub: 'hub1' }, 'g1'),
      answer: { status: 404, headers: { 'x-ms-error-code': 'Warning.Group.NotExisted' } },
    },
    {
      name: 'a 400 with an error body',
      request: buildSendToAllRequest({ hub: 'hub1' }, 'hello', { contentType: 'text/plain', filter: 'bad filter' }),
      answer: {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: '{"code":"Error.BadRequest","message":"Invalid syntax"}',
      },
    },
    {
      name: 'a 204',
      request: buildCloseConnectionRequest({ hub: 'hub1' }, 'c1', { reason: 'bye' }),
      answer: { status: 204 },
    },
    {
      name: 'a 200 page',
      request: buildListConnectionsInGroupRequest({ hub: 'hub1' }, 'g1', { maxPageSize: 2 }),
      answer: {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"value":[{"connectionId":"c1"}]}',
      },
    },
  ];

  it.each(cases)('returns $name as the raw response, signed by the pipeline', async ({ request, answer }) => {
    const server = await serve(() => answer);
    const client = ourClient(server, { retryOptions: { maxRetries: 0 } });
    const outcome = await settle(client.sendRequest(request));

    expect(outcome.ok).toBe(true);
    const response = (outcome as { value: { status: number; bodyAsText?: string | null } }).value;
    expect(response.status).toBe(answer.status);
    expect(response.bodyAsText ?? '').toBe(request.method === 'HEAD' ? '' : String(answer.body ?? ''));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].method).toBe(request.method);
    expect(server.requests[0].path).toBe(request.path);
    expect(server.requests[0].query).toEqual(request.query);
    expectSignedFor(server.requests[0], server.url);
  });

  it('retries like any other call', async () => {
    const server = await serve(inSequence({ status: 503 }, { status: 202 }));
    const response = await ourClient(server).sendRequest(buildSendToAllRequest({ hub: 'hub1' }, { a: 1 }));
    expect(response.status).toBe(202);
    expect(server.requests).toHaveLength(2);
  });
});

describe('abortSignal', () => {
  async function hanging(): Promise<HangingServer> {
    return track(await startHangingServer());
  }

  it('aborts a call the server never answers, as the official client does', async () => {
    const clients = [ourClient, (peer: Peer) => officialClient(peer) as unknown as ReturnType<typeof ourClient>];
    for (const make of clients) {
      const server = await hanging();
      const controller = new AbortController();
      const call = settle(make(server).sendToAll('hi', { contentType: 'text/plain', abortSignal: controller.signal }));
      await server.firstRequest;
      const started = performance.now();
      controller.abort();
      const outcome = await call;
      expect(performance.now() - started).toBeLessThan(2000);
      expect(outcome.ok).toBe(false);
      expect((outcome as { error: Error }).error.name).toBe('AbortError');
    }
  });

  it('rejects at once when the signal is already aborted, sending nothing', async () => {
    const server = await serve();
    const outcome = await settle(ourClient(server).userExists('u1', { abortSignal: AbortSignal.abort() }));
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: Error }).error.name).toBe('AbortError');
    expect(server.requests).toHaveLength(0);
  });
});
