import { describe, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubRestClient } from '../../lib/index.js';
import type { CaptureServer, CapturedRequest, ScriptedResponse } from '../support/capture-server.js';
import { loopbackCertificate } from '../support/self-signed-certificate.js';
import { StubTokenCredential } from '../support/stub-token-credential.js';
import { expectSignedFor, inSequence, officialClient, ourClient, useServers } from './transport-harness.js';

/**
 * `reverseProxyEndpoint` (e.g. API Management in front of the service), reference §2a: requests go
 * to the proxy's host with path and query unchanged, while the JWT audience keeps naming the
 * service; client access URLs keep the service host. Two loopback servers play service and proxy,
 * and the official client configured the same way is the oracle.
 */

type Shared = WebPubSubRestClient;
const operations: Array<{ name: string; run: (client: Shared) => Promise<unknown> }> = [
  {
    name: 'sendToAll with a filter',
    run: (c) => c.sendToAll('hi', { contentType: 'text/plain', filter: "userId eq 'a b'", messageTtlSeconds: 30 }),
  },
  { name: 'group(...).addUser', run: (c) => c.group('room 1').addUser('user@1') },
  { name: 'userExists', run: (c) => c.userExists('user@1') },
];

const { serve } = useServers();

/** What must agree between the clients: where it went (path + query as sent) and the audience. */
const view = (request: CapturedRequest, serviceOrigin: string) => ({
  method: request.method,
  url: request.url,
  aud: expectSignedFor(request, serviceOrigin).aud,
});

describe('reverseProxyEndpoint', () => {
  it.each(operations)(
    '$name goes to the proxy, signed for the service URL, as with the official client',
    async ({ run }) => {
      const service = await serve();
      const oursProxy = await serve();
      const officialProxy = await serve();

      await run(ourClient(service, { reverseProxyEndpoint: oursProxy.url }));
      await run(officialClient(service, { reverseProxyEndpoint: officialProxy.url }) as unknown as Shared);

      expect(service.requests).toHaveLength(0);
      expect(oursProxy.requests).toHaveLength(1);
      expect(officialProxy.requests).toHaveLength(1);
      // expectSignedFor checks aud === service origin + the path and query the proxy received.
      expect(view(oursProxy.requests[0], service.url)).toEqual(view(officialProxy.requests[0], service.url));
    },
  );

  it('a retried request goes to the proxy again, still signed for the service, as with the official client', async () => {
    const service = await serve();
    const oursProxy = await serve(inSequence({ status: 503 }, { status: 202 }));
    const officialProxy = await serve(inSequence({ status: 503 }, { status: 202 }));
    await officialClient(service, { reverseProxyEndpoint: officialProxy.url }).sendToAll({ a: 1 });
    await ourClient(service, { reverseProxyEndpoint: oursProxy.url }).sendToAll({ a: 1 });
    expect(service.requests).toHaveLength(0);
    expect(officialProxy.requests.map((request) => view(request, service.url))).toHaveLength(2);
    expect(oursProxy.requests).toHaveLength(2);
    // The second attempt must not be signed for the proxy's host (the service would answer 401).
    expect(oursProxy.requests.map((request) => view(request, service.url))).toEqual(
      officialProxy.requests.map((request) => view(request, service.url)),
    );
  });

  it('client access URLs signed locally keep the service host, as with the official client', async () => {
    const service = await serve();
    const proxy = await serve();
    const ours = await ourClient(service, { reverseProxyEndpoint: proxy.url }).getClientAccessToken({ userId: 'u1' });
    const official = await officialClient(service, { reverseProxyEndpoint: proxy.url }).getClientAccessToken({
      userId: 'u1',
    });
    // Reference §2d: ws(s) + service endpoint + /client/hubs/<hub>.
    const expected = `${service.url.replace(/^http/, 'ws')}/client/hubs/hub1`;
    expect(official.baseUrl).toBe(expected);
    expect(ours.baseUrl).toBe(expected);
    expect(ours.url.startsWith(`${expected}?access_token=`)).toBe(true);
    expect(proxy.requests).toHaveLength(0);
  });

  it('with a TokenCredential, :generateToken goes to the proxy but the URL returned keeps the service host', async () => {
    const certificate = loopbackCertificate();
    const token = (): ScriptedResponse => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'service-made-token' }),
    });
    const service = await serve(token, { tls: certificate });
    const oursProxy = await serve(token, { tls: certificate });
    const officialProxy = await serve(token, { tls: certificate });
    const options = (proxy: CaptureServer) => ({
      reverseProxyEndpoint: proxy.url,
      tlsOptions: { ca: certificate.cert },
    });

    const ours = await new WebPubSubRestClient(
      service.url,
      new StubTokenCredential(),
      'hub1',
      options(oursProxy),
    ).getClientAccessToken({ groups: ['g1'] });
    const official = await new WebPubSubServiceClient(
      service.url,
      new StubTokenCredential(),
      'hub1',
      options(officialProxy),
    ).getClientAccessToken({ groups: ['g1'] });

    expect(service.requests).toHaveLength(0);
    expect(oursProxy.requests.map((r) => r.path)).toEqual(['/api/hubs/hub1/:generateToken']);
    expect(officialProxy.requests.map((r) => r.path)).toEqual(['/api/hubs/hub1/:generateToken']);
    const expected = `${service.url.replace(/^https/, 'wss')}/client/hubs/hub1`;
    expect(official).toEqual({
      token: 'service-made-token',
      baseUrl: expected,
      url: `${expected}?access_token=service-made-token`,
    });
    expect(ours).toEqual(official);
  });
});
