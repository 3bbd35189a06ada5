import { describe, expect, it } from '@jest/globals';
import {
  buildAddConnectionsToGroupsRequest,
  buildCheckPermissionRequest,
  buildCloseAllConnectionsRequest,
  buildCloseConnectionRequest,
  buildCloseGroupConnectionsRequest,
  buildCloseUserConnectionsRequest,
  buildGenerateClientTokenRequest,
  buildGrantPermissionRequest,
  buildListConnectionsInGroupRequest,
  buildRemoveConnectionsFromGroupsRequest,
  buildRevokePermissionRequest,
  buildSendToAllRequest,
  buildSendToConnectionRequest,
  buildSendToGroupRequest,
  buildSendToUserRequest,
} from '../../lib/rest/index.js';
import { expectArgumentError, expectNothingSent, useLoopbackPeer, type SilentPeer } from './unit-helpers.js';

/*
 * Options: integer ranges (messageTtlSeconds 0..300, minutesToExpire ≥ 1, maxpagesize 1..200,
 * top ≥ 1 per the REST spec), targetName, string lists, filters, and the client-token options.
 * Each bad value fails on the builder; options the client checks itself (getClientAccessToken) fail
 * on the client before anything is sent. That each client method uses its builder is
 * validation-delegation.spec.ts.
 */

const peer = useLoopbackPeer();
const bad = (value: unknown) => value as never;

type EntryPoint = [name: string, attempt: (peer: SilentPeer, value: unknown) => unknown];

/** Crosses bad values with entry points into `it.each` rows. */
function rows(values: unknown[], entryPoints: EntryPoint[]) {
  return values.flatMap((value) =>
    entryPoints.map(
      ([name, attempt]) => [`${String(JSON.stringify(value) ?? value)} via ${name}`, value, attempt] as const,
    ),
  );
}

/** Each row must fail with `argument` and a message matching `says` (which names the argument unless told otherwise). */
function rejectsEach(
  argument: string,
  says: RegExp[],
  values: unknown[],
  entryPoints: EntryPoint[],
  namesArgument = true,
): void {
  it.each(rows(values, entryPoints))('rejects %s', async (_name, value, attempt) => {
    await expectArgumentError(
      () => attempt(peer, value),
      argument,
      namesArgument ? [new RegExp(argument), ...says] : says,
    );
    expectNothingSent(peer);
  });
}

describe('messageTtlSeconds: a whole number from 0 to 300', () => {
  rejectsEach(
    'messageTtlSeconds',
    [/\b0\b/, /\b300\b/, /whole number/i],
    [-1, 301, 1.5, '10', NaN, Infinity],
    [
      [
        'buildSendToAllRequest',
        (_p, ttl) => buildSendToAllRequest({ hub: 'hub1' }, 'm', { messageTtlSeconds: bad(ttl) }),
      ],
      [
        'buildSendToGroupRequest',
        (_p, ttl) => buildSendToGroupRequest({ hub: 'hub1' }, 'g', 'm', { messageTtlSeconds: bad(ttl) }),
      ],
      [
        'buildSendToUserRequest',
        (_p, ttl) => buildSendToUserRequest({ hub: 'hub1' }, 'u', 'm', { messageTtlSeconds: bad(ttl) }),
      ],
      [
        'buildSendToConnectionRequest',
        (_p, ttl) => buildSendToConnectionRequest({ hub: 'hub1' }, 'c', 'm', { messageTtlSeconds: bad(ttl) }),
      ],
    ],
  );

  it.each([0, 300])('accepts %d, which reaches the peer as a query parameter', async (ttl) => {
    await peer.client.sendToAll('m', { messageTtlSeconds: ttl });
    expect(peer.server.requests[0].query).toContainEqual(['messageTtlSeconds', String(ttl)]);
  });
});

describe('maxPageSize (1 to 200) and top (at least 1) of listConnections', () => {
  const list = (options: object): EntryPoint[] => [
    ['buildListConnectionsInGroupRequest', () => buildListConnectionsInGroupRequest({ hub: 'hub1' }, 'g', options)],
  ];
  for (const size of [0, 201, 1.5, '10', -1]) {
    describe(`maxPageSize ${JSON.stringify(size)}`, () =>
      rejectsEach('maxPageSize', [/\b1\b/, /\b200\b/], [size], list({ maxPageSize: size })));
  }
  for (const top of [0, -1, 1.5, 2 ** 31, '5']) {
    describe(`top ${JSON.stringify(top)}`, () => rejectsEach('top', [/\b1\b/, /whole number/i], [top], list({ top })));
  }
  describe('continuationToken that is not a string', () =>
    rejectsEach('continuationToken', [/must be a string/i], [42], list({ continuationToken: 42 })));

  it.each([
    [{ maxPageSize: 1 }, ['maxpagesize', '1']],
    [{ maxPageSize: 200 }, ['maxpagesize', '200']],
    [{ top: 1 }, ['top', '1']],
  ])('accepts %j, and the listing reaches the peer', async (options, pair) => {
    const members = [];
    for await (const member of await peer.client.group('g').listConnections(options)) members.push(member);
    expect(members.length).toBeGreaterThan(0);
    expect(peer.server.requests[0].query).toContainEqual(pair);
  });
});

describe('minutesToExpire / expirationTimeInMinutes: a whole number, at least 1', () => {
  rejectsEach(
    'minutesToExpire',
    [/\b1\b/, /whole number/i],
    [0, -1, 1.5, '5'],
    [
      [
        'buildGenerateClientTokenRequest',
        (_p, minutes) => buildGenerateClientTokenRequest({ hub: 'hub1' }, { minutesToExpire: bad(minutes) }),
      ],
    ],
  );
  rejectsEach(
    'expirationTimeInMinutes',
    [/\b1\b/, /whole number/i],
    [0, -1, 1.5, '5'],
    [
      [
        'getClientAccessToken() with a key',
        (p, minutes) => p.client.getClientAccessToken({ expirationTimeInMinutes: bad(minutes) }),
      ],
      [
        'getClientAccessToken() with a TokenCredential',
        (p, minutes) => p.entraClient.getClientAccessToken({ expirationTimeInMinutes: bad(minutes) }),
      ],
    ],
  );

  it('accepts 1 minute (the token lives 60 seconds; with a TokenCredential the service is asked for 1)', async () => {
    const { token } = await peer.client.getClientAccessToken({ expirationTimeInMinutes: 1 });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBe(60);
    await peer.entraClient.getClientAccessToken({ expirationTimeInMinutes: 1 });
    expect(new URL(peer.entraCalls[0].url).searchParams.get('minutesToExpire')).toBe('1');
  });
});

describe('targetName: a group name (1 to 1024 characters, not only whitespace)', () => {
  rejectsEach(
    'targetName',
    [/1024/, /whitespace/i],
    ['', '   ', 'x'.repeat(1025), 42],
    [
      [
        'buildGrantPermissionRequest',
        (_p, targetName) =>
          buildGrantPermissionRequest({ hub: 'hub1' }, 'sendToGroup', 'c', { targetName: bad(targetName) }),
      ],
      [
        'buildRevokePermissionRequest',
        (_p, targetName) =>
          buildRevokePermissionRequest({ hub: 'hub1' }, 'sendToGroup', 'c', { targetName: bad(targetName) }),
      ],
      [
        'buildCheckPermissionRequest',
        (_p, targetName) =>
          buildCheckPermissionRequest({ hub: 'hub1' }, 'sendToGroup', 'c', { targetName: bad(targetName) }),
      ],
    ],
  );
});

describe('addConnectionsToGroups / removeConnectionsFromGroups: at least one group and a filter', () => {
  const filter = "userId eq 'u1'";
  const withGroups: EntryPoint[] = [
    [
      'buildAddConnectionsToGroupsRequest',
      (_p, groups) => buildAddConnectionsToGroupsRequest({ hub: 'hub1' }, bad(groups), filter),
    ],
    [
      'buildRemoveConnectionsFromGroupsRequest',
      (_p, groups) => buildRemoveConnectionsFromGroupsRequest({ hub: 'hub1' }, bad(groups), filter),
    ],
  ];
  const withFilter: EntryPoint[] = [
    [
      'buildAddConnectionsToGroupsRequest',
      (_p, f) => buildAddConnectionsToGroupsRequest({ hub: 'hub1' }, ['g'], bad(f)),
    ],
    [
      'buildRemoveConnectionsFromGroupsRequest',
      (_p, f) => buildRemoveConnectionsFromGroupsRequest({ hub: 'hub1' }, ['g'], bad(f)),
    ],
  ];
  // The message names the operation that needs the groups.
  const operation = /(addConnectionsToGroups|removeConnectionsFromGroups) needs/;
  describe('no groups', () =>
    rejectsEach('groups', [operation, /at least one group/i, /e\.g\./], [[], 'room1', undefined], withGroups, false));
  describe('a bad group in the list', () => {
    it.each(withGroups)('names the index via %s', async (_name, attempt) => {
      await expectArgumentError(() => attempt(peer, ['ok', '']), 'groups[1]', [/1024/]);
      expectNothingSent(peer);
    });
  });
  describe('an empty filter', () =>
    rejectsEach('filter', [/filter/i, /odata/], ['', '   ', undefined, 42], withFilter));
});

describe('string lists and strings in options', () => {
  const listSays = [/array of non-empty strings/i, /leave it out/i];
  describe('excludedConnections', () =>
    rejectsEach(
      'excludedConnections',
      listSays,
      [[1], 'c1', [''], [null]],
      [
        [
          'buildSendToAllRequest',
          (_p, value) => buildSendToAllRequest({ hub: 'hub1' }, 'm', { excludedConnections: bad(value) }),
        ],
        [
          'buildSendToGroupRequest',
          (_p, value) => buildSendToGroupRequest({ hub: 'hub1' }, 'g', 'm', { excludedConnections: bad(value) }),
        ],
      ],
    ));
  describe('excluded (close operations)', () =>
    rejectsEach(
      'excluded',
      listSays,
      [[1], 'c1'],
      [
        [
          'buildCloseAllConnectionsRequest',
          (_p, value) => buildCloseAllConnectionsRequest({ hub: 'hub1' }, { excluded: bad(value) }),
        ],
        [
          'buildCloseUserConnectionsRequest',
          (_p, value) => buildCloseUserConnectionsRequest({ hub: 'hub1' }, 'u', { excluded: bad(value) }),
        ],
        [
          'buildCloseGroupConnectionsRequest',
          (_p, value) => buildCloseGroupConnectionsRequest({ hub: 'hub1' }, 'g', { excluded: bad(value) }),
        ],
      ],
    ));
  describe('roles', () =>
    rejectsEach(
      'roles',
      listSays,
      [[1], 'webpubsub.sendToGroup', [''], [undefined]],
      [
        ['getClientAccessToken() with a key', (p, roles) => p.client.getClientAccessToken({ roles: bad(roles) })],
        [
          'getClientAccessToken() with a TokenCredential',
          (p, roles) => p.entraClient.getClientAccessToken({ roles: bad(roles) }),
        ],
        [
          'buildGenerateClientTokenRequest',
          (_p, roles) => buildGenerateClientTokenRequest({ hub: 'hub1' }, { roles: bad(roles) }),
        ],
      ],
    ));
  describe('groups of a client token', () =>
    rejectsEach(
      'groups',
      listSays,
      [[null], 'g1', [2]],
      [
        ['getClientAccessToken() with a key', (p, groups) => p.client.getClientAccessToken({ groups: bad(groups) })],
        [
          'getClientAccessToken() with a TokenCredential',
          (p, groups) => p.entraClient.getClientAccessToken({ groups: bad(groups) }),
        ],
        [
          'buildGenerateClientTokenRequest',
          (_p, groups) => buildGenerateClientTokenRequest({ hub: 'hub1' }, { groups: bad(groups) }),
        ],
      ],
    ));
  describe('filter of a send', () =>
    rejectsEach(
      'filter',
      [/must be a string/i],
      [42, ['a']],
      [
        ['buildSendToAllRequest', (_p, filter) => buildSendToAllRequest({ hub: 'hub1' }, 'm', { filter: bad(filter) })],
        [
          'buildSendToUserRequest',
          (_p, filter) => buildSendToUserRequest({ hub: 'hub1' }, 'u', 'm', { filter: bad(filter) }),
        ],
        [
          'buildSendToGroupRequest',
          (_p, filter) => buildSendToGroupRequest({ hub: 'hub1' }, 'g', 'm', { filter: bad(filter) }),
        ],
      ],
    ));
  describe('reason of a close', () =>
    rejectsEach(
      'reason',
      [/must be a string/i],
      [42],
      [
        [
          'buildCloseConnectionRequest',
          (_p, reason) => buildCloseConnectionRequest({ hub: 'hub1' }, 'c', { reason: bad(reason) }),
        ],
        [
          'buildCloseAllConnectionsRequest',
          (_p, reason) => buildCloseAllConnectionsRequest({ hub: 'hub1' }, { reason: bad(reason) }),
        ],
      ],
    ));
  describe('userId of a client token', () =>
    rejectsEach(
      'userId',
      [/must be a string/i],
      [42],
      [
        ['getClientAccessToken()', (p, userId) => p.client.getClientAccessToken({ userId: bad(userId) })],
        [
          'buildGenerateClientTokenRequest',
          (_p, userId) => buildGenerateClientTokenRequest({ hub: 'hub1' }, { userId: bad(userId) }),
        ],
      ],
    ));
});

describe('clientProtocol: default, mqtt or socketio', () => {
  rejectsEach(
    'clientProtocol',
    [/default/, /mqtt/, /socketio/],
    ['ws', 'MQTT', '', 'signalr'],
    [
      [
        'getClientAccessToken() with a key',
        (p, protocol) => p.client.getClientAccessToken({ clientProtocol: bad(protocol) }),
      ],
      [
        'getClientAccessToken() with a TokenCredential',
        (p, protocol) => p.entraClient.getClientAccessToken({ clientProtocol: bad(protocol) }),
      ],
    ],
  );

  it.each([
    ['default', '/client/hubs/hub1'],
    ['mqtt', '/clients/mqtt/hubs/hub1'],
    ['socketio', '/clients/socketio/hubs/hub1'],
  ] as const)('accepts %s (client path %s, reference §2d)', async (clientProtocol, path) => {
    const { baseUrl } = await peer.client.getClientAccessToken({ clientProtocol });
    expect(baseUrl).toBe(`${peer.server.url.replace(/^http/, 'ws')}${path}`);
  });
});
