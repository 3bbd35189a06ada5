import type { HttpMethods, RequestBodyType } from '@azure/core-rest-pipeline';
import { toMessagePayload, type MessageContentType } from './message-payload.js';
import {
  assertFilter, assertGroup, assertGroupList, assertHub, assertId, assertMessageTtl, assertOptionalInteger,
  assertOptionalString, assertOptionalStringList, assertPermission, MAX_INT32, MAX_PAGE_SIZE, type Permission,
} from './validation.js';
import { DEFAULT_API_VERSION, type RequestBuilderOptions, type WebPubSubRequest } from './web-pubsub-request.js';

/*
 * One builder per REST operation of api-version 2024-12-01, in the spirit of the Python SDK's
 * low-level `build_…_request` functions. Each validates its input (so bad input fails before any
 * network call) and returns a WebPubSubRequest for `client.sendRequest`.
 */

export interface SendOptions extends RequestBuilderOptions {
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
export interface CloseOptions extends RequestBuilderOptions {
  /** Shown to clients in their `disconnected` message and sent upstream in the disconnected event. */
  reason?: string;
  /** Connection ids to leave open. */
  excluded?: string[];
}
export interface PermissionOptions extends RequestBuilderOptions {
  /** The group the permission applies to; all groups when omitted. */
  targetName?: string;
}
export interface ListConnectionsOptions extends RequestBuilderOptions {
  /** Items per page, 1 to 200. */
  maxPageSize?: number;
  /** Total items to return at most. */
  top?: number;
  continuationToken?: string;
}
export interface GenerateTokenQuery extends RequestBuilderOptions {
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
  options: RequestBuilderOptions | undefined,
  expectedStatus: readonly number[],
  query: WebPubSubRequest['query'] = [],
  payload?: { contentType: string; body: RequestBodyType },
): WebPubSubRequest {
  // HEAD answers have no body to accept; the official SDK sends no Accept there either.
  const headers: Record<string, string> = method === 'HEAD' ? {} : { accept: 'application/json' };
  if (payload) headers['content-type'] = payload.contentType;
  return {
    operation, method, path, expectedStatus, headers, body: payload?.body,
    query: [['api-version', options?.apiVersion ?? DEFAULT_API_VERSION], ...query],
  };
}

function listQuery(name: string, values: string[] | undefined): WebPubSubRequest['query'] {
  return values ? values.map((value) => [name, value] as [string, string]) : [];
}

function optionalQuery(name: string, value: string | number | undefined): WebPubSubRequest['query'] {
  return value === undefined ? [] : [[name, String(value)]];
}

function sendQuery(options: BroadcastSendOptions | undefined): WebPubSubRequest['query'] {
  assertOptionalStringList(options?.excludedConnections, 'excludedConnections');
  assertOptionalString(options?.filter, 'filter');
  assertMessageTtl(options?.messageTtlSeconds);
  return [
    ...listQuery('excluded', options?.excludedConnections),
    ...optionalQuery('filter', options?.filter),
    ...optionalQuery('messageTtlSeconds', options?.messageTtlSeconds),
  ];
}

function closeQuery(options: CloseOptions | undefined): WebPubSubRequest['query'] {
  assertOptionalStringList(options?.excluded, 'excluded');
  assertOptionalString(options?.reason, 'reason');
  return [...listQuery('excluded', options?.excluded), ...optionalQuery('reason', options?.reason)];
}

function permissionPath(hub: string, permission: Permission, connectionId: string, options?: PermissionOptions): string {
  assertHub(hub);
  assertPermission(permission);
  assertId(connectionId, 'connectionId');
  if (options?.targetName !== undefined) assertGroup(options.targetName, 'targetName');
  return `${hubPath(hub)}/permissions/${enc(permission)}/connections/${enc(connectionId)}`;
}

export function buildGetServiceStatusRequest(options?: RequestBuilderOptions): WebPubSubRequest {
  return request('getServiceStatus', 'HEAD', '/api/health', options, [200]);
}

export function buildSendToAllRequest(hub: string, message: unknown, options?: BroadcastSendOptions): WebPubSubRequest {
  assertHub(hub);
  const query = sendQuery(options);
  return request('sendToAll', 'POST', `${hubPath(hub)}/:send`, options, [202], query, toMessagePayload(message, options?.contentType));
}

export function buildSendToGroupRequest(hub: string, group: string, message: unknown, options?: BroadcastSendOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroup(group);
  const query = sendQuery(options);
  const payload = toMessagePayload(message, options?.contentType);
  return request('sendToGroup', 'POST', `${hubPath(hub)}/groups/${enc(group)}/:send`, options, [202], query, payload);
}

export function buildSendToUserRequest(hub: string, userId: string, message: unknown, options?: FilteredSendOptions): WebPubSubRequest {
  assertHub(hub);
  assertId(userId, 'userId');
  const query = sendQuery({ filter: options?.filter, messageTtlSeconds: options?.messageTtlSeconds });
  const payload = toMessagePayload(message, options?.contentType);
  return request('sendToUser', 'POST', `${hubPath(hub)}/users/${enc(userId)}/:send`, options, [202], query, payload);
}

export function buildSendToConnectionRequest(hub: string, connectionId: string, message: unknown, options?: SendOptions): WebPubSubRequest {
  assertHub(hub);
  assertId(connectionId, 'connectionId');
  const query = sendQuery({ messageTtlSeconds: options?.messageTtlSeconds });
  const payload = toMessagePayload(message, options?.contentType);
  return request('sendToConnection', 'POST', `${hubPath(hub)}/connections/${enc(connectionId)}/:send`, options, [202], query, payload);
}

export function buildConnectionExistsRequest(hub: string, connectionId: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertId(connectionId, 'connectionId');
  return request('connectionExists', 'HEAD', `${hubPath(hub)}/connections/${enc(connectionId)}`, options, [200, 404]);
}

export function buildGroupExistsRequest(hub: string, group: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroup(group);
  return request('groupExists', 'HEAD', `${hubPath(hub)}/groups/${enc(group)}`, options, [200, 404]);
}

export function buildUserExistsRequest(hub: string, userId: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertId(userId, 'userId');
  return request('userExists', 'HEAD', `${hubPath(hub)}/users/${enc(userId)}`, options, [200, 404]);
}

export function buildCloseConnectionRequest(hub: string, connectionId: string, options?: Omit<CloseOptions, 'excluded'>): WebPubSubRequest {
  assertHub(hub);
  assertId(connectionId, 'connectionId');
  const query = closeQuery({ reason: options?.reason });
  return request('closeConnection', 'DELETE', `${hubPath(hub)}/connections/${enc(connectionId)}`, options, [204], query);
}

export function buildCloseAllConnectionsRequest(hub: string, options?: CloseOptions): WebPubSubRequest {
  assertHub(hub);
  return request('closeAllConnections', 'POST', `${hubPath(hub)}/:closeConnections`, options, [204], closeQuery(options));
}

export function buildCloseGroupConnectionsRequest(hub: string, group: string, options?: CloseOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroup(group);
  const query = closeQuery(options);
  return request('closeGroupConnections', 'POST', `${hubPath(hub)}/groups/${enc(group)}/:closeConnections`, options, [204], query);
}

export function buildCloseUserConnectionsRequest(hub: string, userId: string, options?: CloseOptions): WebPubSubRequest {
  assertHub(hub);
  assertId(userId, 'userId');
  const query = closeQuery(options);
  return request('closeUserConnections', 'POST', `${hubPath(hub)}/users/${enc(userId)}/:closeConnections`, options, [204], query);
}

export function buildAddConnectionToGroupRequest(hub: string, group: string, connectionId: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroup(group);
  assertId(connectionId, 'connectionId');
  return request('addConnectionToGroup', 'PUT', `${hubPath(hub)}/groups/${enc(group)}/connections/${enc(connectionId)}`, options, [200]);
}

export function buildRemoveConnectionFromGroupRequest(hub: string, group: string, connectionId: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroup(group);
  assertId(connectionId, 'connectionId');
  return request('removeConnectionFromGroup', 'DELETE', `${hubPath(hub)}/groups/${enc(group)}/connections/${enc(connectionId)}`, options, [204]);
}

export function buildRemoveConnectionFromAllGroupsRequest(hub: string, connectionId: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertId(connectionId, 'connectionId');
  return request('removeConnectionFromAllGroups', 'DELETE', `${hubPath(hub)}/connections/${enc(connectionId)}/groups`, options, [204]);
}

export function buildAddUserToGroupRequest(hub: string, group: string, userId: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroup(group);
  assertId(userId, 'userId');
  return request('addUserToGroup', 'PUT', `${hubPath(hub)}/users/${enc(userId)}/groups/${enc(group)}`, options, [200]);
}

export function buildRemoveUserFromGroupRequest(hub: string, group: string, userId: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroup(group);
  assertId(userId, 'userId');
  return request('removeUserFromGroup', 'DELETE', `${hubPath(hub)}/users/${enc(userId)}/groups/${enc(group)}`, options, [204]);
}

export function buildRemoveUserFromAllGroupsRequest(hub: string, userId: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertId(userId, 'userId');
  return request('removeUserFromAllGroups', 'DELETE', `${hubPath(hub)}/users/${enc(userId)}/groups`, options, [204]);
}

export function buildAddConnectionsToGroupsRequest(hub: string, groups: string[], filter: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroupList(groups, 'groups', 'addConnectionsToGroups');
  assertFilter(filter, 'addConnectionsToGroups');
  const body = JSON.stringify({ groups, filter });
  return request('addConnectionsToGroups', 'POST', `${hubPath(hub)}/:addToGroups`, options, [200], [], { contentType: 'application/json', body });
}

export function buildRemoveConnectionsFromGroupsRequest(hub: string, groups: string[], filter: string, options?: RequestBuilderOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroupList(groups, 'groups', 'removeConnectionsFromGroups');
  assertFilter(filter, 'removeConnectionsFromGroups');
  const body = JSON.stringify({ groups, filter });
  return request('removeConnectionsFromGroups', 'POST', `${hubPath(hub)}/:removeFromGroups`, options, [200], [], { contentType: 'application/json', body });
}

export function buildGrantPermissionRequest(hub: string, permission: Permission, connectionId: string, options?: PermissionOptions): WebPubSubRequest {
  const path = permissionPath(hub, permission, connectionId, options);
  return request('grantPermission', 'PUT', path, options, [200], optionalQuery('targetName', options?.targetName));
}

export function buildRevokePermissionRequest(hub: string, permission: Permission, connectionId: string, options?: PermissionOptions): WebPubSubRequest {
  const path = permissionPath(hub, permission, connectionId, options);
  return request('revokePermission', 'DELETE', path, options, [204], optionalQuery('targetName', options?.targetName));
}

export function buildCheckPermissionRequest(hub: string, permission: Permission, connectionId: string, options?: PermissionOptions): WebPubSubRequest {
  const path = permissionPath(hub, permission, connectionId, options);
  return request('hasPermission', 'HEAD', path, options, [200, 404], optionalQuery('targetName', options?.targetName));
}

export function buildListConnectionsInGroupRequest(hub: string, group: string, options?: ListConnectionsOptions): WebPubSubRequest {
  assertHub(hub);
  assertGroup(group);
  assertOptionalInteger(options?.maxPageSize, 'maxPageSize', 1, MAX_PAGE_SIZE);
  assertOptionalInteger(options?.top, 'top', 1, MAX_INT32);
  assertOptionalString(options?.continuationToken, 'continuationToken');
  const query = [
    ...optionalQuery('maxpagesize', options?.maxPageSize),
    ...optionalQuery('top', options?.top),
    ...optionalQuery('continuationToken', options?.continuationToken),
  ];
  return request('listConnectionsInGroup', 'GET', `${hubPath(hub)}/groups/${enc(group)}/connections`, options, [200], query);
}

export function buildGenerateClientTokenRequest(hub: string, options?: GenerateTokenQuery): WebPubSubRequest {
  assertHub(hub);
  assertOptionalString(options?.userId, 'userId');
  assertOptionalStringList(options?.roles, 'roles');
  assertOptionalStringList(options?.groups, 'groups');
  assertOptionalInteger(options?.minutesToExpire, 'minutesToExpire', 1, MAX_INT32);
  assertOptionalString(options?.clientType, 'clientType');
  const query = [
    ...optionalQuery('userId', options?.userId),
    ...listQuery('role', options?.roles),
    ...optionalQuery('minutesToExpire', options?.minutesToExpire),
    ...listQuery('group', options?.groups),
    ...optionalQuery('clientType', options?.clientType),
  ];
  const built = request('generateClientToken', 'POST', `${hubPath(hub)}/:generateToken`, options, [200], query);
  built.headers.accept = 'application/json, text/json';
  return built;
}
