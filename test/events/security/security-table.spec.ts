import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { ADAPTERS } from '../../support/http-adapters.js';
import { ceSignature } from '../../support/upstream-events.js';
import {
  calls,
  connectHeaders,
  CONNECTION_ID,
  createApp,
  FORGED,
  OTHER_KEY,
  PRIMARY_KEY,
  resetCalls,
  SECONDARY_KEY,
  SERVICE_HOST,
  totalCalls,
  userEvent,
  CONNECTION_STRING,
} from './harness.js';

interface Case {
  name: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  status: number;
}

const connectBody = JSON.stringify({ claims: {}, query: {}, headers: {}, subprotocols: [] });
const huge = Buffer.alloc(2 * 1024 * 1024 + 1024, 0x61);

// Every rejection: the documented status, and no handler ever runs.
const rejected: Case[] = [
  { name: 'a forged signature', headers: connectHeaders({ 'ce-signature': FORGED }), status: 401 },
  {
    name: 'a signature computed with another key',
    headers: connectHeaders({ 'ce-signature': ceSignature(OTHER_KEY, CONNECTION_ID) }),
    status: 401,
  },
  {
    name: 'a signature for another connection',
    headers: connectHeaders({ 'ce-signature': ceSignature(PRIMARY_KEY, 'conn-other') }),
    status: 401,
  },
  { name: 'no signature', headers: connectHeaders({ 'ce-signature': undefined }), status: 401 },
  { name: 'no WebHook-Request-Origin', headers: connectHeaders({ 'webhook-request-origin': undefined }), status: 400 },
  {
    name: 'a disallowed origin',
    headers: connectHeaders({ 'webhook-request-origin': 'evil.example.com' }),
    status: 403,
  },
  { name: 'another hub', headers: connectHeaders({ 'ce-hub': 'other' }), status: 400 },
  {
    name: 'ce-type azure.webpubsub.sys.unknown',
    headers: connectHeaders({ 'ce-type': 'azure.webpubsub.sys.unknown' }),
    status: 400,
  },
  { name: 'a non-azure ce-type', headers: connectHeaders({ 'ce-type': 'com.example.connect' }), status: 400 },
  { name: 'no ce-awpsversion', headers: connectHeaders({ 'ce-awpsversion': undefined }), status: 400 },
  { name: 'no CloudEvents headers at all', headers: { 'content-type': 'application/json' }, status: 400 },
  { name: 'malformed JSON on a system event', headers: connectHeaders(), body: '{"claims": {', status: 400 },
  {
    name: 'malformed JSON on a json user event',
    headers: userEvent('application/json'),
    body: '{not json',
    status: 400,
  },
  {
    name: 'a huge JSON body (> 2 MiB)',
    headers: connectHeaders(),
    body: `{"claims":"${huge.toString()}"}`,
    status: 413,
  },
  {
    name: 'a huge binary user event (> 2 MiB)',
    headers: userEvent('application/octet-stream'),
    body: huge,
    status: 413,
  },
];

describe.each(ADAPTERS)('upstream event security on %s', (adapter) => {
  let app: INestApplication;
  const logger = new CapturingLogger();
  beforeAll(async () => {
    app = await createApp(adapter, { connectionString: CONNECTION_STRING, hub: 'chat' }, logger);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    resetCalls();
    logger.lines.length = 0;
  });

  const post = (headers: Record<string, string>, body: string | Buffer = connectBody) =>
    request(app.getHttpServer()).post('/eventhandler/connect').set(headers).send(body);

  it('accepts a correctly signed connect (control)', async () => {
    const response = await post(connectHeaders());
    expect([200, 204]).toContain(response.status);
    expect(calls.connect).toBe(1);
  });

  it('accepts a signature list where one of two entries is valid', async () => {
    const response = await post(
      connectHeaders({ 'ce-signature': `${FORGED},${ceSignature(PRIMARY_KEY, CONNECTION_ID)}` }),
    );
    expect([200, 204]).toContain(response.status);
    expect(calls.connect).toBe(1);
  });

  // First of this app's forged requests: refusals are logged one line per 10 s, with a count of the others.
  it('logs a 401 at warn naming hub and connection, without the signature or any key', async () => {
    const signature = ceSignature(OTHER_KEY, CONNECTION_ID);
    const response = await post(connectHeaders({ 'ce-signature': signature }));
    expect(response.status).toBe(401);
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].text).toContain('chat');
    expect(warnings[0].text).toContain(CONNECTION_ID);
    const everything = logger.lines.map((line) => line.text).join('\n');
    for (const secret of [signature, signature.slice('sha256='.length), PRIMARY_KEY, SECONDARY_KEY, OTHER_KEY])
      expect(everything).not.toContain(secret);
    expect(response.text).not.toContain(signature.slice('sha256='.length));
  });

  // The limit must not bite below what the service may send: a client message is at most 1 MiB.
  it.each(['application/octet-stream', 'text/plain'])('accepts a 1 MiB %s user event', async (contentType) => {
    const payload = 'a'.repeat(1024 * 1024);
    const response = await post(
      userEvent(contentType),
      contentType === 'application/octet-stream' ? Buffer.from(payload) : payload,
    );
    expect(response.status).toBe(204);
    expect(calls.user).toBe(1);
  });

  // JSON user events may carry any JSON value, up to what a client can send (a frame is at most 1 MiB).
  it.each([
    ['a bare number', '5'],
    ['a bare string', '"hi"'],
    ['null', 'null'],
    ['a string of almost 1 MiB', JSON.stringify('a'.repeat(1024 * 1024 - 64))],
  ])('accepts a JSON user event carrying %s', async (_, body) => {
    const response = await post(userEvent('application/json'), body);
    expect(response.status).toBe(204);
    expect(calls.user).toBe(1);
  });

  it.each(rejected)('rejects $name with $status and never runs a handler', async ({ headers, body, status }) => {
    const response = await post(headers, body);
    expect(response.status).toBe(status);
    expect(totalCalls()).toBe(0);
    // Nest's error shape: a message telling the caller what is wrong, never a key.
    expect(JSON.stringify(response.body ?? '') + response.text).not.toContain(PRIMARY_KEY);
  });

  describe('abuse-protection handshake', () => {
    const handshake = (method: 'options' | 'get', origin?: string) => {
      const call = request(app.getHttpServer())[method]('/eventhandler/validate').set('ce-awpsversion', '1.0');
      return origin === undefined ? call : call.set('WebHook-Request-Origin', origin);
    };

    it.each(['options', 'get'] as const)('%s from the service host is allowed with that host', async (method) => {
      const response = await handshake(method, SERVICE_HOST);
      expect(response.status).toBe(200);
      expect(response.headers['webhook-allowed-origin']).toBe(SERVICE_HOST);
    });

    it.each(['options', 'get'] as const)(
      '%s from another origin is refused with 403 and no allowed origin',
      async (method) => {
        const response = await handshake(method, 'evil.example.com');
        expect(response.status).toBe(403);
        expect(response.headers['webhook-allowed-origin']).toBeUndefined();
      },
    );

    it.each(['options', 'get'] as const)('%s without an origin is a 400', async (method) => {
      const response = await handshake(method);
      expect(response.status).toBe(400);
      expect(response.headers['webhook-allowed-origin']).toBeUndefined();
    });
  });
});

describe.each(ADAPTERS)('events.allowedOrigins on %s', (adapter) => {
  let app: INestApplication;
  afterAll(async () => {
    await app?.close();
  });

  it("answers * for any origin when ['*'] is configured, and accepts its events", async () => {
    app = await createApp(adapter, {
      connectionString: CONNECTION_STRING,
      hub: 'chat',
      events: { allowedOrigins: ['*'] },
    });
    resetCalls();
    for (const method of ['options', 'get'] as const) {
      const response = await request(app.getHttpServer())
        [method]('/eventhandler')
        .set('WebHook-Request-Origin', 'anything.example.net');
      expect(response.status).toBe(200);
      expect(response.headers['webhook-allowed-origin']).toBe('*');
    }
    const response = await request(app.getHttpServer())
      .post('/eventhandler')
      .set(connectHeaders({ 'webhook-request-origin': 'anything.example.net' }))
      .send(connectBody);
    expect([200, 204]).toContain(response.status);
    expect(calls.connect).toBe(1);
  });
});
