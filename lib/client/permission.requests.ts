/** The builders of permissions, a group's connection list and client access tokens. */
import {
  assertGroup,
  assertOptionalInteger,
  assertOptionalName,
  assertOptionalNameList,
  assertOptionalString,
  assertOptionalStringList,
  MAX_INT32,
  MAX_PAGE_SIZE,
  type Permission,
} from './validation.js';
import { resolveContext, type RequestContext } from './request-context.js';
import type { WebPubSubRequest } from './web-pubsub-request.js';
import type { PermissionOptions, ListConnectionsOptions, GenerateTokenQuery } from './request.options.js';
import { enc, hubPath, request, listQuery, optionalQuery, permissionPath } from './request.parts.js';

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
