import { describe, expect, it } from '@jest/globals';
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
} from '../../lib/rest/index.js';
import { WebPubSubArgumentError, type WebPubSubRestClient } from '../../lib/index.js';
import { failureOf } from '../support/failure-of.js';
import { expectNothingSent, useLoopbackPeer } from './unit-helpers.js';

/*
 * Every input rule of an operation is tested once, on its request builder (validation*.spec.ts,
 * bad-input-client.spec.ts). What is left to prove for the client is that each method hands its
 * input to that builder: here, one row per method, one bad input each, which must fail with exactly
 * the builder's error, before anything reaches the peer. Rules the client checks itself (hub names,
 * group(), getClientAccessToken, byPage) stay tested on the client.
 */

const peer = useLoopbackPeer();
/** Lets a row pass a value the types forbid, as JavaScript callers can. */
const bad = (value: unknown) => value as never;
const hub = { hub: 'hub1' };
const filter = "userId eq 'u'";

type Row = [method: string, viaClient: (client: WebPubSubRestClient) => unknown, viaBuilder: () => unknown];

const rows: Row[] = [
  ['sendToAll', (c) => c.sendToAll(bad(undefined)), () => buildSendToAllRequest(hub, undefined)],
  ['sendToUser', (c) => c.sendToUser('', 'm'), () => buildSendToUserRequest(hub, '', 'm')],
  [
    'sendToConnection',
    (c) => c.sendToConnection('c', 'm', { messageTtlSeconds: 301 }),
    () => buildSendToConnectionRequest(hub, 'c', 'm', { messageTtlSeconds: 301 }),
  ],
  ['connectionExists', (c) => c.connectionExists(''), () => buildConnectionExistsRequest(hub, '')],
  ['groupExists', (c) => c.groupExists('   '), () => buildGroupExistsRequest(hub, '   ')],
  ['userExists', (c) => c.userExists(''), () => buildUserExistsRequest(hub, '')],
  [
    'closeConnection',
    (c) => c.closeConnection('c', { reason: bad(5) }),
    () => buildCloseConnectionRequest(hub, 'c', { reason: bad(5) }),
  ],
  [
    'closeAllConnections',
    (c) => c.closeAllConnections({ excluded: bad('c1') }),
    () => buildCloseAllConnectionsRequest(hub, { excluded: bad('c1') }),
  ],
  ['closeUserConnections', (c) => c.closeUserConnections(''), () => buildCloseUserConnectionsRequest(hub, '')],
  ['removeUserFromAllGroups', (c) => c.removeUserFromAllGroups(''), () => buildRemoveUserFromAllGroupsRequest(hub, '')],
  [
    'removeConnectionFromAllGroups',
    (c) => c.removeConnectionFromAllGroups(''),
    () => buildRemoveConnectionFromAllGroupsRequest(hub, ''),
  ],
  [
    'addConnectionsToGroups',
    (c) => c.addConnectionsToGroups([], filter),
    () => buildAddConnectionsToGroupsRequest(hub, [], filter),
  ],
  [
    'removeConnectionsFromGroups',
    (c) => c.removeConnectionsFromGroups(['g'], ' '),
    () => buildRemoveConnectionsFromGroupsRequest(hub, ['g'], ' '),
  ],
  [
    'grantPermission',
    (c) => c.grantPermission('c', bad('admin')),
    () => buildGrantPermissionRequest(hub, bad('admin'), 'c'),
  ],
  [
    'revokePermission',
    (c) => c.revokePermission('', 'sendToGroup'),
    () => buildRevokePermissionRequest(hub, 'sendToGroup', ''),
  ],
  [
    'hasPermission',
    (c) => c.hasPermission('c', 'sendToGroup', { targetName: '' }),
    () => buildCheckPermissionRequest(hub, 'sendToGroup', 'c', { targetName: '' }),
  ],
  ['group.addConnection', (c) => c.group('g').addConnection(''), () => buildAddConnectionToGroupRequest(hub, 'g', '')],
  [
    'group.removeConnection',
    (c) => c.group('g').removeConnection(''),
    () => buildRemoveConnectionFromGroupRequest(hub, 'g', ''),
  ],
  ['group.addUser', (c) => c.group('g').addUser(''), () => buildAddUserToGroupRequest(hub, 'g', '')],
  ['group.removeUser', (c) => c.group('g').removeUser(''), () => buildRemoveUserFromGroupRequest(hub, 'g', '')],
  [
    'group.closeAllConnections',
    (c) => c.group('g').closeAllConnections({ excluded: [bad(1)] }),
    () => buildCloseGroupConnectionsRequest(hub, 'g', { excluded: [bad(1)] }),
  ],
  [
    'group.sendToAll',
    (c) => c.group('g').sendToAll('hi', { contentType: 'application/octet-stream' }),
    () => buildSendToGroupRequest(hub, 'g', 'hi', { contentType: 'application/octet-stream' }),
  ],
  [
    'group.listConnections',
    (c) => c.group('g').listConnections({ maxPageSize: 0 }),
    () => buildListConnectionsInGroupRequest(hub, 'g', { maxPageSize: 0 }),
  ],
];

describe('each client method checks its input with its request builder', () => {
  it.each(rows)(
    "%s rejects bad input with the builder's error, sending nothing",
    async (_method, viaClient, viaBuilder) => {
      const expected = (await failureOf(viaBuilder)) as WebPubSubArgumentError;
      expect(expected).toBeInstanceOf(WebPubSubArgumentError);
      const error = (await failureOf(() => viaClient(peer.client))) as WebPubSubArgumentError;
      expect(error).toBeInstanceOf(WebPubSubArgumentError);
      expect({ name: error.name, argument: error.argument, message: error.message }).toEqual({
        name: expected.name,
        argument: expected.argument,
        message: expected.message,
      });
      expectNothingSent(peer);
    },
  );
});
