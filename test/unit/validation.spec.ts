import { describe, expect, it } from '@jest/globals';
import { AzureKeyCredential } from '@azure/core-auth';
import { WebPubSubRestClient, type Permission } from '../../lib/index.js';
import {
  buildAddConnectionsToGroupsRequest,
  buildAddConnectionToGroupRequest,
  buildAddUserToGroupRequest,
  buildCheckPermissionRequest,
  buildCloseAllConnectionsRequest,
  buildCloseConnectionRequest,
  buildCloseGroupConnectionsRequest,
  buildCloseUserConnectionsRequest,
  buildConnectionExistsRequest,
  buildGenerateClientTokenRequest,
  buildGrantPermissionRequest,
  buildGroupExistsRequest,
  buildListConnectionsInGroupRequest,
  buildRemoveConnectionFromAllGroupsRequest,
  buildRemoveConnectionFromGroupRequest,
  buildRemoveConnectionsFromGroupsRequest,
  buildRemoveUserFromAllGroupsRequest,
  buildRemoveUserFromGroupRequest,
  buildRevokePermissionRequest,
  buildSendToAllRequest,
  buildSendToConnectionRequest,
  buildSendToGroupRequest,
  buildSendToUserRequest,
  buildUserExistsRequest,
  type RequestContext,
} from '../../lib/rest/index.js';
import { expectArgumentError, expectNothingSent, UNIT_KEY, useLoopbackPeer, type SilentPeer } from './unit-helpers.js';

/*
 * Names and ids (REST spec 2024-12-01, reference §4): hub pattern, group length/whitespace,
 * non-empty userId/connectionId, the two permissions. Every rule is exercised on the exported
 * builders; the client's own checks (its constructors, hub() and group()) on the client, where the
 * loopback peer must receive nothing. That each client method uses its builder is
 * validation-delegation.spec.ts.
 */

const peer = useLoopbackPeer();
/** Lets a test pass a value the types forbid, as JavaScript callers can. */
const bad = (value: unknown) => value as never;
const quoted = (value: unknown) => new RegExp(JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

type EntryPoint = [name: string, argument: string, attempt: (peer: SilentPeer, value: unknown) => unknown];

describe('hub name: starts with a letter, then letters, digits, _ ` , . [ ], 1 to 128 characters', () => {
  const hubSays = [/letter/i, /128/, /rename/i];
  // Every builder that takes a hub, with valid values for everything else; each is tried with the
  // hub in a context (`{ hub }`) and, for compatibility, as a plain string.
  const builders: Array<[string, (context: RequestContext | string) => unknown]> = [
    ['buildSendToAllRequest', (context) => buildSendToAllRequest(context, { a: 1 })],
    ['buildSendToGroupRequest', (context) => buildSendToGroupRequest(context, 'g', 'm')],
    ['buildSendToUserRequest', (context) => buildSendToUserRequest(context, 'u', 'm')],
    ['buildSendToConnectionRequest', (context) => buildSendToConnectionRequest(context, 'c', 'm')],
    ['buildConnectionExistsRequest', (context) => buildConnectionExistsRequest(context, 'c')],
    ['buildGroupExistsRequest', (context) => buildGroupExistsRequest(context, 'g')],
    ['buildUserExistsRequest', (context) => buildUserExistsRequest(context, 'u')],
    ['buildCloseConnectionRequest', (context) => buildCloseConnectionRequest(context, 'c')],
    ['buildCloseAllConnectionsRequest', (context) => buildCloseAllConnectionsRequest(context)],
    ['buildCloseGroupConnectionsRequest', (context) => buildCloseGroupConnectionsRequest(context, 'g')],
    ['buildCloseUserConnectionsRequest', (context) => buildCloseUserConnectionsRequest(context, 'u')],
    ['buildAddConnectionToGroupRequest', (context) => buildAddConnectionToGroupRequest(context, 'g', 'c')],
    ['buildRemoveConnectionFromGroupRequest', (context) => buildRemoveConnectionFromGroupRequest(context, 'g', 'c')],
    ['buildRemoveConnectionFromAllGroupsRequest', (context) => buildRemoveConnectionFromAllGroupsRequest(context, 'c')],
    ['buildAddUserToGroupRequest', (context) => buildAddUserToGroupRequest(context, 'g', 'u')],
    ['buildRemoveUserFromGroupRequest', (context) => buildRemoveUserFromGroupRequest(context, 'g', 'u')],
    ['buildRemoveUserFromAllGroupsRequest', (context) => buildRemoveUserFromAllGroupsRequest(context, 'u')],
    [
      'buildAddConnectionsToGroupsRequest',
      (context) => buildAddConnectionsToGroupsRequest(context, ['g'], "userId eq 'u'"),
    ],
    [
      'buildRemoveConnectionsFromGroupsRequest',
      (context) => buildRemoveConnectionsFromGroupsRequest(context, ['g'], "userId eq 'u'"),
    ],
    ['buildGrantPermissionRequest', (context) => buildGrantPermissionRequest(context, 'sendToGroup', 'c')],
    ['buildRevokePermissionRequest', (context) => buildRevokePermissionRequest(context, 'sendToGroup', 'c')],
    ['buildCheckPermissionRequest', (context) => buildCheckPermissionRequest(context, 'sendToGroup', 'c')],
    ['buildListConnectionsInGroupRequest', (context) => buildListConnectionsInGroupRequest(context, 'g')],
    ['buildGenerateClientTokenRequest', (context) => buildGenerateClientTokenRequest(context)],
  ];
  const valid = ['a', 'a'.repeat(128), 'Hub_1', 'h`,.[]9', 'Z'];
  const invalid = ['1hub', 'a-b', '', 'a'.repeat(129), 'hub name', '_hub', 'hüb', 'hub/1'];

  it.each(valid)('accepts %j everywhere, and a send for it reaches the peer', async (hub) => {
    for (const [, build] of builders) for (const context of [{ hub }, hub]) expect(() => build(context)).not.toThrow();
    const client = new WebPubSubRestClient(peer.server.connectionString(UNIT_KEY), hub);
    expect(client.hubName).toBe(hub);
    expect(peer.client.hub(hub).hubName).toBe(hub);
    await client.sendToAll({ ok: true });
    expect(peer.server.requests.map((request) => request.path)).toEqual([`/api/hubs/${encodeURIComponent(hub)}/:send`]);
  });

  it.each(invalid)('rejects %j in both constructors, hub() and every builder, sending nothing', async (hub) => {
    const says = hub.length <= 80 ? [...hubSays, quoted(hub)] : hubSays;
    await expectArgumentError(() => new WebPubSubRestClient(peer.server.connectionString(UNIT_KEY), hub), 'hub', says);
    await expectArgumentError(
      () => new WebPubSubRestClient(peer.server.url, new AzureKeyCredential(UNIT_KEY), hub),
      'hub',
      says,
    );
    await expectArgumentError(() => peer.client.hub(hub), 'hub', says);
    for (const [, build] of builders)
      for (const context of [{ hub }, hub]) await expectArgumentError(() => build(context), 'hub', says);
    expectNothingSent(peer);
  });

  it('rejects a hub name that is not a string', async () => {
    await expectArgumentError(
      () => new WebPubSubRestClient(peer.server.connectionString(UNIT_KEY), bad(42)),
      'hub',
      hubSays,
    );
    await expectArgumentError(() => buildSendToAllRequest(bad(undefined), 'm'), 'hub', hubSays);
    await expectArgumentError(() => buildSendToAllRequest({ hub: bad(42) }, 'm'), 'hub', hubSays);
  });
});

describe('group name: 1 to 1024 characters, not only whitespace', () => {
  const groupSays = [/1024/, /whitespace/i, /pass/i];
  const entryPoints: EntryPoint[] = [
    ['client.group()', 'groupName', (p, group) => p.client.group(bad(group))],
    ['buildSendToGroupRequest', 'group', (_p, group) => buildSendToGroupRequest({ hub: 'hub1' }, bad(group), 'm')],
    ['buildGroupExistsRequest', 'group', (_p, group) => buildGroupExistsRequest({ hub: 'hub1' }, bad(group))],
    [
      'buildCloseGroupConnectionsRequest',
      'group',
      (_p, group) => buildCloseGroupConnectionsRequest({ hub: 'hub1' }, bad(group)),
    ],
    [
      'buildAddConnectionToGroupRequest',
      'group',
      (_p, group) => buildAddConnectionToGroupRequest({ hub: 'hub1' }, bad(group), 'c'),
    ],
    [
      'buildRemoveConnectionFromGroupRequest',
      'group',
      (_p, group) => buildRemoveConnectionFromGroupRequest({ hub: 'hub1' }, bad(group), 'c'),
    ],
    [
      'buildAddUserToGroupRequest',
      'group',
      (_p, group) => buildAddUserToGroupRequest({ hub: 'hub1' }, bad(group), 'u'),
    ],
    [
      'buildRemoveUserFromGroupRequest',
      'group',
      (_p, group) => buildRemoveUserFromGroupRequest({ hub: 'hub1' }, bad(group), 'u'),
    ],
    [
      'buildListConnectionsInGroupRequest',
      'group',
      (_p, group) => buildListConnectionsInGroupRequest({ hub: 'hub1' }, bad(group)),
    ],
    [
      'buildAddConnectionsToGroupsRequest',
      'groups[0]',
      (_p, group) => buildAddConnectionsToGroupsRequest({ hub: 'hub1' }, [bad(group)], "userId eq 'u'"),
    ],
    [
      'buildRemoveConnectionsFromGroupsRequest',
      'groups[0]',
      (_p, group) => buildRemoveConnectionsFromGroupsRequest({ hub: 'hub1' }, [bad(group)], "userId eq 'u'"),
    ],
  ];
  const invalid: Array<[string, unknown]> = [
    ['empty', ''],
    ['spaces only', '   '],
    ['tab and newline only', '\t\n'],
    ['1025 characters', 'g'.repeat(1025)],
    ['a number', 42],
    ['undefined', undefined],
  ];
  const cases = invalid.flatMap(([label, group]) =>
    entryPoints.map(([name, argument, attempt]) => [`${label} via ${name}`, group, argument, attempt] as const),
  );

  it.each(cases)('rejects %s', async (_name, group, argument, attempt) => {
    await expectArgumentError(() => attempt(peer, group), argument, groupSays);
    expectNothingSent(peer);
  });

  it.each([
    ['1024 characters', 'g'.repeat(1024)],
    ['one character', 'g'],
    ['inner and outer spaces', ' room 1 '],
  ])('accepts a group of %s, and it reaches the peer', async (_label, group) => {
    for (const [, , attempt] of entryPoints.filter(([name]) => name.startsWith('build')))
      expect(() => attempt(peer, group)).not.toThrow();
    await peer.client.group(group).sendToAll('hi');
    await peer.client.addConnectionsToGroups([group], "userId eq 'u'");
    expect(peer.server.requests[0].path).toBe(`/api/hubs/hub1/groups/${encodeURIComponent(group)}/:send`);
    expect(JSON.parse(peer.server.requests[1].body.toString('utf8')).groups).toEqual([group]);
  });
});

describe('userId and connectionId: non-empty strings', () => {
  const idSays = [/non-empty/i, /pass/i];
  const userEntryPoints: EntryPoint[] = [
    ['buildSendToUserRequest', 'userId', (_p, id) => buildSendToUserRequest({ hub: 'hub1' }, bad(id), 'm')],
    ['buildUserExistsRequest', 'userId', (_p, id) => buildUserExistsRequest({ hub: 'hub1' }, bad(id))],
    [
      'buildCloseUserConnectionsRequest',
      'userId',
      (_p, id) => buildCloseUserConnectionsRequest({ hub: 'hub1' }, bad(id)),
    ],
    ['buildAddUserToGroupRequest', 'userId', (_p, id) => buildAddUserToGroupRequest({ hub: 'hub1' }, 'g', bad(id))],
    [
      'buildRemoveUserFromGroupRequest',
      'userId',
      (_p, id) => buildRemoveUserFromGroupRequest({ hub: 'hub1' }, 'g', bad(id)),
    ],
    [
      'buildRemoveUserFromAllGroupsRequest',
      'userId',
      (_p, id) => buildRemoveUserFromAllGroupsRequest({ hub: 'hub1' }, bad(id)),
    ],
  ];
  const connectionEntryPoints: EntryPoint[] = [
    [
      'buildSendToConnectionRequest',
      'connectionId',
      (_p, id) => buildSendToConnectionRequest({ hub: 'hub1' }, bad(id), 'm'),
    ],
    [
      'buildConnectionExistsRequest',
      'connectionId',
      (_p, id) => buildConnectionExistsRequest({ hub: 'hub1' }, bad(id)),
    ],
    ['buildCloseConnectionRequest', 'connectionId', (_p, id) => buildCloseConnectionRequest({ hub: 'hub1' }, bad(id))],
    [
      'buildRemoveConnectionFromAllGroupsRequest',
      'connectionId',
      (_p, id) => buildRemoveConnectionFromAllGroupsRequest({ hub: 'hub1' }, bad(id)),
    ],
    [
      'buildAddConnectionToGroupRequest',
      'connectionId',
      (_p, id) => buildAddConnectionToGroupRequest({ hub: 'hub1' }, 'g', bad(id)),
    ],
    [
      'buildRemoveConnectionFromGroupRequest',
      'connectionId',
      (_p, id) => buildRemoveConnectionFromGroupRequest({ hub: 'hub1' }, 'g', bad(id)),
    ],
    [
      'buildGrantPermissionRequest',
      'connectionId',
      (_p, id) => buildGrantPermissionRequest({ hub: 'hub1' }, 'sendToGroup', bad(id)),
    ],
    [
      'buildRevokePermissionRequest',
      'connectionId',
      (_p, id) => buildRevokePermissionRequest({ hub: 'hub1' }, 'sendToGroup', bad(id)),
    ],
    [
      'buildCheckPermissionRequest',
      'connectionId',
      (_p, id) => buildCheckPermissionRequest({ hub: 'hub1' }, 'sendToGroup', bad(id)),
    ],
  ];
  const cases = [...userEntryPoints, ...connectionEntryPoints].flatMap(([name, argument, attempt]) => [
    [`"" via ${name}`, '', argument, attempt] as const,
    [`a number via ${name}`, 7, argument, attempt] as const,
  ]);

  it.each(cases)('rejects %s', async (_name, id, argument, attempt) => {
    await expectArgumentError(() => attempt(peer, id), argument, [...idSays, new RegExp(argument)]);
    expectNothingSent(peer);
  });

  it('accepts one-character ids, and the calls reach the peer', async () => {
    await peer.client.sendToUser('u', 'm');
    await peer.client.sendToConnection('c', 'm');
    expect(peer.server.requests.map((request) => request.path)).toEqual([
      '/api/hubs/hub1/users/u/:send',
      '/api/hubs/hub1/connections/c/:send',
    ]);
  });
});

describe('permission: only joinLeaveGroup or sendToGroup', () => {
  const permissionSays = [/joinLeaveGroup/, /sendToGroup/];
  const entryPoints: EntryPoint[] = [
    [
      'buildGrantPermissionRequest',
      'permission',
      (_p, permission) => buildGrantPermissionRequest({ hub: 'hub1' }, bad(permission), 'c'),
    ],
    [
      'buildRevokePermissionRequest',
      'permission',
      (_p, permission) => buildRevokePermissionRequest({ hub: 'hub1' }, bad(permission), 'c'),
    ],
    [
      'buildCheckPermissionRequest',
      'permission',
      (_p, permission) => buildCheckPermissionRequest({ hub: 'hub1' }, bad(permission), 'c'),
    ],
  ];
  const invalid: unknown[] = ['admin', '', 'JoinLeaveGroup', 'webpubsub.sendToGroup', undefined];
  const cases = invalid.flatMap((permission) =>
    entryPoints.map(
      ([name, argument, attempt]) =>
        [`${String(JSON.stringify(permission))} via ${name}`, permission, argument, attempt] as const,
    ),
  );

  it.each(cases)('rejects %s', async (_name, permission, argument, attempt) => {
    await expectArgumentError(() => attempt(peer, permission), argument, permissionSays);
    expectNothingSent(peer);
  });

  it.each<Permission>(['joinLeaveGroup', 'sendToGroup'])(
    'accepts %s, and the call reaches the peer',
    async (permission) => {
      await peer.client.grantPermission('c', permission);
      expect(peer.server.requests.map((request) => request.path)).toEqual([
        `/api/hubs/hub1/permissions/${permission}/connections/c`,
      ]);
    },
  );
});
