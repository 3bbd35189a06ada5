/** The builders of group membership: connections and users added to or removed from groups. */
import { assertFilter, assertGroup, assertGroupList, assertId } from './validation.js';
import { resolveContext, type RequestContext } from './request-context.js';
import type { WebPubSubRequest } from './web-pubsub-request.js';
import { enc, hubPath, request } from './request.parts.js';

export function buildAddConnectionToGroupRequest(
  context: RequestContext | string,
  group: string,
  connectionId: string,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroup(group);
  assertId(connectionId, 'connectionId');
  return request(
    'addConnectionToGroup',
    'PUT',
    `${hubPath(hub)}/groups/${enc(group)}/connections/${enc(connectionId)}`,
    apiVersion,
    [200],
  );
}

export function buildRemoveConnectionFromGroupRequest(
  context: RequestContext | string,
  group: string,
  connectionId: string,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroup(group);
  assertId(connectionId, 'connectionId');
  return request(
    'removeConnectionFromGroup',
    'DELETE',
    `${hubPath(hub)}/groups/${enc(group)}/connections/${enc(connectionId)}`,
    apiVersion,
    [204],
  );
}

export function buildRemoveConnectionFromAllGroupsRequest(
  context: RequestContext | string,
  connectionId: string,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertId(connectionId, 'connectionId');
  return request(
    'removeConnectionFromAllGroups',
    'DELETE',
    `${hubPath(hub)}/connections/${enc(connectionId)}/groups`,
    apiVersion,
    [204],
  );
}

export function buildAddUserToGroupRequest(
  context: RequestContext | string,
  group: string,
  userId: string,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroup(group);
  assertId(userId, 'userId');
  return request(
    'addUserToGroup',
    'PUT',
    `${hubPath(hub)}/users/${enc(userId)}/groups/${enc(group)}`,
    apiVersion,
    [200],
  );
}

export function buildRemoveUserFromGroupRequest(
  context: RequestContext | string,
  group: string,
  userId: string,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroup(group);
  assertId(userId, 'userId');
  return request(
    'removeUserFromGroup',
    'DELETE',
    `${hubPath(hub)}/users/${enc(userId)}/groups/${enc(group)}`,
    apiVersion,
    [204],
  );
}

export function buildRemoveUserFromAllGroupsRequest(
  context: RequestContext | string,
  userId: string,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertId(userId, 'userId');
  return request('removeUserFromAllGroups', 'DELETE', `${hubPath(hub)}/users/${enc(userId)}/groups`, apiVersion, [204]);
}

export function buildAddConnectionsToGroupsRequest(
  context: RequestContext | string,
  groups: string[],
  filter: string,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroupList(groups, 'groups', 'addConnectionsToGroups');
  assertFilter(filter, 'addConnectionsToGroups');
  const body = JSON.stringify({ groups, filter });
  return request('addConnectionsToGroups', 'POST', `${hubPath(hub)}/:addToGroups`, apiVersion, [200], [], {
    contentType: 'application/json',
    body,
  });
}

export function buildRemoveConnectionsFromGroupsRequest(
  context: RequestContext | string,
  groups: string[],
  filter: string,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroupList(groups, 'groups', 'removeConnectionsFromGroups');
  assertFilter(filter, 'removeConnectionsFromGroups');
  const body = JSON.stringify({ groups, filter });
  return request('removeConnectionsFromGroups', 'POST', `${hubPath(hub)}/:removeFromGroups`, apiVersion, [200], [], {
    contentType: 'application/json',
    body,
  });
}
