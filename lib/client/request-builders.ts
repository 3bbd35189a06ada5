import type { HttpMethods, RequestBodyType } from '@azure/core-rest-pipeline';
import { toMessagePayload, type MessageContentType } from './message-payload.js';
import {
  assertFilter,
  assertGroup,
  assertGroupList,
  assertId,
  assertMessageTtl,
  assertOptionalInteger,
  assertOptionalName,
  assertOptionalNameList,
  assertOptionalString,
  assertOptionalStringList,
  assertPermission,
  MAX_INT32,
  MAX_PAGE_SIZE,
  type Permission,
} from './validation.js';
import { assertApiVersion, resolveContext, type RequestContext } from './request-context.js';
import { DEFAULT_API_VERSION, type WebPubSubRequest } from './web-pubsub-request.js';

/*
 * One builder per REST operation of api-version 2024-12-01, in the spirit of the Python SDK's
 * low-level `build_…_request` functions. Each takes a RequestContext first (`{ hub, apiVersion? }`,
 * or for compatibility a plain hub name), validates its input (so bad input fails before any
 * network call) and returns a WebPubSubRequest for `client.sendRequest`.
 */

export interface SendOptions {
  /** `text/plain` sends a string as text; binary data is sent as octet-stream; anything else as JSON. */
  contentType?: MessageContentType;
  /** 0 to 300 seconds; messages not delivered by then are dropped. 0 (the default) means no expiry. */
  messageTtlSeconds?: number;
}
export interface FilteredSendOptions extends SendOptions {
  /** OData filter selecting the receivers, e.g. odata`userId ne ${me}`. */
  filter?: string;
}
export interface BroadcastSendOptions extends FilteredSendOptions {
  /** Connection ids that must not receive the message. */
  excludedConnections?: string[];
}
export interface CloseOptions {
  /** Shown to clients in their `disconnected` message and sent upstream in the disconnected event. */
  reason?: string;
  /** Connection ids to leave open. */
  excluded?: string[];
}
export interface PermissionOptions {
  /** The group the permission applies to; all groups when omitted. */
  targetName?: string;
}
export interface ListConnectionsOptions {
  /** Items per page, 1 to 200. */
  maxPageSize?: number;
  /** Total items to return at most. */
  top?: number;
  continuationToken?: string;
}
export interface GenerateTokenQuery {
  userId?: string;
  roles?: string[];
  groups?: string[];
  /** Minutes until the token expires; the service's default is 60. */
  minutesToExpire?: number;
  /** `clientType` as the REST API names it: `Default` or `MQTT` (the official SDK passes its `clientProtocol` here). */
  clientType?: string;
}

const enc = encodeURIComponent;
const hubPath = (hub: string) => `/api/hubs/${enc(hub)}`;

function request(
  operation: string,
  method: HttpMethods,
  path: string,
  apiVersion: string,
  expectedStatus: readonly number[],
  query: WebPubSubRequest['query'] = [],
  payload?: { contentType: string; body: RequestBodyType },
): WebPubSubRequest {
  // HEAD answers have no body to accept; the official SDK sends no Accept there either.
  const headers: Record<string, string> = method === 'HEAD' ? {} : { accept: 'application/json' };
  if (payload) headers['content-type'] = payload.contentType;
  return {
    operation,
    method,
    path,
    expectedStatus,
    headers,
    body: payload?.body,
    query: [['api-version', apiVersion], ...query],
  };
}

function listQuery(name: string, values: string[] | undefined): WebPubSubRequest['query'] {
  return values ? values.map((value) => [name, value] as [string, string]) : [];
}

function optionalQuery(name: string, value: string | number | undefined): WebPubSubRequest['query'] {
  return value === undefined ? [] : [[name, String(value)]];
}

function sendQuery(options: BroadcastSendOptions | undefined): WebPubSubRequest['query'] {
  assertOptionalNameList(options?.excludedConnections, 'excludedConnections');
  assertOptionalString(options?.filter, 'filter');
  assertMessageTtl(options?.messageTtlSeconds);
  return [
    ...listQuery('excluded', options?.excludedConnections),
    ...optionalQuery('filter', options?.filter),
    ...optionalQuery('messageTtlSeconds', options?.messageTtlSeconds),
  ];
}

function closeQuery(options: CloseOptions | undefined): WebPubSubRequest['query'] {
  assertOptionalNameList(options?.excluded, 'excluded');
  assertOptionalString(options?.reason, 'reason');
  return [...listQuery('excluded', options?.excluded), ...optionalQuery('reason', options?.reason)];
}

function permissionPath(
  hub: string,
  permission: Permission,
  connectionId: string,
  options?: PermissionOptions,
): string {
  assertPermission(permission);
  assertId(connectionId, 'connectionId');
  if (options?.targetName !== undefined) assertGroup(options.targetName, 'targetName');
  return `${hubPath(hub)}/permissions/${enc(permission)}/connections/${enc(connectionId)}`;
}

/**
 * The health endpoint belongs to the service, not to a hub, so this builder's context needs no hub:
 * pass `{ apiVersion }`, a client's whole context (its `hub` is not used), or nothing.
 */
export function buildGetServiceStatusRequest(context?: Partial<RequestContext>): WebPubSubRequest {
  const apiVersion = context?.apiVersion ?? DEFAULT_API_VERSION;
  assertApiVersion(apiVersion);
  return request('getServiceStatus', 'HEAD', '/api/health', apiVersion, [200]);
}

export function buildSendToAllRequest(
  context: RequestContext | string,
  message: unknown,
  options?: BroadcastSendOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  const query = sendQuery(options);
  return request(
    'sendToAll',
    'POST',
    `${hubPath(hub)}/:send`,
    apiVersion,
    [202],
    query,
    toMessagePayload(message, options?.contentType),
  );
}

export function buildSendToGroupRequest(
  context: RequestContext | string,
  group: string,
  message: unknown,
  options?: BroadcastSendOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroup(group);
  const query = sendQuery(options);
  const payload = toMessagePayload(message, options?.contentType);
  return request(
    'sendToGroup',
    'POST',
    `${hubPath(hub)}/groups/${enc(group)}/:send`,
    apiVersion,
    [202],
    query,
    payload,
  );
}

export function buildSendToUserRequest(
  context: RequestContext | string,
  userId: string,
  message: unknown,
  options?: FilteredSendOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertId(userId, 'userId');
  const query = sendQuery({ filter: options?.filter, messageTtlSeconds: options?.messageTtlSeconds });
  const payload = toMessagePayload(message, options?.contentType);
  return request('sendToUser', 'POST', `${hubPath(hub)}/users/${enc(userId)}/:send`, apiVersion, [202], query, payload);
}

export function buildSendToConnectionRequest(
  context: RequestContext | string,
  connectionId: string,
  message: unknown,
  options?: SendOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertId(connectionId, 'connectionId');
  const query = sendQuery({ messageTtlSeconds: options?.messageTtlSeconds });
  const payload = toMessagePayload(message, options?.contentType);
  return request(
    'sendToConnection',
    'POST',
    `${hubPath(hub)}/connections/${enc(connectionId)}/:send`,
    apiVersion,
    [202],
    query,
    payload,
  );
}

export function buildConnectionExistsRequest(context: RequestContext | string, connectionId: string): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertId(connectionId, 'connectionId');
  return request(
    'connectionExists',
    'HEAD',
    `${hubPath(hub)}/connections/${enc(connectionId)}`,
    apiVersion,
    [200, 404],
  );
}

export function buildGroupExistsRequest(context: RequestContext | string, group: string): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroup(group);
  return request('groupExists', 'HEAD', `${hubPath(hub)}/groups/${enc(group)}`, apiVersion, [200, 404]);
}

export function buildUserExistsRequest(context: RequestContext | string, userId: string): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertId(userId, 'userId');
  return request('userExists', 'HEAD', `${hubPath(hub)}/users/${enc(userId)}`, apiVersion, [200, 404]);
}

export function buildCloseConnectionRequest(
  context: RequestContext | string,
  connectionId: string,
  options?: Omit<CloseOptions, 'excluded'>,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertId(connectionId, 'connectionId');
  const query = closeQuery({ reason: options?.reason });
  return request(
    'closeConnection',
    'DELETE',
    `${hubPath(hub)}/connections/${enc(connectionId)}`,
    apiVersion,
    [204],
    query,
  );
}

export function buildCloseAllConnectionsRequest(
  context: RequestContext | string,
  options?: CloseOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  return request(
    'closeAllConnections',
    'POST',
    `${hubPath(hub)}/:closeConnections`,
    apiVersion,
    [204],
    closeQuery(options),
  );
}

export function buildCloseGroupConnectionsRequest(
  context: RequestContext | string,
  group: string,
  options?: CloseOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroup(group);
  const query = closeQuery(options);
  return request(
    'closeGroupConnections',
    'POST',
    `${hubPath(hub)}/groups/${enc(group)}/:closeConnections`,
    apiVersion,
    [204],
    query,
  );
}

export function buildCloseUserConnectionsRequest(
  context: RequestContext | string,
  userId: string,
  options?: CloseOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertId(userId, 'userId');
  const query = closeQuery(options);
  return request(
    'closeUserConnections',
    'POST',
    `${hubPath(hub)}/users/${enc(userId)}/:closeConnections`,
    apiVersion,
    [204],
    query,
  );
}

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

export function buildGrantPermissionRequest(
  context: RequestContext | string,
  permission: Permission,
  connectionId: string,
  options?: PermissionOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  const path = permissionPath(hub, permission, connectionId, options);
  return request('grantPermission', 'PUT', path, apiVersion, [200], optionalQuery('targetName', options?.targetName));
}

export function buildRevokePermissionRequest(
  context: RequestContext | string,
  permission: Permission,
  connectionId: string,
  options?: PermissionOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  const path = permissionPath(hub, permission, connectionId, options);
  return request(
    'revokePermission',
    'DELETE',
    path,
    apiVersion,
    [204],
    optionalQuery('targetName', options?.targetName),
  );
}

export function buildCheckPermissionRequest(
  context: RequestContext | string,
  permission: Permission,
  connectionId: string,
  options?: PermissionOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  const path = permissionPath(hub, permission, connectionId, options);
  return request(
    'hasPermission',
    'HEAD',
    path,
    apiVersion,
    [200, 404],
    optionalQuery('targetName', options?.targetName),
  );
}

export function buildListConnectionsInGroupRequest(
  context: RequestContext | string,
  group: string,
  options?: ListConnectionsOptions,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertGroup(group);
  assertOptionalInteger(options?.maxPageSize, 'maxPageSize', 1, MAX_PAGE_SIZE);
  assertOptionalInteger(options?.top, 'top', 1, MAX_INT32);
  assertOptionalString(options?.continuationToken, 'continuationToken');
  const query = [
    ...optionalQuery('maxpagesize', options?.maxPageSize),
    ...optionalQuery('top', options?.top),
    ...optionalQuery('continuationToken', options?.continuationToken),
  ];
  return request(
    'listConnectionsInGroup',
    'GET',
    `${hubPath(hub)}/groups/${enc(group)}/connections`,
    apiVersion,
    [200],
    query,
  );
}

export function buildGenerateClientTokenRequest(
  context: RequestContext | string,
  options?: GenerateTokenQuery,
): WebPubSubRequest {
  const { hub, apiVersion } = resolveContext(context);
  assertOptionalName(options?.userId, 'userId');
  assertOptionalStringList(options?.roles, 'roles');
  assertOptionalNameList(options?.groups, 'groups');
  assertOptionalInteger(options?.minutesToExpire, 'minutesToExpire', 1, MAX_INT32);
  assertOptionalString(options?.clientType, 'clientType');
  const query = [
    ...optionalQuery('userId', options?.userId),
    ...listQuery('role', options?.roles),
    ...optionalQuery('minutesToExpire', options?.minutesToExpire),
    ...listQuery('group', options?.groups),
    ...optionalQuery('clientType', options?.clientType),
  ];
  const built = request('generateClientToken', 'POST', `${hubPath(hub)}/:generateToken`, apiVersion, [200], query);
  built.headers.accept = 'application/json, text/json';
  return built;
}
