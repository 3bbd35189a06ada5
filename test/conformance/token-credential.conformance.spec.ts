import { describe, expect, it } from '@jest/globals';
import type { AccessToken } from '@azure/core-auth';
import type { TokenCredential } from '../../lib/index.js';
import { invalidValueAnswer, type CapturedRequest } from '../support/capture-server.js';
import {
  bearerToken,
  rejection,
  useConformancePeer,
  wireView,
  type ConformanceCase,
  type Operation,
} from './conformance-harness.js';
import { loopbackCertificate } from '../support/self-signed-certificate.js';

/*
 * Both clients built from (endpoint, TokenCredential, hub), as with Entra ID. There is no Entra ID
 * here, so the credential is a stub that records the scopes it is asked for and hands out a fixed
 * token; everything else is real: an https loopback peer (bearer tokens are never sent over plain
 * http) that both clients trust through `tlsOptions.ca`. Requests must be equal on the wire, carry
 * `Authorization: Bearer <that token>`, and the credential must be asked for the Web PubSub scope.
 */

const SERVICE_TOKEN_FROM_ENTRA = 'stub-entra-access-token';
/** The data-plane scope (reference §2b). */
const WEB_PUBSUB_SCOPE = 'https://webpubsub.azure.com/.default';
/** What the peer's `:generateToken` answers (the capture server's default). */
const CLIENT_TOKEN_FROM_SERVICE = 'token-from-service';

class RecordingCredential implements TokenCredential {
  readonly scopesAsked: string[][] = [];

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopesAsked.push(Array.isArray(scopes) ? [...scopes] : [scopes]);
    return { token: SERVICE_TOKEN_FROM_ENTRA, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

interface CredentialCase extends Omit<ConformanceCase, 'expected'> {
  /** What the official client must return, from the peer's origin (checked independently). */
  expected?: (origin: string) => unknown;
  /** Query pairs the official request must carry, from the reference (§2d). */
  query?: Array<[string, string]>;
}

const done =
  (run: Operation): Operation =>
  async (client) => {
    await run(client);
  };

/** The `{token, baseUrl, url}` the reference (§2d) says a client token call returns. */
const clientToken = (path: string) => (origin: string) => {
  const baseUrl = origin.replace(/^https/, 'wss') + path;
  return { token: CLIENT_TOKEN_FROM_SERVICE, baseUrl, url: `${baseUrl}?access_token=${CLIENT_TOKEN_FROM_SERVICE}` };
};

/** The service's 400 for `clientType=socketio` at api 2024-01-01, from a real-service recording. */
const socketIoRejected = () => invalidValueAnswer('clientType', 'socketio');

const operationCases: CredentialCase[] = [
  { name: 'sendToAll JSON', run: done((c) => c.sendToAll({ hello: 'world' }, { excludedConnections: ['c1'] })) },
  { name: 'group.sendToAll text', run: done((c) => c.group('room 1').sendToAll('hi', { contentType: 'text/plain' })) },
  { name: 'group.addConnection', run: done((c) => c.group('room 1').addConnection('conn/1')) },
  {
    name: 'closeAllConnections with reason and excluded',
    run: done((c) => c.closeAllConnections({ reason: 'bye', excluded: ['c1', 'c 2'] })),
  },
  { name: 'connectionExists answered 200', run: (c) => c.connectionExists('conn1'), expected: () => true },
  {
    name: 'connectionExists answered 404',
    run: (c) => c.connectionExists('conn1'),
    respond: () => ({ status: 404 }),
    expected: () => false,
  },
  {
    name: 'grantPermission with targetName',
    run: done((c) => c.grantPermission('conn1', 'sendToGroup', { targetName: 'room 1' })),
  },
  { name: 'hasPermission', run: (c) => c.hasPermission('conn1', 'joinLeaveGroup'), expected: () => true },
  { name: 'an operation on another hub', hub: 'Hub_2.v1', run: done((c) => c.group('g').removeUser('u@1')) },
];

const tokenCases: CredentialCase[] = [
  // The official client sends minutesToExpire=60 when none is given (reference §2d).
  {
    name: 'getClientAccessToken without options',
    run: (c) => c.getClientAccessToken(),
    expected: clientToken('/client/hubs/hub1'),
    query: [
      ['api-version', '2024-12-01'],
      ['minutesToExpire', '60'],
    ],
  },
  {
    name: 'getClientAccessToken with userId, roles, groups and expiry',
    run: (c) =>
      c.getClientAccessToken({
        userId: 'user1',
        roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup.g1'],
        groups: ['g1', 'g2'],
        expirationTimeInMinutes: 5,
      }),
    expected: clientToken('/client/hubs/hub1'),
    query: [
      ['api-version', '2024-12-01'],
      ['userId', 'user1'],
      ['role', 'webpubsub.joinLeaveGroup'],
      ['role', 'webpubsub.sendToGroup.g1'],
      ['minutesToExpire', '5'],
      ['group', 'g1'],
      ['group', 'g2'],
    ],
  },
  {
    name: 'getClientAccessToken with names needing encoding',
    run: (c) =>
      c.getClientAccessToken({
        userId: 'zoë@contoso.com/☃',
        groups: ['room 1', "it's"],
        roles: ['webpubsub.sendToGroup.room 1'],
      }),
    expected: clientToken('/client/hubs/hub1'),
  },
  {
    name: 'getClientAccessToken with clientProtocol default',
    run: (c) => c.getClientAccessToken({ clientProtocol: 'default' }),
    expected: clientToken('/client/hubs/hub1'),
  },
  {
    name: 'getClientAccessToken with clientProtocol mqtt',
    run: (c) => c.getClientAccessToken({ clientProtocol: 'mqtt', userId: 'u1' }),
    expected: clientToken('/clients/mqtt/hubs/hub1'),
  },
  {
    name: 'getClientAccessToken with clientProtocol socketio',
    run: (c) => c.getClientAccessToken({ clientProtocol: 'socketio' }),
    expected: clientToken('/clients/socketio/hubs/hub1'),
    query: [
      ['api-version', '2024-12-01'],
      ['minutesToExpire', '60'],
      ['clientType', 'socketio'],
    ],
  },
  {
    name: 'getClientAccessToken on another hub',
    hub: 'Hub_2.v1',
    run: (c) => c.getClientAccessToken({ userId: 'u1' }),
    expected: clientToken('/client/hubs/Hub_2.v1'),
  },
  {
    name: 'getClientAccessToken answered 400 rejects both',
    run: rejection((c) => c.getClientAccessToken({ clientProtocol: 'socketio', groups: ['group1'] })),
    respond: socketIoRejected,
    expected: () => ({ statusCode: 400, code: 'Error.BadRequest' }),
  },
];

describe('official SDK conformance: clients authenticated with a TokenCredential', () => {
  const peer = useConformancePeer(() => ({ tls: loopbackCertificate() }));

  it.each([...operationCases, ...tokenCases].map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    async (_name, testCase) => {
      const credentials: RecordingCredential[] = [];
      const { expected, query, ...conformanceCase } = testCase;
      const { official, ours } = await peer.runCase(conformanceCase, (hub) =>
        peer.credentialClients(() => {
          const credential = new RecordingCredential();
          credentials.push(credential);
          return credential;
        }, hub),
      );
      const [officialCredential, ourCredential] = credentials;

      expect(official.requests.length).toBeGreaterThan(0);
      const bearerView = (request: CapturedRequest) => wireView(request, { auth: 'bearer' });
      expect(ours.requests.map(bearerView)).toEqual(official.requests.map(bearerView));
      for (const request of [...official.requests, ...ours.requests])
        expect(bearerToken(request.headers)).toBe(SERVICE_TOKEN_FROM_ENTRA);
      expect(ours.result).toEqual(official.result);
      if (expected) expect(official.result).toEqual(expected(peer.url));
      if (query) expect([...official.requests[0].query].sort()).toEqual([...query].sort());

      expect(officialCredential.scopesAsked.length).toBeGreaterThan(0);
      expect(ourCredential.scopesAsked).toEqual(officialCredential.scopesAsked);
      for (const scopes of officialCredential.scopesAsked) expect(scopes).toEqual([WEB_PUBSUB_SCOPE]);
    },
  );
});
