import { describe, expect, it } from '@jest/globals';
import { AzureKeyCredential } from '@azure/core-auth';
import { WebPubSubRestClient } from '../../lib/index.js';
import { StubTokenCredential } from '../support/stub-token-credential.js';
import { expectArgumentError, expectNothingSent, UNIT_KEY, useLoopbackPeer } from './unit-helpers.js';

/*
 * Construction: the credential, the endpoint, plain http to a remote host, and the reverse proxy
 * are checked when the client is built, so a misconfigured app fails at startup, not on its first
 * message. Connection strings have their own suite (connection-string.spec.ts).
 */

const peer = useLoopbackPeer();
const bad = (value: unknown) => value as never;
const key = () => new AzureKeyCredential(UNIT_KEY);

describe('credential', () => {
  it.each([
    ['an empty object', {}],
    ['null', null],
    ['a number', 42],
    ['an object whose key is not a string', { key: 42 }],
    ['an object whose getToken is not a function', { getToken: 'token' }],
  ])('rejects %s as the credential', async (_label, credential) => {
    await expectArgumentError(
      () => new WebPubSubRestClient('https://x.webpubsub.azure.com', bad(credential), 'hub1'),
      'credential',
      [/AzureKeyCredential/, /TokenCredential/, /connection string/],
    );
  });

  it.each([
    ['a blank AzureKeyCredential', () => new AzureKeyCredential('   ')],
    ['a key-shaped object with an empty key', () => ({ key: '' })],
  ])('rejects %s: the access key is empty', async (_label, credential) => {
    await expectArgumentError(
      () => new WebPubSubRestClient('https://x.webpubsub.azure.com', bad(credential()), 'hub1'),
      'credential',
      [/access key is empty/i, /Azure portal/],
    );
  });

  it('accepts an AzureKeyCredential and a TokenCredential', () => {
    expect(new WebPubSubRestClient('https://x.webpubsub.azure.com', key(), 'hub1').endpoint).toBe(
      'https://x.webpubsub.azure.com',
    );
    expect(new WebPubSubRestClient('https://x.webpubsub.azure.com', new StubTokenCredential(), 'hub1').hubName).toBe(
      'hub1',
    );
  });
});

describe('endpoint', () => {
  it.each([
    ['an empty string', ''],
    ['a bare word', 'not a url'],
    ['ftp://', 'ftp://x.webpubsub.azure.com'],
    ['no scheme', 'x.webpubsub.azure.com'],
    ['a scheme only', 'https://'],
    ['a number', 42],
  ])('rejects %s', async (_label, endpoint) => {
    await expectArgumentError(() => new WebPubSubRestClient(bad(endpoint), key(), 'hub1'), 'endpoint', [
      /not a valid http\(s\) URL/,
      /https:\/\/<name>/,
    ]);
  });
});

describe('plain http:// to a host that is not loopback', () => {
  const remote = ['http://example.com', 'http://10.0.0.5:8080', 'http://x.webpubsub.azure.com'];
  const says = [/http:\/\//, /not loopback/i, /unencrypted/i, /https:\/\//, /allowInsecureConnection/];

  it.each(remote)('refuses %s given as an endpoint', async (endpoint) => {
    await expectArgumentError(() => new WebPubSubRestClient(endpoint, key(), 'hub1'), 'endpoint', says);
  });

  it.each(remote)('refuses %s given in a connection string', async (endpoint) => {
    await expectArgumentError(
      () => new WebPubSubRestClient(`Endpoint=${endpoint};AccessKey=${UNIT_KEY};Version=1.0;`, 'hub1'),
      'endpoint',
      says,
    );
  });

  it.each(remote)('allows %s with allowInsecureConnection: true', (endpoint) => {
    expect(new WebPubSubRestClient(endpoint, key(), 'hub1', { allowInsecureConnection: true }).endpoint).toBe(
      new URL(endpoint).origin,
    );
  });

  it.each(['http://127.0.0.1:1', 'http://localhost:1', 'http://[::1]:1'])(
    'allows loopback %s without the option',
    (endpoint) => {
      expect(new WebPubSubRestClient(endpoint, key(), 'hub1').endpoint).toBe(endpoint);
    },
  );

  it('sends to a loopback http endpoint (the peer receives the call)', async () => {
    await new WebPubSubRestClient(peer.server.url, key(), 'hub1').sendToAll('hi');
    expect(peer.server.requests).toHaveLength(1);
  });
});

describe('reverseProxyEndpoint', () => {
  const endpoint = 'https://x.webpubsub.azure.com';

  it.each([
    ['a bare word', 'not a url'],
    ['ftp://', 'ftp://apim.example.com'],
    ['an empty string', ''],
    ['a number', 7],
  ])('rejects %s', async (_label, proxy) => {
    await expectArgumentError(
      () => new WebPubSubRestClient(endpoint, key(), 'hub1', { reverseProxyEndpoint: bad(proxy) }),
      'reverseProxyEndpoint',
      [/reverseProxyEndpoint/, /not a valid http\(s\) URL/],
    );
  });

  it('refuses a plain-http proxy on a remote host, naming reverseProxyEndpoint as the culprit', async () => {
    await expectArgumentError(
      () => new WebPubSubRestClient(endpoint, key(), 'hub1', { reverseProxyEndpoint: 'http://apim.example.com' }),
      'reverseProxyEndpoint',
      [/http:\/\/apim\.example\.com/, /allowInsecureConnection/],
    );
    expect(
      new WebPubSubRestClient(endpoint, key(), 'hub1', {
        reverseProxyEndpoint: 'http://apim.example.com',
        allowInsecureConnection: true,
      }).endpoint,
    ).toBe(endpoint);
  });

  it('accepts a loopback proxy, and the call goes to it (only the host is swapped, reference §2a)', async () => {
    // The scheme of the endpoint is kept, so both are plain http here; port 1 has no listener.
    const client = new WebPubSubRestClient('http://127.0.0.1:1', key(), 'hub1', {
      reverseProxyEndpoint: peer.server.url,
      retryOptions: { maxRetries: 0 },
    });
    await client.sendToAll('hi');
    expect(peer.server.requests.map((request) => request.path)).toEqual(['/api/hubs/hub1/:send']);
  });

  it('checks the proxy before anything is sent', async () => {
    await expectArgumentError(
      () => new WebPubSubRestClient(peer.server.url, key(), 'hub1', { reverseProxyEndpoint: 'nope' }),
      'reverseProxyEndpoint',
      [],
    );
    expectNothingSent(peer);
  });
});
