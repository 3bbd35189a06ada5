/** The builders of the health check and the four sends (to all, a group, a user, a connection). */
import { toMessagePayload } from './message-payload.js';
import { assertGroup, assertId } from './validation.js';
import { assertApiVersion, resolveContext, type RequestContext } from './request-context.js';
import { DEFAULT_API_VERSION, type WebPubSubRequest } from './web-pubsub-request.js';
import type { SendOptions, FilteredSendOptions, BroadcastSendOptions } from './request.options.js';
import { enc, hubPath, request, sendQuery } from './request.parts.js';

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
