import { describe, expect, it } from '@jest/globals';
import type { OperationOptions, WebPubSubRestClient } from '../../lib/index.js';
import type { CapturedRequest, ScriptedResponse } from '../support/capture-server.js';
import { StubTokenCredential } from '../support/stub-token-credential.js';
import { loopbackCertificate } from '../support/self-signed-certificate.js';
import { useConformancePeer, type ClientPair } from './conformance-harness.js';

/*
 * Per-call options as core-client defines them (OperationOptions): `onResponse(rawResponse,
 * flatResponse, error)` and `requestOptions.customHeaders`. The official client (core-client's
 * ServiceClient) and ours run the same operation against the same peer; what each callback received
 * is reduced to status, request id, parsed body, flattened response and the error's status and code.
 */

interface ResponseView {
  calls: number;
  status?: number;
  requestId?: string;
  parsedBody?: unknown;
  flat?: unknown;
  error?: { statusCode: unknown; code: unknown };
}

type Run = (client: WebPubSubRestClient, options: OperationOptions) => Promise<unknown>;

/** Runs `run` with an `onResponse` that records what it was called with; a rejection is kept, not thrown. */
async function observe(client: WebPubSubRestClient, run: Run): Promise<{ view: ResponseView; rejected: boolean }> {
  const view: ResponseView = { calls: 0 };
  const onResponse: OperationOptions['onResponse'] = (raw, flat, error) => {
    view.calls++;
    view.status = raw.status;
    view.requestId = raw.headers.get('x-ms-request-id');
    view.parsedBody = raw.parsedBody;
    view.flat = flat;
    if (error !== undefined) {
      const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
      view.error = { statusCode, code };
    }
  };
  try {
    await run(client, { onResponse });
    return { view, rejected: false };
  } catch {
    return { view, rejected: true };
  }
}

const json = (status: number, body: unknown, extra: Record<string, string> = {}): ScriptedResponse => ({
  status,
  // A fixed date: error headers reach the flat response, and the two answers may straddle a second.
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'x-ms-request-id': 'req-1',
    date: 'Sun, 06 Dec 2026 12:00:00 GMT',
    ...extra,
  },
  body: JSON.stringify(body),
});

/**
 * The service's ErrorDetail body (reference §1). For an error answer core-client flattens every
 * response header (and `errorCode` from x-ms-error-code) into the flat response with the body.
 */
const forbidden = {
  code: 'Forbidden',
  message: 'The connection may not send.',
  target: 'conn1',
  details: null,
  inner: null,
};

interface Case {
  name: string;
  run: Run;
  respond: (request: CapturedRequest) => ScriptedResponse;
  /** What the official callback receives, from the scripted answer (guards the case itself). */
  expected: Omit<ResponseView, 'calls' | 'requestId'> & { rejected: boolean };
  clients?: 'key' | 'token';
}

const cases: Case[] = [
  {
    name: 'sendToAll answered 202 with no body',
    run: (c, o) => c.sendToAll('hi', { contentType: 'text/plain', ...o }),
    respond: () => ({ status: 202, headers: { 'x-ms-request-id': 'req-1' } }),
    expected: { status: 202, parsedBody: undefined, flat: { body: undefined }, rejected: false },
  },
  {
    name: 'sendToAll answered 403 with an ErrorDetail body (the callback sees the error too)',
    run: (c, o) => c.sendToAll({ a: 1 }, o),
    respond: () => json(403, forbidden, { 'x-ms-error-code': 'Forbidden' }),
    expected: {
      status: 403,
      parsedBody: forbidden,
      flat: expect.objectContaining({ ...forbidden, errorCode: 'Forbidden', 'x-ms-request-id': 'req-1' }),
      error: { statusCode: 403, code: 'Forbidden' },
      rejected: true,
    },
  },
  {
    name: 'group.removeUser answered 404 with an ErrorDetail body',
    run: (c, o) => c.group('g1').removeUser('u1', o),
    respond: () => json(404, { code: 'NotFound', message: 'No such group.' }),
    expected: {
      status: 404,
      parsedBody: { code: 'NotFound', message: 'No such group.' },
      flat: expect.objectContaining({
        code: 'NotFound',
        message: 'No such group.',
        'content-type': 'application/json; charset=utf-8',
      }),
      error: { statusCode: 404, code: 'NotFound' },
      rejected: true,
    },
  },
  {
    name: 'connectionExists answered 404 (an answer, not an error)',
    run: (c, o) => c.connectionExists('conn1', o),
    respond: () => ({ status: 404, headers: { 'x-ms-request-id': 'req-1' } }),
    // core-client stores a HEAD answer as a boolean body (2xx: true).
    expected: { status: 404, parsedBody: false, flat: { body: false }, rejected: false },
  },
  {
    name: 'group.listConnections: one page, its JSON body flattened',
    run: async (c, o) => {
      // The official 1.2.0 returns the iterator inside a promise (its tracing span); awaiting ours is a no-op.
      for await (const member of await c.group('g1').listConnections(o)) void member;
    },
    respond: () => json(200, { value: [{ connectionId: 'c1', userId: 'u1' }] }),
    expected: {
      status: 200,
      parsedBody: { value: [{ connectionId: 'c1', userId: 'u1' }] },
      flat: { value: [{ connectionId: 'c1', userId: 'u1' }] },
      rejected: false,
    },
  },
  {
    name: 'getClientAccessToken with a TokenCredential (the service signs; its JSON body is flattened)',
    clients: 'token',
    run: (c, o) => c.getClientAccessToken({ userId: 'u1', ...o }),
    respond: () => json(200, { token: 'token-from-service' }),
    expected: {
      status: 200,
      parsedBody: { token: 'token-from-service' },
      flat: { token: 'token-from-service' },
      rejected: false,
    },
  },
];

describe('official SDK conformance: onResponse(rawResponse, flatResponse, error)', () => {
  const peer = useConformancePeer(() => ({ tls: loopbackCertificate() }));
  const pair = (kind: Case['clients']): ClientPair =>
    kind === 'token' ? peer.credentialClients(() => new StubTokenCredential()) : peer.clients();

  it.each(cases)('$name', async ({ run, respond, expected, clients }) => {
    peer.respondWith(respond);
    try {
      const { official, ours } = pair(clients);
      const theirs = await observe(official, run);
      const mine = await observe(ours, run);
      const { rejected, ...view } = expected;
      expect(theirs.rejected).toBe(rejected);
      expect(theirs.view).toEqual({ calls: 1, requestId: 'req-1', ...view });
      expect(mine.rejected).toBe(rejected);
      expect(mine.view).toEqual(theirs.view);
    } finally {
      peer.respondWith(undefined);
    }
  });
});

describe('official SDK conformance: requestOptions.customHeaders', () => {
  const peer = useConformancePeer(() => ({ tls: loopbackCertificate() }));

  it('puts the same custom headers on the wire, replacing a header of the same name', async () => {
    const { official, ours } = peer.clients();
    const requestOptions = {
      customHeaders: { 'x-custom-trace': 'abc 123', 'x-ms-client-request-id': 'my-request-id' },
    };
    const seen: Array<Record<string, unknown>> = [];
    for (const client of [official, ours]) {
      const start = peer.server.requests.length;
      await client.group('g1').addUser('u1', { requestOptions });
      const [request] = peer.server.requests.slice(start);
      seen.push({ trace: request.headers['x-custom-trace'], requestId: request.headers['x-ms-client-request-id'] });
    }
    expect(seen[0]).toEqual({ trace: 'abc 123', requestId: 'my-request-id' });
    expect(seen[1]).toEqual(seen[0]);
  });
});
