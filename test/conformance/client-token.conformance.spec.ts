import { describe, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import jsonwebtoken from 'jsonwebtoken';
import {
  AzureKeyCredential,
  WebPubSubRestClient,
  type GenerateClientTokenOptions,
  type WebPubSubClientProtocol,
} from '../../lib/index.js';
import { asSharedApi, TEST_ACCESS_KEY, useConformancePeer, type ClientPair } from './conformance-harness.js';

/*
 * getClientAccessToken with an access key: the token is signed locally, nothing goes on the wire.
 * Both clients must return the same baseUrl, a url made of baseUrl + '?access_token=' + token, and
 * tokens that verify with the key and carry the same header and claims (iat/exp may differ by the
 * clock, their difference may not). Expected URLs and audiences follow the reference (§2d).
 */

interface Setup {
  name: string;
  pair: () => ClientPair;
  /** The service origin the client URL and audience are built on (independent of both clients). */
  origin: string;
  hub: string;
}

const options = { retryOptions: { maxRetries: 0 } };
const fromConnectionString = (connectionString: string, hub: string): ClientPair => ({
  official: asSharedApi(new WebPubSubServiceClient(connectionString, hub, options)),
  ours: new WebPubSubRestClient(connectionString, hub, options),
});
const fromEndpoint = (endpoint: string, hub: string): ClientPair => ({
  official: asSharedApi(new WebPubSubServiceClient(endpoint, new AzureKeyCredential(TEST_ACCESS_KEY), hub, options)),
  ours: new WebPubSubRestClient(endpoint, new AzureKeyCredential(TEST_ACCESS_KEY), hub, options),
});
const cs = (endpoint: string, extra = '') => `Endpoint=${endpoint};AccessKey=${TEST_ACCESS_KEY};Version=1.0;${extra}`;

const setups: Setup[] = [
  {
    name: 'a connection string',
    origin: 'https://demo.webpubsub.azure.com',
    hub: 'hub1',
    pair: () => fromConnectionString(cs('https://demo.webpubsub.azure.com'), 'hub1'),
  },
  {
    name: 'a connection string without a scheme',
    origin: 'https://demo.webpubsub.azure.com',
    hub: 'hub1',
    pair: () => fromConnectionString(cs('demo.webpubsub.azure.com'), 'hub1'),
  },
  {
    name: 'a connection string with Port=8443',
    origin: 'https://demo.webpubsub.azure.com:8443',
    hub: 'hub1',
    pair: () => fromConnectionString(cs('https://demo.webpubsub.azure.com', 'Port=8443;'), 'hub1'),
  },
  {
    name: 'an http connection string with Port=8080',
    origin: 'http://localhost:8080',
    hub: 'chat',
    pair: () => fromConnectionString(cs('http://localhost', 'Port=8080;'), 'chat'),
  },
  {
    name: 'an https endpoint and AzureKeyCredential',
    origin: 'https://demo.webpubsub.azure.com',
    hub: 'hub1',
    pair: () => fromEndpoint('https://demo.webpubsub.azure.com', 'hub1'),
  },
  {
    name: 'an https endpoint with a trailing slash',
    origin: 'https://demo.webpubsub.azure.com',
    hub: 'Hub_2.v1',
    pair: () => fromEndpoint('https://demo.webpubsub.azure.com/', 'Hub_2.v1'),
  },
  {
    name: 'an https endpoint with a port',
    origin: 'https://demo.webpubsub.azure.com:8443',
    hub: 'hub1',
    pair: () => fromEndpoint('https://demo.webpubsub.azure.com:8443', 'hub1'),
  },
  {
    name: 'an http loopback endpoint',
    origin: 'http://127.0.0.1:5000',
    hub: 'hub1',
    pair: () => fromEndpoint('http://127.0.0.1:5000', 'hub1'),
  },
];

const protocols: Array<WebPubSubClientProtocol | undefined> = [undefined, 'default', 'mqtt', 'socketio'];

const claimSets: Array<{ name: string; options: GenerateClientTokenOptions }> = [
  { name: 'no options', options: {} },
  { name: 'a userId', options: { userId: 'user1' } },
  { name: 'a non-ASCII userId with reserved characters', options: { userId: 'zoë@contoso.com/☃ "q"' } },
  { name: 'an empty userId', options: { userId: '' } },
  { name: 'roles', options: { roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup.room1'] } },
  { name: 'an empty roles list', options: { roles: [] } },
  { name: 'groups', options: { groups: ['room1', 'room 2', 'ü'] } },
  { name: 'expirationTimeInMinutes 5', options: { expirationTimeInMinutes: 5 } },
  { name: 'expirationTimeInMinutes 1440', options: { expirationTimeInMinutes: 1440 } },
  { name: 'userId, roles and groups', options: { userId: 'u1', roles: ['webpubsub.sendToGroup.g1'], groups: ['g1'] } },
  {
    name: 'everything',
    options: {
      userId: 'u1',
      roles: ['webpubsub.joinLeaveGroup.g1'],
      groups: ['g1', 'g2'],
      expirationTimeInMinutes: 120,
    },
  },
];

/** The client path of each protocol (reference §2d). */
function clientPath(hub: string, protocol?: WebPubSubClientProtocol): string {
  if (protocol === 'mqtt') return `/clients/mqtt/hubs/${hub}`;
  if (protocol === 'socketio') return `/clients/socketio/hubs/${hub}`;
  return `/client/hubs/${hub}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Runs one token request on both clients and checks everything the two must agree on. */
async function expectSameClientToken(
  pair: ClientPair,
  setup: Pick<Setup, 'origin' | 'hub'>,
  request: GenerateClientTokenOptions,
): Promise<void> {
  const before = nowSeconds();
  const official = await pair.official.getClientAccessToken(request);
  const ours = await pair.ours.getClientAccessToken(request);
  const after = nowSeconds();

  const path = clientPath(setup.hub, request.clientProtocol);
  expect(official.baseUrl).toBe(setup.origin.replace(/^http/, 'ws') + path);
  expect(ours.baseUrl).toBe(official.baseUrl);
  for (const result of [official, ours]) expect(result.url).toBe(`${result.baseUrl}?access_token=${result.token}`);

  // Both verify with the key: a wrong key or algorithm fails here.
  const verify = (token: string) =>
    jsonwebtoken.verify(token, TEST_ACCESS_KEY, { algorithms: ['HS256'], complete: true });
  const [theirs, mine] = [verify(official.token), verify(ours.token)];
  expect(mine.header).toEqual(theirs.header);
  const { iat: theirIat, exp: theirExp, ...theirClaims } = theirs.payload as jsonwebtoken.JwtPayload;
  const { iat: myIat, exp: myExp, ...myClaims } = mine.payload as jsonwebtoken.JwtPayload;
  expect(myClaims).toEqual(theirClaims);
  expect(Number(myExp) - Number(myIat)).toBe(Number(theirExp) - Number(theirIat));
  // Independent checks: the audience is the https/http client URL, the lifetime what was asked for.
  expect(theirClaims.aud).toBe(setup.origin + path);
  expect(Number(theirExp) - Number(theirIat)).toBe((request.expirationTimeInMinutes ?? 60) * 60);
  for (const iat of [theirIat, myIat]) {
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(iat).toBeLessThanOrEqual(after);
  }
}

describe('official SDK conformance: client access tokens signed with the key', () => {
  describe.each(setups.map((setup) => [setup.name, setup] as const))('from %s', (_name, setup) => {
    it.each(protocols.map((protocol) => [protocol ?? 'no', protocol] as const))(
      '%s clientProtocol',
      async (_label, clientProtocol) => {
        await expectSameClientToken(setup.pair(), setup, {
          userId: 'u1',
          roles: ['webpubsub.joinLeaveGroup'],
          groups: ['g1'],
          clientProtocol,
        });
      },
    );
  });

  describe.each(protocols.map((protocol) => [protocol ?? 'no', protocol] as const))(
    '%s clientProtocol',
    (_label, clientProtocol) => {
      const setup = setups[0];
      it.each(claimSets.map((claims) => [claims.name, claims.options] as const))('with %s', async (_name, claims) => {
        await expectSameClientToken(setup.pair(), setup, { ...claims, clientProtocol });
      });
    },
  );

  describe('against a real loopback peer', () => {
    const peer = useConformancePeer();

    it('sends no request, from a connection string with Port= naming the peer', async () => {
      const connectionString = cs('http://127.0.0.1', `Port=${peer.server.port};`);
      const setup = { origin: peer.url, hub: 'hub1' };
      for (const clientProtocol of protocols) {
        await expectSameClientToken(peer.clients('hub1', connectionString), setup, {
          userId: 'u1',
          groups: ['g1'],
          clientProtocol,
        });
      }
      expect(peer.server.requests).toHaveLength(0);
    });
  });
});
