/** What every request builder shares: the request shape, query parts and paths. */
import type { HttpMethods, RequestBodyType } from '@azure/core-rest-pipeline';
import {
  assertGroup,
  assertId,
  assertMessageTtl,
  assertOptionalNameList,
  assertOptionalString,
  assertPermission,
  type Permission,
} from './validation.js';
import type { WebPubSubRequest } from './web-pubsub-request.js';
import type { BroadcastSendOptions, CloseOptions, PermissionOptions } from './request.options.js';

export const enc = encodeURIComponent;
export const hubPath = (hub: string) => `/api/hubs/${enc(hub)}`;

export function request(
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

export function listQuery(name: string, values: string[] | undefined): WebPubSubRequest['query'] {
  return values ? values.map((value) => [name, value] as [string, string]) : [];
}

export function optionalQuery(name: string, value: string | number | undefined): WebPubSubRequest['query'] {
  return value === undefined ? [] : [[name, String(value)]];
}

export function sendQuery(options: BroadcastSendOptions | undefined): WebPubSubRequest['query'] {
  assertOptionalNameList(options?.excludedConnections, 'excludedConnections');
  assertOptionalString(options?.filter, 'filter');
  assertMessageTtl(options?.messageTtlSeconds);
  return [
    ...listQuery('excluded', options?.excludedConnections),
    ...optionalQuery('filter', options?.filter),
    ...optionalQuery('messageTtlSeconds', options?.messageTtlSeconds),
  ];
}

export function closeQuery(options: CloseOptions | undefined): WebPubSubRequest['query'] {
  assertOptionalNameList(options?.excluded, 'excluded');
  assertOptionalString(options?.reason, 'reason');
  return [...listQuery('excluded', options?.excluded), ...optionalQuery('reason', options?.reason)];
}

export function permissionPath(
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
