import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { connect as connectSocket } from 'node:net';
import request from 'supertest';
import {
  OnConnected,
  OnUserEvent,
  WebPubSubEventHandler,
  WebPubSubModule,
  type ConnectedEvent,
  type ConnectionStateAccess,
  type UserEventRequest,
} from '../../../lib/index.js';
import { RefusalLog } from '../../../lib/events/events.log-throttle.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { acceptEveryEventBody } from '../../support/event-bodies.js';
import { ADAPTERS, createAdapterApp, initAdapterApp } from '../../support/http-adapters.js';
import { upstreamEventHeaders } from '../../support/upstream-events.js';
import { CONNECTION_STRING, FORGED, SOURCE } from './harness.js';

/*
 * Issue 23, the event route's share: state size (6), encoded event names (9), duplicated ce-*
 * headers (11), forged bodies, throttled warnings, body limits and ce-id/ce-time (12).
 */

const seen: { eventName?: string; eventId?: string; time?: string; handler?: string; data?: unknown }[] = [];

@WebPubSubEventHandler({ hub: 'chat' })
class HardeningEvents {
  @OnUserEvent('名前')
  named(event: UserEventRequest) {
    seen.push({ handler: 'named', eventName: event.context.eventName });
  }

  @OnUserEvent('bigstate')
  bigState(_event: UserEventRequest, state: ConnectionStateAccess) {
    state.set('small', 'kept');
    // A key that exists keeps its old value when the new one is refused.
    expect(() => state.set('small', 'y'.repeat(10_000))).toThrow(RangeError);
    try {
      state.set('blob', 'x'.repeat(10_000));
    } catch (error) {
      return { refused: (error as Error).message, small: state.get('small'), blob: state.get('blob') ?? null };
    }
    return { refused: null };
  }

  /** The states the route read from ce-connectionState. */
  @OnUserEvent('readstate')
  readState(event: UserEventRequest) {
    return { keys: Object.keys(event.context.states) };
  }

  @OnUserEvent('ignore')
  ignore() {
    seen.push({ handler: 'ignore' });
  }

  @OnUserEvent('*')
  any(event: UserEventRequest) {
    seen.push({
      handler: 'any',
      eventName: event.context.eventName,
      eventId: event.context.eventId,
      time: event.context.time,
    });
  }

  @OnConnected()
  connected(event: ConnectedEvent) {
    seen.push({ handler: 'connected', eventId: event.context.eventId, time: event.context.time });
  }
}

const user = (event: string, overrides: Record<string, string | undefined> = {}) =>
  upstreamEventHeaders(event, SOURCE, overrides);

describe.each(ADAPTERS)('issue 23 event route hardening on %s', (adapter) => {
  let app: INestApplication;
  const logger = new CapturingLogger();
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WebPubSubModule.forRoot({ connectionString: CONNECTION_STRING, hub: 'chat' })],
      providers: [HardeningEvents],
    }).compile();
    app = createAdapterApp(moduleRef, adapter);
    app.useLogger(logger);
    acceptEveryEventBody(app);
    await initAdapterApp(app);
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    seen.length = 0;
    logger.lines.length = 0;
  });
  const post = (headers: Record<string, string | string[]>, body: string | Buffer = '{}') =>
    request(app.getHttpServer()).post('/eventhandler').set(headers).send(body);

  // Point 6: the state goes back base64 JSON in one header; past the limit it would wedge the connection.
  it('refuses connection state over the limit when it is set, naming the limit, and sends no oversized header', async () => {
    const response = await post(user('bigstate'));
    expect(response.status).toBe(200);
    expect(response.body.refused).toMatch(/8192 bytes/);
    expect(response.body.refused).toMatch(/ce-connectionState/);
    expect(response.body).toMatchObject({ small: 'kept', blob: null });
    const header = response.headers['ce-connectionstate'];
    expect(header).toBeDefined();
    expect(JSON.parse(Buffer.from(header as string, 'base64').toString())).toEqual({ small: 'kept' });
  });

  it.each([
    ['not base64 JSON', 'not*base64'],
    ['a JSON array', Buffer.from('[1,2]').toString('base64')],
    ['JSON null', Buffer.from('null').toString('base64')],
  ])('reads a ce-connectionState that is %s as no state, and still serves the event', async (_what, value) => {
    const response = await post(user('readstate', { 'ce-connectionState': value }));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ keys: [] });
  });

  // Point 9: the service writes a non-ASCII name percent-encoded as UTF-8 (the CloudEvents HTTP binding).
  it('decodes a percent-encoded ce-eventName, so @OnUserEvent("名前") matches', async () => {
    const encoded = encodeURIComponent('名前');
    const response = await post(user('x', { 'ce-eventName': encoded, 'ce-type': `azure.webpubsub.user.${encoded}` }));
    expect(response.status).toBe(204);
    expect(seen).toEqual([{ handler: 'named', eventName: '名前' }]);
  });

  it('keeps an ASCII name with a stray % as it is', async () => {
    const response = await post(user('100%', { 'ce-eventName': '100%' }));
    expect(response.status).toBe(204);
    expect(seen).toEqual([expect.objectContaining({ handler: 'any', eventName: '100%' })]);
  });

  it('refuses an event name with control characters (encoded) with a 400 that says why', async () => {
    const response = await post(user('x', { 'ce-eventName': 'a%0D%0Ab', 'ce-type': 'azure.webpubsub.user.a%0D%0Ab' }));
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/control character/);
    expect(seen).toEqual([]);
  });

  it('a raw control character cannot even be sent in a header (Node refuses it)', async () => {
    await expect(post(user('x', { 'ce-eventName': 'a\r\nb' }))).rejects.toThrow(/Invalid character in header content/);
    expect(seen).toEqual([]);
  });

  // Point 11: Node merges unknown duplicated headers into "alice, admin".
  it.each(['ce-userId', 'ce-connectionState', 'ce-eventName'])('refuses a duplicated %s with 400', async (name) => {
    const headers: Record<string, string | string[]> = user('message');
    delete headers[name];
    headers[name] = ['alice', 'admin'];
    const response = await post(headers);
    expect(response.status).toBe(400);
    expect(response.text).toContain(name.toLowerCase());
    expect(response.text).toMatch(/more than once/);
    expect(seen).toEqual([]);
  });

  // Point 12: ce-id and ce-time, so an app can order presence events.
  it('gives every event context the ce-id and ce-time', async () => {
    const time = '2026-12-08T00:00:00.123Z';
    await post(user('message', { 'ce-id': '42', 'ce-time': time }), '"hi"').expect(204);
    await post(upstreamEventHeaders('connected', SOURCE, { 'ce-id': '7', 'ce-time': time })).expect(204);
    expect(seen).toEqual([
      { handler: 'any', eventName: 'message', eventId: '42', time },
      { handler: 'connected', eventId: '7', time },
    ]);
  });

  it('takes a 1.5 MiB JSON user event (the documented limit is 2 MiB) and refuses one over 2 MiB with 413', async () => {
    const ok = await post(user('ignore'), JSON.stringify('a'.repeat(1.5 * 1024 * 1024)));
    expect(ok.status).toBe(204);
    const tooBig = await post(user('ignore'), JSON.stringify('a'.repeat(2 * 1024 * 1024)));
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).toMatch(/2097152 bytes/);
  });

  it('never answers 500 for JSON nested 10,000 deep that no handler reads', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const connected = await post(upstreamEventHeaders('connected', SOURCE), deep);
    expect(connected.status).toBeLessThan(500);
    const ignored = await post(user('ignore'), deep);
    expect(ignored.status).toBeLessThan(500);
  });

  // Runs before the other forged request: one line per period per app.
  it('logs forged requests at most once per period with a count, attacker text cut short and escaped', async () => {
    // Node's client sends tab and latin-1 C1 bytes as they are; the log must show neither.
    const connectionId = `a\tb\u0085c${'c'.repeat(8000)}`;
    for (let i = 0; i < 20; i++) {
      await post(user('message', { 'ce-signature': FORGED, 'ce-connectionId': connectionId })).expect(401);
    }
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].text.length).toBeLessThan(800);
    expect(warnings[0].text).toContain('a\\u0009b');
    expect(warnings[0].text).toContain('\\u0085');
    expect(warnings[0].text).not.toMatch(/[\t\u0085]/);
    expect(warnings[0].text).toMatch(/more characters/);
  });

  // Point 12: a forged request's body is never read, and its connection does not outlive the 401.
  it('answers a forged request with 401 and Connection: close, and closes a trickling socket', async () => {
    const { port } = app.getHttpServer().address() as { port: number };
    const socket = connectSocket(port, '127.0.0.1');
    const headers = { ...user('message', { 'ce-signature': FORGED }), 'content-length': '100000', host: 'x' };
    socket.write(
      `POST /eventhandler HTTP/1.1\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n`,
    );
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    const trickle = setInterval(() => socket.writable && socket.write('x'), 50);
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => undefined);
      setTimeout(() => resolve(Infinity), 3000).unref();
    });
    clearInterval(trickle);
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(closedAfter).toBeLessThan(2000);
  });
});

describe('RefusalLog', () => {
  it('logs one line per period and reason, and the next one counts those left out', () => {
    let now = 0;
    const lines: string[] = [];
    const refusals = new RefusalLog(10_000, () => now);
    const log = (_level: string, message: string) => lines.push(message);
    for (let i = 0; i < 5; i++) refusals.warn(log, 'signature', `forged ${i}`);
    refusals.warn(log, 'other', 'other reason');
    now = 10_000;
    refusals.warn(log, 'signature', 'forged later');
    expect(lines).toEqual([
      'forged 0',
      'other reason',
      'forged later (4 more like it in the last 10 s, not logged one by one)',
    ]);
  });
});
