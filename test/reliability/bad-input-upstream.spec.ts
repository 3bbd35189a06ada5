import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  OnConnect,
  OnUserEvent,
  WebPubSubEventHandler,
  WebPubSubModule,
  type UserEventRequest,
} from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { ceSignature, upstreamEventHeaders, type UpstreamEventSource } from '../support/upstream-events.js';
import { expectClearMessage, expectNoSecret, SECRET_KEY, watchForCrashes } from './bad-input-harness.js';

/*
 * Bad upstream requests to /eventhandler. README ("Upstream events"): a missing or wrong signature
 * gets 401 and a warn log; a disallowed origin 403; requests that are not Web PubSub CloudEvents,
 * are for an unknown hub or have malformed bodies get 400; a body over 2 MiB 413; any error of a
 * handler that is not an HttpException a 500 and an `error` log with the handler's name. Messages
 * are those of lib/events/events.messages.ts. No handler runs for a refused request, nothing shows
 * the key, and the app keeps serving.
 */

const SERVICE_HOST = 'contoso.webpubsub.azure.com';
const CONNECTION_ID = 'conn-bad-input';
const handled: string[] = [];

@WebPubSubEventHandler({ hub: 'chat' })
class ChatEvents {
  @OnConnect()
  connect() {
    handled.push('connect');
    return { userId: 'alice' };
  }

  @OnUserEvent('echo')
  echo(event: UserEventRequest) {
    handled.push('echo');
    return event.data;
  }

  @OnUserEvent('fail')
  fail() {
    handled.push('fail');
    throw new Error('the order store is down');
  }

  @OnUserEvent('big')
  big() {
    handled.push('big');
    return { total: 10n };
  }
}

@WebPubSubEventHandler({ hub: 'lobby' })
class LobbyEvents {
  @OnConnect()
  connect() {
    handled.push('lobby connect');
    const answer: Record<string, unknown> = { userId: 'bob' };
    answer.self = answer;
    return answer as never;
  }
}

/** The connection the well-formed events come from, signed with the app's key. */
const SOURCE: UpstreamEventSource = { hub: 'chat', connectionId: CONNECTION_ID, key: SECRET_KEY, origin: SERVICE_HOST };

/** A well-formed, signed CloudEvent's headers with a JSON body, with overrides (undefined removes a header). */
const headers = (event: string, overrides: Record<string, string | undefined> = {}) =>
  upstreamEventHeaders(event, SOURCE, { 'content-type': 'application/json', ...overrides });

const crashes = watchForCrashes();
const logs = new CapturingLogger();
let app: INestApplication;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [
      WebPubSubModule.forRoot({
        connectionString: `Endpoint=https://${SERVICE_HOST};AccessKey=${SECRET_KEY};Version=1.0;`,
        hub: 'chat',
        httpLogging: 'off',
      }),
    ],
    providers: [ChatEvents, LobbyEvents],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  app.useLogger(logs);
  await app.init();
});
afterAll(async () => {
  await app.close();
  await crashes.check();
});
beforeEach(() => {
  handled.length = 0;
  logs.lines.length = 0;
});

interface Row {
  name: string;
  method?: 'post' | 'put';
  headers: Record<string, string>;
  body?: string | Buffer;
  status: number;
  what: RegExp;
  fix?: RegExp;
}

const NOT_CLOUD_EVENT =
  /^Not a Web PubSub CloudEvent: ce-awpsversion, ce-type \(azure\.webpubsub\.\*\), ce-hub and ce-connectionId headers are required\.$/;
const BAD_SIGNATURE = /^The ce-signature header is missing or does not match any access key\.$/;
const MALFORMED = /^The event body is not valid JSON\.$/;

const rows: Row[] = [
  {
    name: 'no CloudEvents headers at all',
    headers: { 'content-type': 'application/json' },
    status: 400,
    what: NOT_CLOUD_EVENT,
  },
  {
    name: 'no ce-connectionId',
    headers: headers('connect', { 'ce-connectionId': undefined }),
    status: 400,
    what: NOT_CLOUD_EVENT,
  },
  {
    name: 'a ce-type outside azure.webpubsub.*',
    headers: headers('connect', { 'ce-type': 'com.example.connect' }),
    status: 400,
    what: NOT_CLOUD_EVENT,
  },
  { name: 'a PUT instead of a POST', method: 'put', headers: headers('connect'), status: 400, what: NOT_CLOUD_EVENT },
  {
    name: 'no WebHook-Request-Origin',
    headers: headers('connect', { 'webhook-request-origin': undefined }),
    status: 400,
    what: /^WebHook-Request-Origin header is required \(abuse protection\)\./,
    fix: /Only Azure Web PubSub should call this route\.$/,
  },
  {
    name: 'a disallowed origin',
    headers: headers('connect', { 'webhook-request-origin': 'evil.example.com' }),
    status: 403,
    what: /^Origin "evil\.example\.com" is not an allowed Web PubSub service\./,
    fix: /Add its host to `events\.allowedOrigins` of WebPubSubModule if it is yours\.$/,
  },
  {
    name: 'an unknown hub',
    headers: headers('connect', { 'ce-hub': 'other' }),
    status: 400,
    what: /^No @WebPubSubEventHandler\(\{ hub: 'other' \}\) is registered\./,
    fix: /Add one, or point the hub's event handler elsewhere\.$/,
  },
  {
    name: 'a signature made with another key',
    headers: headers('connect', { 'ce-signature': ceSignature('someone-elses-key', CONNECTION_ID) }),
    status: 401,
    what: BAD_SIGNATURE,
  },
  {
    name: 'no signature',
    headers: headers('connect', { 'ce-signature': undefined }),
    status: 401,
    what: BAD_SIGNATURE,
  },
  {
    name: 'malformed JSON on connect',
    headers: headers('connect'),
    body: '{"claims": {',
    status: 400,
    what: MALFORMED,
  },
  { name: 'a bare number as the connect body', headers: headers('connect'), body: '5', status: 400, what: MALFORMED },
  {
    name: 'malformed JSON on a JSON user event',
    headers: headers('echo'),
    body: '{not json',
    status: 400,
    what: MALFORMED,
  },
  {
    name: 'a body over 2 MiB',
    headers: headers('echo', { 'content-type': 'application/octet-stream' }),
    body: Buffer.alloc(2 * 1024 * 1024 + 1),
    status: 413,
    what: new RegExp(`^The event body is larger than ${2 * 1024 * 1024} bytes\\.$`),
  },
  {
    name: 'an unknown system event',
    headers: headers('bogus', { 'ce-type': 'azure.webpubsub.sys.bogus' }),
    status: 400,
    what: /^Unsupported event type "azure\.webpubsub\.sys\.bogus"\.$/,
  },
  {
    name: 'a user event without a handler',
    headers: headers('nope'),
    body: '{}',
    status: 404,
    what: /^Hub "chat" has no @OnUserEvent\('nope'\) \(or '\*'\) handler\.$/,
  },
];

/** A good event after each bad one: the app still answers, and the handler echoes its data. */
async function expectStillServing(): Promise<void> {
  const response = await request(app.getHttpServer())
    .post('/eventhandler/echo')
    .set(headers('echo'))
    .send('{"still":"serving"}');
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ still: 'serving' });
}

describe('bad upstream requests are refused before any handler runs', () => {
  // First of this app's forged requests: refusals are logged one line per 10 s, with a count of the others.
  it('a refused signature is logged at warn naming hub and connection, without the signature', async () => {
    const forged = ceSignature('someone-elses-key', CONNECTION_ID);
    await request(app.getHttpServer())
      .post('/eventhandler')
      .set(headers('connect', { 'ce-signature': forged }))
      .send('{}')
      .expect(401);
    const warnings = logs.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(
      new RegExp(`^Rejected an upstream event for hub "chat", connection "${CONNECTION_ID}" from "${SERVICE_HOST}"`),
    );
    expectNoSecret(logs.text(), [SECRET_KEY, forged.slice('sha256='.length)]);
  });

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const response = await request(app.getHttpServer())
      [row.method ?? 'post']('/eventhandler')
      .set(row.headers)
      .send(row.body ?? '{}');
    expect(response.status).toBe(row.status);
    // Nest's HttpException body, with the documented message.
    expect(response.body.statusCode).toBe(row.status);
    if (row.fix) expectClearMessage(response.body.message, row.what, row.fix);
    else expect(response.body.message).toMatch(row.what);
    expect(handled).toEqual([]);
    expectNoSecret(response.text + logs.text());
    await expectStillServing();
  });
});

describe('handlers that fail', () => {
  it('an error thrown by a handler is a 500 to the service and an error log with the handler name', async () => {
    const response = await request(app.getHttpServer()).post('/eventhandler').set(headers('fail')).send('{}');
    expect(response.status).toBe(500);
    expect(handled).toEqual(['fail']);
    expect(logs.errors()).toEqual([
      expect.stringMatching(/^Web PubSub event handler ChatEvents\.fail failed: the order store is down$/),
    ]);
    await expectStillServing();
  });

  // Finding: the answer is serialised outside the handler's try/catch (events.dispatcher.ts
  // toUserEventResponse / the connect case), so Nest's ExceptionsHandler logs a bare TypeError
  // that names neither the handler nor a fix, instead of the documented handler error line.
  it.each([
    ['a user event handler returning a BigInt', headers('big'), 'ChatEvents.big'],
    ['a connect handler returning a circular answer', headers('connect', { 'ce-hub': 'lobby' }), 'LobbyEvents.connect'],
  ])('%s: 500, and an error log naming the handler', async (_name, eventHeaders, handler) => {
    const response = await request(app.getHttpServer()).post('/eventhandler').set(eventHeaders).send('{}');
    expect(response.status).toBe(500);
    expect(handled).toHaveLength(1);
    await expectStillServing();
    expect(logs.errors()).toEqual([expect.stringContaining(`Web PubSub event handler ${handler} failed`)]);
  });
});
