import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { isRestError, RestError } from '@azure/core-rest-pipeline';
import { WebPubSubRestError } from '../../lib/index.js';
import { useCaptureServer, type ScriptedResponse } from '../support/capture-server.js';
import { settle } from '../support/settle.js';
import { ACCESS_KEY, officialClient, ourClient } from './transport-harness.js';

/**
 * How failed calls surface: one typed error (a core-rest-pipeline RestError, as the official client
 * throws) carrying the status, the service's code and message and the request id, and nothing of the
 * request that could leak its signed Authorization header. Each status × body shape is served by a
 * real loopback server; expectations come from the scripted answer and the official client.
 */

interface BodyShape {
  name: string;
  answer(status: number, requestId: string): ScriptedResponse;
  code?: string;
  serviceMessage?: string;
}

const shapes: BodyShape[] = [
  {
    name: 'an ErrorDetail body',
    answer: (status, requestId) => ({
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-ms-error-code': 'Error.Sample',
        'x-ms-request-id': requestId,
      },
      body: JSON.stringify({
        code: 'Error.Sample',
        message: 'The sample operation failed.',
        target: null,
        details: null,
        inner: null,
      }),
    }),
    code: 'Error.Sample',
    serviceMessage: 'The sample operation failed.',
  },
  {
    name: 'only an x-ms-error-code header',
    answer: (status, requestId) => ({
      status,
      headers: { 'x-ms-error-code': 'Warning.Connection.NotExisted', 'x-ms-request-id': requestId },
    }),
    code: 'Warning.Connection.NotExisted',
  },
  {
    name: 'a ProblemDetails body',
    answer: (status, requestId) => ({
      status,
      headers: {
        'content-type': 'application/problem+json; charset=utf-8',
        'x-ms-error-code': 'Error.BadRequest',
        'x-ms-request-id': requestId,
      },
      body: JSON.stringify({
        type: null,
        title: 'One or more validation errors occurred.',
        status,
        errors: { filter: ['Invalid syntax.'] },
      }),
    }),
    code: 'Error.BadRequest',
    serviceMessage: 'One or more validation errors occurred.',
  },
  {
    name: 'a non-JSON text body',
    answer: (status, requestId) => ({
      status,
      headers: { 'content-type': 'text/plain', 'x-ms-request-id': requestId },
      body: 'upstream gateway failure',
    }),
    serviceMessage: 'upstream gateway failure',
  },
  { name: 'an empty body', answer: (status, requestId) => ({ status, headers: { 'x-ms-request-id': requestId } }) },
];

const statuses = [400, 401, 403, 404, 500];

let scripted: ScriptedResponse = { status: 500 };
const peer = useCaptureServer(() => scripted);

/** Every string reachable from a value through own properties, enumerable or not, and Map entries. */
function reachableStrings(root: unknown): string[] {
  const seen = new Set<unknown>();
  const found: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') found.push(value);
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value) || depth > 8)
      return;
    seen.add(value);
    if (value instanceof Map) {
      for (const [key, entry] of value) {
        visit(key, depth + 1);
        visit(entry, depth + 1);
      }
    }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) visit(descriptor.value, depth + 1);
    }
  };
  visit(root, 0);
  return found;
}

describe('typed errors', () => {
  const table = statuses.flatMap((status) => shapes.map((shape) => ({ status, shape })));

  it.each(table)('$status with $shape.name', async ({ status, shape }) => {
    scripted = shape.answer(status, `rid-${status}`);
    const requestsBefore = peer.server.requests.length;
    const outcome = await settle(
      ourClient(peer.server, { retryOptions: { maxRetries: 0 } }).sendToAll({ greeting: 'hi' }),
    );
    const official = await settle(
      officialClient(peer.server, { retryOptions: { maxRetries: 0 } }).sendToAll({ greeting: 'hi' }),
    );

    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: WebPubSubRestError }).error;
    expect(error).toBeInstanceOf(RestError);
    expect(isRestError(error)).toBe(true);
    expect(error.status).toBe(status);
    expect(error.statusCode).toBe(status);
    expect(error.code).toBe(shape.code);
    expect(error.requestId).toBe(`rid-${status}`);
    expect(error.operation).toBe('sendToAll');
    for (const part of ['sendToAll', String(status), shape.code, shape.serviceMessage]) {
      if (part) expect(error.message).toContain(part);
    }

    // The official client fails on the same answer with the same status (and, for ErrorDetail, code).
    expect(official.ok).toBe(false);
    expect((official as { error: RestError }).error.statusCode).toBe(status);
    if (shape.name === 'an ErrorDetail body') expect((official as { error: RestError }).error.code).toBe(shape.code);

    // The request was signed, yet nothing reachable from our error shows the header or the key.
    const authorization = String(peer.server.requests[requestsBefore].headers.authorization);
    expect(authorization).toMatch(/^Bearer /);
    const printed = [
      inspect(error, { depth: Infinity, showHidden: true }),
      JSON.stringify(error),
      ...reachableStrings(error),
    ];
    for (const text of printed) {
      expect(text).not.toContain('Bearer');
      expect(text).not.toContain(authorization.slice('Bearer '.length));
      expect(text).not.toContain(ACCESS_KEY);
    }
    // Last, so a failure here is about the class alone: `catch (e) { if (e instanceof WebPubSubRestError) … }` must work.
    expect(error).toBeInstanceOf(WebPubSubRestError);
  });

  it('names the failing operation of a group call', async () => {
    scripted = shapes[0].answer(404, 'rid-group');
    const outcome = await settle(
      ourClient(peer.server, { retryOptions: { maxRetries: 0 } })
        .group('room 1')
        .addUser('u1'),
    );
    const error = (outcome as { error: WebPubSubRestError }).error;
    expect(error.operation).toBe('addUserToGroup');
    expect(error.message).toContain('addUserToGroup');
    expect(error.requestId).toBe('rid-group');
  });
});

describe('HEAD existence checks', () => {
  const checks = [
    { name: 'connectionExists', call: (c: ReturnType<typeof ourClient>) => c.connectionExists('conn 1') },
    { name: 'groupExists', call: (c: ReturnType<typeof ourClient>) => c.groupExists('room 1') },
    { name: 'userExists', call: (c: ReturnType<typeof ourClient>) => c.userExists('user@1') },
    {
      name: 'hasPermission',
      call: (c: ReturnType<typeof ourClient>) => c.hasPermission('conn 1', 'sendToGroup', { targetName: 'room 1' }),
    },
  ];
  const cases = checks.flatMap((check) => [
    { ...check, status: 200, expected: true },
    { ...check, status: 404, expected: false },
    { ...check, status: 500, expected: 'error' as const },
  ]);

  it.each(cases)('$name: $status → $expected (as the official client)', async ({ call, status, expected }) => {
    scripted = {
      status,
      headers: status === 200 ? {} : { 'x-ms-error-code': `Status.${status}`, 'x-ms-request-id': 'rid-head' },
    };
    const options = { retryOptions: { maxRetries: 0 } };
    const ours = await settle(call(ourClient(peer.server, options)));
    const official = await settle(
      call(officialClient(peer.server, options) as unknown as ReturnType<typeof ourClient>),
    );
    expect(peer.server.requests[peer.server.requests.length - 1].method).toBe('HEAD');
    if (expected === 'error') {
      expect(official.ok).toBe(false);
      expect((official as { error: RestError }).error.statusCode).toBe(500);
      const error = (ours as { error: WebPubSubRestError }).error;
      expect(error.status).toBe(500);
      expect(error.code).toBe('Status.500');
      expect(error).toBeInstanceOf(WebPubSubRestError);
    } else {
      expect(official).toEqual({ ok: true, value: expected });
      expect(ours).toEqual({ ok: true, value: expected });
    }
  });
});
