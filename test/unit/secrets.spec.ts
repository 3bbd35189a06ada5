import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { AzureKeyCredential } from '@azure/core-auth';
import type { PipelineRequest } from '@azure/core-rest-pipeline';
import { WebPubSubRestClient } from '../../lib/index.js';
import { useCaptureServer, type ScriptedResponse } from '../support/capture-server.js';
import { failureOf } from '../support/failure-of.js';
import { StubTokenCredential } from '../support/stub-token-credential.js';
import { recordingHttpClient } from './unit-helpers.js';

/*
 * No error of the client may carry the access key, a JWT or the connection string: not in its
 * message, its stack, JSON.stringify or util.inspect. Every kind of argument error is triggered
 * with a distinctive key in play, then service errors and a dropped connection from a real
 * loopback server.
 */

const SECRET_KEY = 'SeCrEt-Key-9f3c1e7a-LEAKCHECK+/==';
/** A JWT-shaped bearer token for the TokenCredential client: it must not leak either. */
const ENTRA_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlbnRyYS1sZWFrLWNoZWNrIn0.c2lnbmF0dXJlLWxlYWstY2hlY2s';
const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{2,}/;
const bad = (value: unknown) => value as never;

/** Every way an error can be turned into text by a logger or a developer. */
function renderings(error: unknown): Record<string, string> {
  const asError = error as Error;
  return {
    message: String(asError.message),
    stack: String(asError.stack),
    string: String(error),
    json: JSON.stringify(error) ?? '',
    inspect: inspect(error),
    inspectDeep: inspect(error, { depth: Infinity }),
  };
}

function expectNoSecrets(error: unknown, connectionString: string): void {
  expect(error).toBeInstanceOf(Error);
  for (const [how, text] of Object.entries(renderings(error))) {
    const where = `${how}: ${text.slice(0, 300)}`;
    expect({ where, key: text.includes(SECRET_KEY) }).toEqual({ where, key: false });
    expect({ where, connectionString: text.includes(connectionString) }).toEqual({ where, connectionString: false });
    expect({ where, jwt: JWT_SHAPED.exec(text)?.[0] }).toEqual({ where, jwt: undefined });
  }
}

let respond: () => ScriptedResponse = () => ({ status: 200 });
const peer = useCaptureServer(() => respond());
let connectionString: string;
let client: WebPubSubRestClient;

beforeAll(() => {
  connectionString = peer.server.connectionString(SECRET_KEY);
  client = new WebPubSubRestClient(connectionString, 'hub1', { retryOptions: { maxRetries: 0 } });
});

describe('argument errors while constructing', () => {
  const remote = 'https://x.webpubsub.azure.com';
  const cases: Array<[string, () => unknown]> = [
    ['no Endpoint part', () => new WebPubSubRestClient(`AccessKey=${SECRET_KEY};Version=1.0;`, 'hub1')],
    [
      'no AccessKey part (commas instead of semicolons)',
      () => new WebPubSubRestClient(`Endpoint=${remote},AccessKey=${SECRET_KEY},Version=1.0`, 'hub1'),
    ],
    ['a bad Port', () => new WebPubSubRestClient(`Endpoint=${remote};AccessKey=${SECRET_KEY};Port=abc;`, 'hub1')],
    [
      'an Endpoint that is not a URL',
      () => new WebPubSubRestClient(`Endpoint=https://exa mple.com;AccessKey=${SECRET_KEY};`, 'hub1'),
    ],
    [
      'plain http to a remote host',
      () => new WebPubSubRestClient(`Endpoint=http://example.com;AccessKey=${SECRET_KEY};`, 'hub1'),
    ],
    [
      'a bad hub with a connection string',
      () => new WebPubSubRestClient(`Endpoint=${remote};AccessKey=${SECRET_KEY};`, '1hub'),
    ],
    [
      'a bad hub with a key credential',
      () => new WebPubSubRestClient(remote, new AzureKeyCredential(SECRET_KEY), 'a-b'),
    ],
    [
      'a bad reverseProxyEndpoint',
      () =>
        new WebPubSubRestClient(remote, new AzureKeyCredential(SECRET_KEY), 'hub1', { reverseProxyEndpoint: 'nope' }),
    ],
    // A realistic mix-up of the two constructor forms: the connection string where the endpoint goes.
    [
      'a connection string passed as the endpoint',
      () =>
        new WebPubSubRestClient(
          `Endpoint=${remote};AccessKey=${SECRET_KEY};Version=1.0;`,
          new AzureKeyCredential(SECRET_KEY),
          'hub1',
        ),
    ],
    [
      'a connection string passed as reverseProxyEndpoint',
      () =>
        new WebPubSubRestClient(remote, new AzureKeyCredential(SECRET_KEY), 'hub1', {
          reverseProxyEndpoint: `Endpoint=${remote};AccessKey=${SECRET_KEY};`,
        }),
    ],
  ];

  it.each(cases)('%s', async (_label, attempt) => {
    const error = await failureOf(attempt);
    expectNoSecrets(error, `Endpoint=${remote};AccessKey=${SECRET_KEY}`);
  });
});

describe('argument errors of operations on a keyed client', () => {
  const circular: { self?: object } = {};
  circular.self = circular;
  const cases: Array<[string, (c: WebPubSubRestClient) => unknown]> = [
    ['hub()', (c) => c.hub('1hub')],
    ['group()', (c) => c.group('')],
    ['undefined message', (c) => c.sendToAll(bad(undefined))],
    ['bad contentType', (c) => c.sendToAll('m', bad({ contentType: 'application/xml' }))],
    ['text/plain with an object', (c) => c.sendToAll(bad({ a: 1 }), bad({ contentType: 'text/plain' }))],
    ['octet-stream with a string', (c) => c.sendToAll('m', { contentType: 'application/octet-stream' })],
    ['BigInt', (c) => c.sendToAll({ n: 1n })],
    ['circular', (c) => c.sendToAll(circular)],
    ['over 1 MiB', (c) => c.sendToAll(Buffer.alloc(1024 * 1024 + 1))],
    ['messageTtlSeconds', (c) => c.sendToAll('m', { messageTtlSeconds: 301 })],
    ['excludedConnections', (c) => c.sendToAll('m', { excludedConnections: bad([1]) })],
    ['empty userId', (c) => c.sendToUser('', 'm')],
    ['empty connectionId', (c) => c.closeConnection('')],
    ['permission', (c) => c.grantPermission('c', bad('admin'))],
    ['targetName', (c) => c.hasPermission('c', 'sendToGroup', { targetName: '  ' })],
    ['maxPageSize', (c) => c.group('g').listConnections({ maxPageSize: 500 })],
    ['no groups', (c) => c.addConnectionsToGroups([], "userId eq 'u'")],
    ['empty filter', (c) => c.removeConnectionsFromGroups(['g'], '')],
    ['roles', (c) => c.getClientAccessToken({ roles: bad([1]) })],
    ['clientProtocol', (c) => c.getClientAccessToken({ clientProtocol: bad('ws') })],
    ['expirationTimeInMinutes', (c) => c.getClientAccessToken({ expirationTimeInMinutes: 0 })],
  ];

  it.each(cases)('%s', async (_label, attempt) => {
    const error = await failureOf(() => attempt(client));
    expectNoSecrets(error, connectionString);
    // The client did sign nothing for these: the server saw no request, so no token exists yet.
  });
});

describe('errors after a request was signed and sent', () => {
  const answers: Array<[string, ScriptedResponse, (c: WebPubSubRestClient) => Promise<unknown>]> = [
    [
      '401 with an ErrorDetail body',
      {
        status: 401,
        headers: { 'content-type': 'application/json', 'x-ms-error-code': 'Unauthorized' },
        body: JSON.stringify({ code: 'Unauthorized', message: 'Invalid token.' }),
      },
      (c) => c.sendToAll({ a: 1 }),
    ],
    [
      '500 with an ErrorDetail body',
      {
        status: 500,
        headers: { 'content-type': 'application/json', 'x-ms-request-id': 'req-1' },
        body: JSON.stringify({ code: 'Error.Internal', message: 'boom' }),
      },
      (c) => c.group('g').addUser('u'),
    ],
    [
      '403 with a text body',
      { status: 403, headers: { 'content-type': 'text/plain' }, body: 'Forbidden' },
      (c) => c.closeAllConnections({ reason: 'r' }),
    ],
    ['401 on a HEAD check (no body)', { status: 401 }, (c) => c.connectionExists('c1')],
    ['a dropped connection', { status: 0, drop: true }, (c) => c.sendToUser('u', 'm', { filter: "userId eq 'x'" })],
  ];

  it.each(answers)('%s', async (_label, answer, attempt) => {
    respond = () => answer;
    try {
      const error = await failureOf(() => attempt(client));
      expect(peer.server.requests.at(-1)?.headers.authorization).toMatch(/^Bearer eyJ/);
      expectNoSecrets(error, connectionString);
    } finally {
      respond = () => ({ status: 200 });
    }
  });

  it('a 500 and a token-less :generateToken answer on a TokenCredential client do not show its bearer token', async () => {
    const calls: PipelineRequest[] = [];
    const http = recordingHttpClient(calls);
    const entra = new WebPubSubRestClient(
      'https://x.webpubsub.azure.com',
      new StubTokenCredential(ENTRA_TOKEN),
      'hub1',
      {
        retryOptions: { maxRetries: 0 },
        httpClient: {
          sendRequest: async (request) => {
            const response = await http.sendRequest(request);
            return request.url.includes(':generateToken')
              ? { ...response, bodyAsText: '{}' }
              : { ...response, status: 500, bodyAsText: '{"code":"Error.Internal"}' };
          },
        },
      },
    );
    const errors = [
      await failureOf(() => entra.sendToAll('m')),
      await failureOf(() => entra.getClientAccessToken({ userId: 'u' })),
    ];
    expect(calls.map((call) => call.headers.get('authorization'))).toEqual([
      `Bearer ${ENTRA_TOKEN}`,
      `Bearer ${ENTRA_TOKEN}`,
    ]);
    for (const error of errors) {
      expectNoSecrets(error, connectionString);
      expect(renderings(error).inspectDeep).not.toContain(ENTRA_TOKEN);
    }
  });
});
