import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { RestError } from '@azure/core-rest-pipeline';
import { accessKeyOf, rawCall, restToken } from '../../support/emulator-rest.js';
import { officialClient, useRestStage } from './rest-harness.js';

/**
 * Failures as the service reports them: the status, an `ErrorDetail` body (`code`, `message`) and
 * `x-ms-error-code` (reference: web-pubsub-rest.md §1 "Common to all ops" and §4 error codes).
 * Calls the official client would refuse to build, or builds only one way, go over raw HTTP with a
 * properly signed token.
 */

const stage = useRestStage('chat', [{ name: 'a', userId: 'alice' }]);

/** Runs an official-client call that must fail, and returns its RestError. */
async function restError(call: () => Promise<unknown>): Promise<RestError> {
  const error = await call().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RestError);
  return error as RestError;
}

describe('error statuses through the official client', () => {
  const rows: Array<{ name: string; call: () => Promise<unknown>; status: number; code: string; message?: RegExp }> = [
    {
      name: 'addConnection of an unknown connection',
      call: () => stage.service.group('g').addConnection('no-such-connection'),
      status: 404,
      code: 'Error.Connection.NotExisted',
    },
    {
      name: 'grantPermission on an unknown connection',
      call: () => stage.service.grantPermission('no-such-connection', 'sendToGroup'),
      status: 404,
      code: 'Info.Connection.NotExisted',
    },
    {
      name: 'addUser for a user without connections',
      call: () => stage.service.group('g').addUser('nobody'),
      status: 404,
      code: 'Warning.User.NotExisted',
    },
    {
      name: 'a hub name starting with a digit',
      call: () => officialClient(stage.emulator, '1hub', { maxRetries: 0 }).sendToAll({}),
      status: 400,
      code: 'Error.BadRequest',
      message: /hub/i,
    },
    {
      name: 'a hub name with a dash',
      call: () => officialClient(stage.emulator, 'a-b', { maxRetries: 0 }).sendToAll({}),
      status: 400,
      code: 'Error.BadRequest',
      message: /hub/i,
    },
    {
      name: 'a whitespace-only group',
      call: () => stage.service.group('   ').sendToAll({}),
      status: 400,
      code: 'Error.BadRequest',
      message: /group/i,
    },
    {
      name: 'a group longer than 1024 characters',
      call: () => stage.service.group('g'.repeat(1025)).addUser('alice'),
      status: 400,
      code: 'Error.BadRequest',
      message: /group/i,
    },
    {
      name: 'messageTtlSeconds 301',
      call: () => stage.service.sendToAll({}, { messageTtlSeconds: 301 }),
      status: 400,
      code: 'Error.BadRequest',
      message: /messageTtlSeconds/,
    },
    {
      name: 'an invalid filter',
      call: () => stage.service.sendToAll({}, { filter: "userId eq 'a" }),
      status: 400,
      code: 'Error.BadRequest',
      message: /filter/i,
    },
    {
      name: 'an invalid filter in addConnectionsToGroups',
      call: () => stage.service.addConnectionsToGroups(['g'], 'nope eq 1'),
      status: 400,
      code: 'Error.BadRequest',
      message: /nope/,
    },
    {
      name: 'maxPageSize 201',
      call: async () => (await stage.service.group('g').listConnections({ maxPageSize: 201 })).next(),
      status: 400,
      code: 'Error.BadRequest',
      message: /maxpagesize/i,
    },
  ];

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const error = await restError(row.call);
    expect(error.statusCode).toBe(row.status);
    expect(error.code).toBe(row.code);
    expect(error.response?.headers.get('x-ms-error-code')).toBe(row.code);
    if (row.message) expect(error.message).toMatch(row.message);
  });
});

describe('error statuses over raw HTTP (inputs the clients validate or cannot produce)', () => {
  const send = '/api/hubs/chat/:send?api-version=2024-12-01';
  const rows: Array<{
    name: string;
    method: string;
    path: string;
    body?: string;
    contentType?: string;
    status: number;
    code: string;
    message: RegExp;
  }> = [
    {
      name: 'messageTtlSeconds 301',
      method: 'POST',
      path: `${send}&messageTtlSeconds=301`,
      body: '{}',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /messageTtlSeconds/,
    },
    {
      name: 'messageTtlSeconds -1',
      method: 'POST',
      path: `${send}&messageTtlSeconds=-1`,
      body: '{}',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /messageTtlSeconds/,
    },
    {
      name: 'messageTtlSeconds not a number',
      method: 'POST',
      path: `${send}&messageTtlSeconds=ten`,
      body: '{}',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /messageTtlSeconds/,
    },
    {
      name: 'a JSON body that is not JSON',
      method: 'POST',
      path: send,
      body: '{"unclosed":',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /JSON/,
    },
    {
      name: 'an unsupported Content-Type',
      method: 'POST',
      path: send,
      body: '<x/>',
      contentType: 'application/xml',
      status: 400,
      code: 'Error.BadRequest',
      message: /Content-Type/,
    },
    {
      name: 'a missing api-version',
      method: 'POST',
      path: '/api/hubs/chat/:send',
      body: '{}',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /api-version/,
    },
    {
      name: 'an unknown api-version',
      method: 'POST',
      path: '/api/hubs/chat/:send?api-version=1999-01-01',
      body: '{}',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /api-version/,
    },
    {
      name: 'an empty userId in the path',
      method: 'POST',
      path: '/api/hubs/chat/users//:send?api-version=2024-12-01',
      body: '{}',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /userId/,
    },
    {
      name: 'an invalid filter',
      method: 'POST',
      path: `${send}&filter=${encodeURIComponent('(userId eq null')}`,
      body: '{}',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /filter/,
    },
    {
      name: 'addToGroups with a body that is not JSON',
      method: 'POST',
      path: '/api/hubs/chat/:addToGroups?api-version=2024-12-01',
      body: 'groups=g',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /JSON/,
    },
    {
      name: 'addToGroups with groups not a list of strings',
      method: 'POST',
      path: '/api/hubs/chat/:addToGroups?api-version=2024-12-01',
      body: '{"groups":"g","filter":"userId eq \'a\'"}',
      contentType: 'application/json',
      status: 400,
      code: 'Error.BadRequest',
      message: /group/i,
    },
    {
      name: 'an unknown permission',
      method: 'PUT',
      path: '/api/hubs/chat/permissions/admin/connections/c1?api-version=2024-12-01',
      status: 400,
      code: 'Error.BadRequest',
      message: /permission/,
    },
    {
      name: 'clientType socketio on :generateToken',
      method: 'POST',
      path: '/api/hubs/chat/:generateToken?api-version=2024-12-01&clientType=socketio',
      status: 400,
      code: 'Error.BadRequest',
      message: /'socketio' is not valid/,
    },
    {
      name: 'minutesToExpire 0 on :generateToken',
      method: 'POST',
      path: '/api/hubs/chat/:generateToken?api-version=2024-12-01&minutesToExpire=0',
      status: 400,
      code: 'Error.BadRequest',
      message: /minutesToExpire/,
    },
    {
      name: 'an unknown route under a hub',
      method: 'GET',
      path: '/api/hubs/chat/nothing-here?api-version=2024-12-01',
      status: 404,
      code: 'Error.NotFound',
      message: /operation/,
    },
    {
      name: 'an unknown route outside /api',
      method: 'POST',
      path: '/elsewhere',
      status: 404,
      code: 'Error.NotFound',
      message: /operation/,
    },
  ];

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const answer = await rawCall(stage.emulator, row.method, row.path, {
      body: row.body,
      contentType: row.contentType,
    });
    expect(answer.status).toBe(row.status);
    expect(answer.headers.get('x-ms-error-code')).toBe(row.code);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json?.code).toBe(row.code);
    expect(answer.json?.message).toMatch(row.message);
  });

  it('answers HEAD failures with the header but no body', async () => {
    const notFound = await rawCall(
      stage.emulator,
      'HEAD',
      '/api/hubs/chat/connections/no-such-connection?api-version=2024-12-01',
    );
    expect([notFound.status, notFound.headers.get('x-ms-error-code'), notFound.text]).toEqual([
      404,
      'Warning.Connection.NotExisted',
      '',
    ]);
    const badHub = await rawCall(stage.emulator, 'HEAD', '/api/hubs/1hub/groups/g?api-version=2024-12-01');
    expect([badHub.status, badHub.headers.get('x-ms-error-code'), badHub.text]).toEqual([400, 'Error.BadRequest', '']);
    const unauthorized = await rawCall(stage.emulator, 'HEAD', '/api/hubs/chat/users/alice?api-version=2024-12-01', {
      authorization: null,
    });
    expect([unauthorized.status, unauthorized.headers.get('x-ms-error-code'), unauthorized.text]).toEqual([
      401,
      'Error.Unauthorized',
      '',
    ]);
  });
});

/** A token with any header and signature algorithm, to build the forgeries the emulator must refuse. */
function forge(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: string,
  hash: 'sha256' | 'sha512' | 'none',
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${hash === 'none' ? '' : createHmac(hash, key).update(input).digest('base64url')}`;
}

describe('401 for REST tokens the service would refuse', () => {
  const path = '/api/hubs/chat/:send?api-version=2024-12-01';
  const now = Math.floor(Date.now() / 1000);
  const url = () => `${stage.emulator.endpoint}${path}`;
  const key = () => accessKeyOf(stage.emulator);
  const cases: Array<{ name: string; authorization: () => string | null; reason: RegExp }> = [
    { name: 'no Authorization header', authorization: () => null, reason: /no access token/ },
    {
      name: 'a non-Bearer scheme',
      authorization: () => `Basic ${Buffer.from('user:pass').toString('base64')}`,
      reason: /no access token/,
    },
    {
      name: 'an expired token',
      authorization: () => `Bearer ${restToken(key(), url(), { iat: now - 7200, exp: now - 3600 })}`,
      reason: /expired/,
    },
    {
      name: 'a token without exp',
      authorization: () => `Bearer ${restToken(key(), url(), { exp: undefined })}`,
      reason: /exp/,
    },
    {
      name: 'a token signed with another key',
      authorization: () => `Bearer ${restToken('some-other-key', url())}`,
      reason: /different key/,
    },
    {
      name: 'a token for another audience',
      authorization: () => `Bearer ${restToken(key(), `${stage.emulator.endpoint}/api/hubs/other/:send`)}`,
      reason: /audience/,
    },
    {
      name: 'alg none',
      authorization: () =>
        `Bearer ${forge({ alg: 'none', typ: 'JWT' }, { aud: url(), exp: now + 600 }, key(), 'none')}`,
      reason: /HS256/,
    },
    {
      name: 'alg HS512',
      authorization: () =>
        `Bearer ${forge({ alg: 'HS512', typ: 'JWT' }, { aud: url(), exp: now + 600 }, key(), 'sha512')}`,
      reason: /HS256/,
    },
    { name: 'a malformed token', authorization: () => 'Bearer not.a-jwt', reason: /malformed/ },
  ];

  it.each(cases.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const answer = await rawCall(stage.emulator, 'POST', path, {
      body: '{}',
      contentType: 'application/json',
      authorization: row.authorization(),
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-ms-error-code')).toBe('Error.Unauthorized');
    expect(answer.json?.code).toBe('Error.Unauthorized');
    expect(answer.json?.message).toMatch(row.reason);
  });

  it('accepts the same request with a valid token (the control for the rows above)', async () => {
    expect((await rawCall(stage.emulator, 'POST', path, { body: '{}', contentType: 'application/json' })).status).toBe(
      202,
    );
  });

  it.each([
    ['the URL without its query', () => url().split('?')[0]],
    ['the URL in another letter case', () => url().toUpperCase()],
  ])('accepts an audience of %s', async (_name, audience) => {
    const answer = await rawCall(stage.emulator, 'POST', path, {
      body: '{}',
      contentType: 'application/json',
      authorization: `Bearer ${restToken(key(), audience())}`,
    });
    expect(answer.status).toBe(202);
  });

  it("accepts the emulator's own URL as audience when the request came through another host (reverse proxy)", async () => {
    const token = restToken(key(), url());
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = http.request(
        url(),
        {
          method: 'POST',
          headers: { host: 'proxy.example:8443', authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
        },
      );
      request.on('error', reject);
      request.end('{}');
    });
    expect(status).toBe(202);
  });

  it('rejects the official client built from a connection string with the wrong key', async () => {
    const wrong = officialClient(stage.emulator, 'chat', {
      maxRetries: 0,
      connectionString: stage.emulator.connectionString.replace(/AccessKey=[^;]+/, 'AccessKey=wrong-key'),
    });
    const error = await restError(() => wrong.sendToAll({ hi: 1 }));
    expect([error.statusCode, error.code]).toEqual([401, 'Error.Unauthorized']);
  });
});
