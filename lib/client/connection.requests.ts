/** The builders of the existence checks and the closes (a connection, all, a group's, a user's). */
import { assertGroup, assertId } from './validation.js';
import { resolveContext, type RequestContext } from './request-context.js';
import type { WebPubSubRequest } from './web-pubsub-request.js';
import type { CloseOptions } from './request.options.js';
import { enc, hubPath, request, closeQuery } from './request.parts.js';

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
