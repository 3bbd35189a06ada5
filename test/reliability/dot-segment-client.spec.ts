import { describe, expect, it } from '@jest/globals';
import * as lib from '../../lib/rest/index.js';
import { WebPubSubArgumentError, WebPubSubRestClient } from '../../lib/index.js';
import { failureOf } from '../support/failure-of.js';
import { expectNoSecret, useRecordingClient } from './bad-input-harness.js';

/*
 * `.` and `..` as a group, user or connection name. In a path they are dot segments that URL
 * parsing removes, so `group('..').sendToAll(x)` would go out as the hub-wide `POST /:send` and
 * `closeUserConnections('..')` as `:closeConnections`. Every operation refuses them with a
 * WebPubSubArgumentError that names the reason, before anything reaches the (recording) server.
 */

const session = useRecordingClient();
const { peer } = session;

const ctx = { hub: 'chat' };
const filter = "userId eq 'a'";
type Call = (client: WebPubSubRestClient, name: string) => unknown;

// [operation, the argument the error names, the call with the bad name in it]
const operations: Array<[string, string, Call]> = [
  ['group(name).sendToAll', 'groupName', (c, n) => c.group(n).sendToAll({ text: 'x' })],
  ['group(name).closeAllConnections', 'groupName', (c, n) => c.group(n).closeAllConnections()],
  ['group(name).listConnections', 'groupName', (c, n) => c.group(n).listConnections()],
  ['group().addConnection', 'connectionId', (c, n) => c.group('room').addConnection(n)],
  ['group().removeConnection', 'connectionId', (c, n) => c.group('room').removeConnection(n)],
  ['group().addUser', 'userId', (c, n) => c.group('room').addUser(n)],
  ['group().removeUser', 'userId', (c, n) => c.group('room').removeUser(n)],
  ['sendToUser', 'userId', (c, n) => c.sendToUser(n, { text: 'x' })],
  ['sendToConnection', 'connectionId', (c, n) => c.sendToConnection(n, { text: 'x' })],
  [
    'sendToAll excludedConnections',
    'excludedConnections[1]',
    (c, n) => c.sendToAll({}, { excludedConnections: ['c1', n] }),
  ],
  ['connectionExists', 'connectionId', (c, n) => c.connectionExists(n)],
  ['groupExists', 'group', (c, n) => c.groupExists(n)],
  ['userExists', 'userId', (c, n) => c.userExists(n)],
  ['closeConnection', 'connectionId', (c, n) => c.closeConnection(n)],
  ['closeAllConnections excluded', 'excluded[0]', (c, n) => c.closeAllConnections({ excluded: [n] })],
  ['closeUserConnections', 'userId', (c, n) => c.closeUserConnections(n)],
  ['removeUserFromAllGroups', 'userId', (c, n) => c.removeUserFromAllGroups(n)],
  ['removeConnectionFromAllGroups', 'connectionId', (c, n) => c.removeConnectionFromAllGroups(n)],
  ['addConnectionsToGroups', 'groups[1]', (c, n) => c.addConnectionsToGroups(['room', n], filter)],
  ['removeConnectionsFromGroups', 'groups[0]', (c, n) => c.removeConnectionsFromGroups([n], filter)],
  ['grantPermission', 'connectionId', (c, n) => c.grantPermission(n, 'sendToGroup')],
  ['grantPermission targetName', 'targetName', (c, n) => c.grantPermission('c1', 'sendToGroup', { targetName: n })],
  ['revokePermission', 'connectionId', (c, n) => c.revokePermission(n, 'joinLeaveGroup')],
  ['hasPermission', 'connectionId', (c, n) => c.hasPermission(n, 'sendToGroup')],
  ['getClientAccessToken userId', 'userId', (c, n) => c.getClientAccessToken({ userId: n })],
  ['getClientAccessToken groups', 'groups[0]', (c, n) => c.getClientAccessToken({ groups: [n] })],
  // The request builders, for sendRequest.
  ['buildSendToGroupRequest', 'group', (c, n) => c.sendRequest(lib.buildSendToGroupRequest(ctx, n, {}))],
  ['buildSendToUserRequest', 'userId', (c, n) => c.sendRequest(lib.buildSendToUserRequest(ctx, n, {}))],
  [
    'buildSendToConnectionRequest',
    'connectionId',
    (c, n) => c.sendRequest(lib.buildSendToConnectionRequest(ctx, n, {})),
  ],
  ['buildConnectionExistsRequest', 'connectionId', (c, n) => c.sendRequest(lib.buildConnectionExistsRequest(ctx, n))],
  ['buildGroupExistsRequest', 'group', (c, n) => c.sendRequest(lib.buildGroupExistsRequest(ctx, n))],
  ['buildUserExistsRequest', 'userId', (c, n) => c.sendRequest(lib.buildUserExistsRequest(ctx, n))],
  ['buildCloseConnectionRequest', 'connectionId', (c, n) => c.sendRequest(lib.buildCloseConnectionRequest(ctx, n))],
  [
    'buildCloseGroupConnectionsRequest',
    'group',
    (c, n) => c.sendRequest(lib.buildCloseGroupConnectionsRequest(ctx, n)),
  ],
  ['buildCloseUserConnectionsRequest', 'userId', (c, n) => c.sendRequest(lib.buildCloseUserConnectionsRequest(ctx, n))],
  [
    'buildAddConnectionToGroupRequest group',
    'group',
    (c, n) => c.sendRequest(lib.buildAddConnectionToGroupRequest(ctx, n, 'c1')),
  ],
  [
    'buildAddConnectionToGroupRequest connectionId',
    'connectionId',
    (c, n) => c.sendRequest(lib.buildAddConnectionToGroupRequest(ctx, 'room', n)),
  ],
  [
    'buildRemoveConnectionFromGroupRequest',
    'connectionId',
    (c, n) => c.sendRequest(lib.buildRemoveConnectionFromGroupRequest(ctx, 'room', n)),
  ],
  [
    'buildRemoveConnectionFromAllGroupsRequest',
    'connectionId',
    (c, n) => c.sendRequest(lib.buildRemoveConnectionFromAllGroupsRequest(ctx, n)),
  ],
  ['buildAddUserToGroupRequest', 'userId', (c, n) => c.sendRequest(lib.buildAddUserToGroupRequest(ctx, 'room', n))],
  [
    'buildRemoveUserFromGroupRequest',
    'group',
    (c, n) => c.sendRequest(lib.buildRemoveUserFromGroupRequest(ctx, n, 'u1')),
  ],
  [
    'buildRemoveUserFromAllGroupsRequest',
    'userId',
    (c, n) => c.sendRequest(lib.buildRemoveUserFromAllGroupsRequest(ctx, n)),
  ],
  [
    'buildAddConnectionsToGroupsRequest',
    'groups[0]',
    (c, n) => c.sendRequest(lib.buildAddConnectionsToGroupsRequest(ctx, [n], filter)),
  ],
  [
    'buildRemoveConnectionsFromGroupsRequest',
    'groups[0]',
    (c, n) => c.sendRequest(lib.buildRemoveConnectionsFromGroupsRequest(ctx, [n], filter)),
  ],
  [
    'buildGrantPermissionRequest',
    'connectionId',
    (c, n) => c.sendRequest(lib.buildGrantPermissionRequest(ctx, 'sendToGroup', n)),
  ],
  [
    'buildRevokePermissionRequest targetName',
    'targetName',
    (c, n) => c.sendRequest(lib.buildRevokePermissionRequest(ctx, 'sendToGroup', 'c1', { targetName: n })),
  ],
  [
    'buildCheckPermissionRequest',
    'connectionId',
    (c, n) => c.sendRequest(lib.buildCheckPermissionRequest(ctx, 'sendToGroup', n)),
  ],
  [
    'buildListConnectionsInGroupRequest',
    'group',
    (c, n) => c.sendRequest(lib.buildListConnectionsInGroupRequest(ctx, n)),
  ],
  [
    'buildGenerateClientTokenRequest userId',
    'userId',
    (c, n) => c.sendRequest(lib.buildGenerateClientTokenRequest(ctx, { userId: n })),
  ],
  [
    'buildGenerateClientTokenRequest groups',
    'groups[0]',
    (c, n) => c.sendRequest(lib.buildGenerateClientTokenRequest(ctx, { groups: [n] })),
  ],
];

const rows = operations.flatMap(([operation, argument, call]) =>
  ['.', '..'].map((name) => [operation, name, argument, call] as const),
);

describe('"." and ".." are refused as names, before anything is sent', () => {
  it.each(rows)('%s(%j)', async (_operation, name, argument, call) => {
    const error = await failureOf(() => call(session.client, name));
    expect(error).toBeInstanceOf(WebPubSubArgumentError);
    expect((error as WebPubSubArgumentError).argument).toBe(argument);
    const { message } = error as Error;
    // The reason, not the generic name rules, and the fix at the end.
    expect(message).toContain(`${argument} "${name}" is refused: "." and ".." are dot segments`);
    expect(message).toMatch(/Use another name, or check where this value comes from \(e\.g\. a route parameter\)\.$/);
    expectNoSecret(error);
    expect(peer.server.requests).toHaveLength(0);
  });

  // The control: names that merely contain dots are fine and reach the server as themselves.
  it('sends names that only contain dots, encoded as themselves', async () => {
    await session.client.group('...').sendToAll({ text: 'x' });
    await session.client.closeUserConnections('a..b');
    await session.client.sendToConnection('.c', { text: 'x' });
    expect(peer.server.requests.map((request) => request.path)).toEqual([
      '/api/hubs/chat/groups/.../:send',
      '/api/hubs/chat/users/a..b/:closeConnections',
      '/api/hubs/chat/connections/.c/:send',
    ]);
  });
});
