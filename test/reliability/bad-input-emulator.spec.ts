import { afterAll, describe, expect, it } from '@jest/globals';
import { WebPubSubArgumentError, WebPubSubRestClient, WebPubSubRestError } from '../../lib/index.js';
import { rawCall, restToken } from '../support/emulator-rest.js';
import { useEmulator } from '../support/emulator-stage.js';
import { expectClearMessage, expectNoSecret, SECRET_KEY, watchForCrashes } from './bad-input-harness.js';

/*
 * Bad REST calls made to the emulator with raw fetch (a properly signed token unless the row is
 * about auth). README ("The local emulator"): the data-plane REST API "with the service's status
 * codes and error bodies": the status, an ErrorDetail body { code, message, target, details,
 * inner } and the same code in `x-ms-error-code`. Messages are those of
 * lib/emulator/emulator.messages.ts. No bad call is an internal error (500), nothing shows the
 * key, and the emulator keeps serving.
 */

const crashes = watchForCrashes();
const stage = useEmulator({ accessKey: SECRET_KEY });
// Declared after useEmulator, so it runs once the emulator is stopped.
afterAll(() => crashes.check());

const V = 'api-version=2024-12-01';
const SEND = `/api/hubs/chat/:send?${V}`;
// fetch sends ' as %27 in a query; the token's audience must be the URL as sent.
const q = (value: string) => encodeURIComponent(value).replace(/'/g, '%27');
const JSON_BODY = { body: '{"text":"hi"}', contentType: 'application/json' };

interface Row {
  name: string;
  method?: string;
  path: string;
  init?: { body?: string | Buffer; contentType?: string; authorization?: string | null };
  status: number;
  what: RegExp;
  fix?: RegExp;
}

const BAD_REQUEST_ROWS: Row[] = [
  {
    name: 'an unsupported Content-Type',
    path: SEND,
    init: { body: '<x/>', contentType: 'application/xml' },
    status: 400,
    what: /^Unsupported Content-Type "application\/xml"/,
    fix: /: use application\/json, text\/plain or application\/octet-stream\.$/,
  },
  {
    name: 'text/html to a group',
    path: `/api/hubs/chat/groups/room/:send?${V}`,
    init: { body: '<b>hi</b>', contentType: 'text/html' },
    status: 400,
    what: /^Unsupported Content-Type "text\/html"/,
    fix: /use application\/json, text\/plain or application\/octet-stream\.$/,
  },
  {
    name: 'a JSON body that is not JSON',
    path: SEND,
    init: { body: '{"text":', contentType: 'application/json' },
    status: 400,
    what: /^The body is not valid JSON\.$/,
  },
  {
    name: 'a body over 1 MiB',
    path: SEND,
    init: { body: 'a'.repeat(1024 * 1024 + 1), contentType: 'text/plain' },
    status: 400,
    what: new RegExp(`^The body is larger than ${1024 * 1024} bytes\\.$`),
  },
  {
    name: 'no api-version',
    path: '/api/hubs/chat/:send',
    init: JSON_BODY,
    status: 400,
    what: /^The api-version query parameter is required/,
    fix: /e\.g\. api-version=2024-12-01\.$/,
  },
  {
    name: 'an unsupported api-version',
    path: '/api/hubs/chat/:send?api-version=latest',
    init: JSON_BODY,
    status: 400,
    what: /^The api-version "latest" is not supported\./,
    fix: /Use one of: .*2024-12-01\.$/,
  },
  {
    name: 'a hub name starting with a digit',
    path: `/api/hubs/1chat/:send?${V}`,
    init: JSON_BODY,
    status: 400,
    what: /^Invalid hub name "1chat": it must start with a letter/,
  },
  {
    name: 'a whitespace-only group name',
    path: `/api/hubs/chat/groups/%20%20/:send?${V}`,
    init: JSON_BODY,
    status: 400,
    what: /^Invalid group name: it must be 1 to 1024 characters and not only whitespace\.$/,
  },
  {
    name: 'a group name of 1025 characters',
    method: 'PUT',
    path: `/api/hubs/chat/users/alice/groups/${'g'.repeat(1025)}?${V}`,
    status: 400,
    what: /^Invalid group name: it must be 1 to 1024 characters/,
  },
  {
    name: 'an empty userId',
    path: `/api/hubs/chat/users//:send?${V}`,
    init: JSON_BODY,
    status: 400,
    what: /^Invalid userId: it must not be empty\.$/,
  },
  {
    name: 'a filter with an unclosed string',
    path: `${SEND}&filter=${q("userId eq 'alice")}`,
    init: JSON_BODY,
    status: 400,
    what: /^Invalid filter: ./,
  },
  {
    name: 'a filter on an unknown field',
    path: `${SEND}&filter=${q("nickname eq 'al'")}`,
    init: JSON_BODY,
    status: 400,
    what: /^Invalid filter: .*nickname/,
  },
  {
    name: 'messageTtlSeconds 301',
    path: `${SEND}&messageTtlSeconds=301`,
    init: JSON_BODY,
    status: 400,
    what: /^Invalid messageTtlSeconds "301": it must be a whole number from 0 to 300\.$/,
  },
  {
    name: 'messageTtlSeconds "ten"',
    path: `${SEND}&messageTtlSeconds=ten`,
    init: JSON_BODY,
    status: 400,
    what: /^Invalid messageTtlSeconds "ten"/,
  },
  {
    name: 'maxpagesize 0',
    method: 'GET',
    path: `/api/hubs/chat/groups/room/connections?${V}&maxpagesize=0`,
    status: 400,
    what: /^Invalid maxpagesize "0": it must be a whole number from 1 to 200\.$/,
  },
  {
    name: 'an unknown permission',
    method: 'PUT',
    path: `/api/hubs/chat/permissions/admin/connections/c1?${V}`,
    status: 400,
    what: /^Invalid permission "admin": use joinLeaveGroup or sendToGroup\.$/,
  },
  {
    name: 'clientType signalr on :generateToken',
    path: `/api/hubs/chat/:generateToken?${V}&clientType=signalr`,
    status: 400,
    what: /^The value 'signalr' is not valid\.$/,
  },
];

const OTHER_ROWS: Array<Row & { code: string }> = [
  {
    name: 'no Authorization header',
    path: SEND,
    init: { ...JSON_BODY, authorization: null },
    status: 401,
    code: 'Error.Unauthorized',
    what: /^Unauthorized: no access token\./,
    fix: /Send Authorization: Bearer <token> \(REST\)/,
  },
  {
    name: 'a token signed with another key',
    path: SEND,
    init: { ...JSON_BODY, authorization: 'other-key' },
    status: 401,
    code: 'Error.Unauthorized',
    what: /^Unauthorized: the access token is signed with a different key\./,
    fix: /Sign it with the emulator's access key \(use its connection string\)\.$/,
  },
  {
    name: 'an expired token',
    path: SEND,
    init: { ...JSON_BODY, authorization: 'expired' },
    status: 401,
    code: 'Error.Unauthorized',
    what: /^Unauthorized: the access token is expired/,
    fix: /Sign it with the emulator's access key/,
  },
  {
    name: 'an unknown operation',
    method: 'GET',
    path: `/api/hubs/chat/everything?${V}`,
    status: 404,
    code: 'Error.NotFound',
    what: /^No such operation\./,
    fix: /See the Web PubSub REST API \(api-version 2024-12-01\)\.$/,
  },
];

/** Rows name the kind of token; it is signed here, for the URL the row calls. */
function authorization(row: Row): string | null | undefined {
  const url = `${stage.emulator.endpoint}${row.path}`;
  const now = Math.floor(Date.now() / 1000);
  if (row.init?.authorization === 'other-key') return `Bearer ${restToken('not-the-emulator-key', url)}`;
  if (row.init?.authorization === 'expired')
    return `Bearer ${restToken(SECRET_KEY, url, { iat: now - 7200, exp: now - 3600 })}`;
  return row.init?.authorization;
}

async function expectServiceError(row: Row, code: string): Promise<void> {
  const answer = await rawCall(stage.emulator, row.method ?? 'POST', row.path, {
    ...row.init,
    authorization: authorization(row),
  });
  expect(answer.status).toBe(row.status);
  expect(answer.headers.get('x-ms-error-code')).toBe(code);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.parse(answer.text)).toEqual({
    code,
    message: expect.any(String),
    target: null,
    details: null,
    inner: null,
  });
  if (row.fix) expectClearMessage(answer.json!.message!, row.what, row.fix);
  else expect(answer.json!.message).toMatch(row.what);
  expectNoSecret(answer.text);
  // The emulator keeps serving: the good call right after is accepted.
  expect((await rawCall(stage.emulator, 'POST', SEND, JSON_BODY)).status).toBe(202);
}

describe('bad REST calls get the service status and error body', () => {
  it.each(BAD_REQUEST_ROWS.map((row) => [row.name, row] as const))('%s: 400 Error.BadRequest', async (_name, row) => {
    await expectServiceError(row, 'Error.BadRequest');
  });

  it.each(OTHER_ROWS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    await expectServiceError(row, row.code);
  });

  it('no bad call was an internal error', () => {
    expect(stage.emulator.restCalls.filter((call) => call.status >= 500)).toEqual([]);
  });
});

describe('apiVersion', () => {
  // The official SDK does not check it, so a typo would surface only at the first call: the client
  // refuses a malformed one up front, and the emulator (like the service) a well-formed unknown one.
  it('a malformed apiVersion is refused when the client is made, naming the option and the fix', () => {
    const before = stage.emulator.restCalls.length;
    let error: unknown;
    try {
      new WebPubSubRestClient(stage.emulator.connectionString, 'chat', { apiVersion: 'latest' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WebPubSubArgumentError);
    expect((error as WebPubSubArgumentError).argument).toBe('apiVersion');
    expect((error as Error).message).toBe(
      'apiVersion "latest" is invalid: use a data-plane version date such as "2024-12-01" (the default), or leave it out.',
    );
    expectNoSecret(error);
    expect(stage.emulator.restCalls.length).toBe(before);
  });

  it('an unknown version date fails at the first call with a WebPubSubRestError naming the supported ones', async () => {
    const client = new WebPubSubRestClient(stage.emulator.connectionString, 'chat', {
      apiVersion: '2019-01-01',
      retryOptions: { maxRetries: 0 },
    });
    const error = await client.sendToAll({ text: 'hi' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WebPubSubRestError);
    expect((error as WebPubSubRestError).statusCode).toBe(400);
    expect((error as Error).message).toMatch(
      /^Web PubSub sendToAll failed with HTTP 400 Error\.BadRequest: The api-version "2019-01-01" is not supported\. Use one of: .*2024-12-01\.$/,
    );
    expectNoSecret(error);
  });
});

describe('findings: bodies of the wrong shape', () => {
  // rest-operations.ts groupsBody() reads `body.groups` of JSON.parse('null'): a TypeError, so the
  // emulator answers 500 Error.Internal "The emulator failed to process the request." (and logs a
  // stack) instead of a 400.
  it('a JSON null body to :addToGroups is a 400, not an internal error', async () => {
    const answer = await rawCall(stage.emulator, 'POST', `/api/hubs/chat/:addToGroups?${V}`, {
      body: 'null',
      contentType: 'application/json',
    });
    expect(answer.json?.code).toBe('Error.BadRequest');
    expect(answer.status).toBe(400);
  });

  // An array body has no `groups` but does have `filter` (Array.prototype.filter), so the answer
  // blames a filter the caller never sent.
  it('a JSON array body to :removeFromGroups does not blame the filter', async () => {
    const answer = await rawCall(stage.emulator, 'POST', `/api/hubs/chat/:removeFromGroups?${V}`, {
      body: '[]',
      contentType: 'application/json',
    });
    expect(answer.status).toBe(400);
    expect(answer.json?.message).toMatch(/^The body must be a JSON object: \{"groups"/);
  });
});
