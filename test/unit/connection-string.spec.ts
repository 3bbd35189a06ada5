import { describe, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import jsonwebtoken from 'jsonwebtoken';
import { WebPubSubRestClient } from '../../lib/index.js';
import { parseConnectionString } from '../../lib/client/index.js';
import { formatConnectionString } from '../../lib/client/index.js';
import { useCaptureServer } from '../support/capture-server.js';
import { expectArgumentError } from './unit-helpers.js';

/*
 * Connection strings, compared with `@azure/web-pubsub` 1.2.0 wherever it has a defined behaviour
 * (reference §2c). The official client keeps a trailing slash on its endpoint and ours does not, so
 * endpoints are compared without it.
 */

const KEY = 'cs-suite-key';
const normalized = (endpoint: string) => endpoint.replace(/\/+$/, '');

function official(connectionString: string): { endpoint: string; key: string } {
  const client = new WebPubSubServiceClient(connectionString, 'hub', { allowInsecureConnection: true });
  // The parsed key is held on the client; reading it is the only way to see what the parser kept.
  return {
    endpoint: normalized(client.endpoint),
    key: (client as unknown as { credential: { key: string } }).credential.key,
  };
}

function ours(connectionString: string): { endpoint: string; key: string } {
  const client = new WebPubSubRestClient(connectionString, 'hub', { allowInsecureConnection: true });
  const parsed = parseConnectionString(connectionString);
  expect(client.endpoint).toBe(parsed.endpoint);
  expect(client.endpoint.endsWith('/')).toBe(false);
  return { endpoint: client.endpoint, key: parsed.accessKey };
}

describe('forms both SDKs accept: same endpoint, same key', () => {
  it.each([
    [
      'the portal form with Version and a trailing ;',
      `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY};Version=1.0;`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'no trailing ;',
      `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY};Version=1.0`,
      'https://x.webpubsub.azure.com',
    ],
    ['no Version', `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY}`, 'https://x.webpubsub.azure.com'],
    [
      'parts in another order',
      `AccessKey=${KEY};Version=1.0;Endpoint=https://x.webpubsub.azure.com;`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'Port (reference example)',
      'Endpoint=http://localhost;AccessKey=ABC;Port=8080;Version=1.0;',
      'http://localhost:8080',
    ],
    [
      'Port overriding the endpoint port',
      `Endpoint=http://localhost:5000;AccessKey=${KEY};Port=8080;`,
      'http://localhost:8080',
    ],
    [
      'Port 443 on https (the default port)',
      `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY};Port=443;`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'an empty Port',
      `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY};Port=;`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'upper-case keys',
      `ENDPOINT=https://x.webpubsub.azure.com;ACCESSKEY=${KEY};VERSION=1.0;`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'lower-case keys',
      `endpoint=https://x.webpubsub.azure.com;accesskey=${KEY};version=1.0;port=8443`,
      'https://x.webpubsub.azure.com:8443',
    ],
    [
      'mixed-case keys',
      `EndPoint=https://x.webpubsub.azure.com;accessKey=${KEY};pORt=8443;`,
      'https://x.webpubsub.azure.com:8443',
    ],
    [
      'an endpoint without scheme (gets https://)',
      `Endpoint=x.webpubsub.azure.com;AccessKey=${KEY};`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'no scheme, with a port in the host',
      `Endpoint=x.webpubsub.azure.com:8443;AccessKey=${KEY};`,
      'https://x.webpubsub.azure.com:8443',
    ],
    ['an http:// endpoint', `Endpoint=http://x.webpubsub.azure.com;AccessKey=${KEY};`, 'http://x.webpubsub.azure.com'],
    ['an http:// loopback endpoint', `Endpoint=http://127.0.0.1:7071;AccessKey=${KEY};`, 'http://127.0.0.1:7071'],
    [
      'a trailing slash on the endpoint',
      `Endpoint=https://x.webpubsub.azure.com/;AccessKey=${KEY};`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'an upper-case host (URLs lower-case it)',
      `Endpoint=https://X.WebPubSub.Azure.com;AccessKey=${KEY};`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'another Version',
      `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY};Version=2.5;`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'unknown parts',
      `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY};ClientEndpoint=https://y;Foo=bar;`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'segments without =',
      `junk;Endpoint=https://x.webpubsub.azure.com;;AccessKey=${KEY};trailing junk`,
      'https://x.webpubsub.azure.com',
    ],
    [
      'a repeated part (the last wins)',
      `Endpoint=https://old.example.com;AccessKey=${KEY};Endpoint=https://x.webpubsub.azure.com;`,
      'https://x.webpubsub.azure.com',
    ],
  ])('%s', (_label, connectionString, expectedEndpoint) => {
    const mine = ours(connectionString);
    expect(mine).toEqual(official(connectionString));
    expect(mine.endpoint).toBe(expectedEndpoint);
  });

  it.each([
    ['base64 padding', 'abc+/xyz=='],
    ['= inside the key', 'a=b=c'],
    ['a key that is only =', '='],
  ])('keeps a key with %s whole', (_label, key) => {
    const connectionString = `Endpoint=https://x.webpubsub.azure.com;AccessKey=${key};Version=1.0;`;
    expect(ours(connectionString)).toEqual(official(connectionString));
    expect(parseConnectionString(connectionString).accessKey).toBe(key);
  });
});

describe('a key with = signs the wire request with the whole key', () => {
  const peer = useCaptureServer();

  it('both clients sign with the whole key; jsonwebtoken verifies each token with it', async () => {
    const key = 'c2VjcmV0LWtleQ==';
    const connectionString = `Endpoint=${peer.server.url};AccessKey=${key};Version=1.0;`;
    await new WebPubSubRestClient(connectionString, 'hub').sendToAll('hi');
    await new WebPubSubServiceClient(connectionString, 'hub', { allowInsecureConnection: true }).sendToAll('hi');
    expect(peer.server.requests).toHaveLength(2);
    for (const request of peer.server.requests) {
      const token = String(request.headers.authorization).replace(/^Bearer /, '');
      expect(() =>
        jsonwebtoken.verify(token, key, { algorithms: ['HS256'], audience: peer.server.url + request.url }),
      ).not.toThrow();
    }
  });
});

describe('what both SDKs refuse: missing Endpoint or AccessKey', () => {
  it.each([
    ['no Endpoint', `AccessKey=${KEY};Version=1.0;`, 'Endpoint'],
    ['an empty Endpoint', `Endpoint=;AccessKey=${KEY};`, 'Endpoint'],
    ['no AccessKey', 'Endpoint=https://x.webpubsub.azure.com;Version=1.0;', 'AccessKey'],
    ['an empty AccessKey', 'Endpoint=https://x.webpubsub.azure.com;AccessKey=;', 'AccessKey'],
    ['neither (a bare URL)', 'https://x.webpubsub.azure.com', 'Endpoint'],
  ])('%s: a clear error naming the part and the expected form', async (_label, connectionString, part) => {
    expect(() => official(connectionString)).toThrow(TypeError);
    const says = [
      new RegExp(`no ${part}= part`),
      /Endpoint=https:\/\/<name>\.webpubsub\.azure\.com;AccessKey=<key>/,
      /Azure portal/,
    ];
    await expectArgumentError(() => parseConnectionString(connectionString), 'connectionString', says);
    await expectArgumentError(() => new WebPubSubRestClient(connectionString, 'hub'), 'connectionString', says);
  });
});

describe('where we are stricter or more forgiving than the official client', () => {
  // The official parser does `url.port = port`: "0" gives `https://x.com:0/`, and out-of-range or
  // non-numeric values are silently dropped. We refuse them with the reason.
  it.each(['0', '70000', 'abc', '-1', '80.5', '8080x'])('refuses Port=%s', async (port) => {
    const connectionString = `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY};Port=${port};`;
    await expectArgumentError(() => parseConnectionString(connectionString), 'connectionString', [
      new RegExp(`Port "${port.replace('.', '\\.')}"`),
      /1 and 65535/,
    ]);
  });

  it.each(['1', '65535'])('accepts Port=%s (the bounds)', (port) => {
    expect(parseConnectionString(`Endpoint=http://localhost;AccessKey=${KEY};Port=${port};`).endpoint).toBe(
      `http://localhost:${port}`,
    );
  });

  // The official parser keeps the spaces and then finds no endpoint; we trim them (a common
  // copy-paste accident, documented in connection-string.ts).
  it.each([
    ['spaces around parts', ` Endpoint = https://x.webpubsub.azure.com ; AccessKey = ${KEY} ; Version = 1.0 ; `],
    ['a trailing newline', `Endpoint=https://x.webpubsub.azure.com;AccessKey=${KEY};Version=1.0;\n`],
    ['tabs', `\tEndpoint=https://x.webpubsub.azure.com;\tAccessKey=${KEY}\t;`],
  ])('trims %s', (_label, connectionString) => {
    expect(parseConnectionString(connectionString)).toEqual({
      endpoint: 'https://x.webpubsub.azure.com',
      accessKey: KEY,
    });
  });

  it('reads an upper-case scheme as a scheme (the official client prefixes https:// to "HTTP://…")', () => {
    expect(parseConnectionString(`Endpoint=HTTP://x.webpubsub.azure.com;AccessKey=${KEY};`).endpoint).toBe(
      'http://x.webpubsub.azure.com',
    );
  });

  it('refuses an endpoint that is not a URL, naming it', async () => {
    await expectArgumentError(
      () => parseConnectionString(`Endpoint=https://exa mple.com;AccessKey=${KEY};`),
      'connectionString',
      [/"https:\/\/exa mple\.com"/, /Endpoint=https:\/\//],
    );
  });

  it.each([
    ['an empty string', ''],
    ['only spaces', '   '],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { Endpoint: 'https://x' }],
  ])('refuses %s as a connection string', async (_label, value) => {
    const says = [/non-empty string/, /WEBPUBSUB_CONNECTION_STRING|Azure portal/];
    await expectArgumentError(() => parseConnectionString(value), 'connectionString', says);
  });
});

describe('formatConnectionString', () => {
  it.each([
    ['https://x.webpubsub.azure.com', 'k1'],
    ['https://x.webpubsub.azure.com/', 'abc+/xyz=='],
    ['http://127.0.0.1:7071', 'key=with=equals'],
    ['http://localhost:8080/', 'k'],
  ])('round-trips %s (ours and the official parser read it back)', (endpoint, key) => {
    const connectionString = formatConnectionString(endpoint, key);
    expect(connectionString).toMatch(/^Endpoint=[^;]+;AccessKey=[^;]+;Version=1\.0;$/);
    expect(parseConnectionString(connectionString)).toEqual({ endpoint: normalized(endpoint), accessKey: key });
    expect(official(connectionString)).toEqual({ endpoint: normalized(endpoint), key });
  });
});
