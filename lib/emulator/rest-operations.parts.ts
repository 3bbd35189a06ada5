/** What the emulator's REST operations share: the call's context, its parts read and checked, common answers. */
import { clientTokenClaims } from '../protocol/client-token.js';
import { signJwt } from '../protocol/jwt.js';
import { formatQuery, type QueryPairs } from '../protocol/query.js';
import { isPermission, MAX_INT32, MAX_MESSAGE_TTL_SECONDS, MAX_PAGE_SIZE, type Permission } from '../protocol/rules.js';
import { dataTypeOf, type MessageSource, type Payload } from './client-connection.js';
import type { EmulatorCore } from './emulator-core.js';
import { EmulatorMessages } from './emulator.messages.js';
import type { Audience, HubState } from './hub-state.js';
import {
  badRequest,
  checkGroup,
  checkId,
  parseFilter,
  parseInteger,
  RestFailure,
  type RestResult,
} from './rest-response.js';

export interface OperationContext {
  core: EmulatorCore;
  hub: HubState;
  params: Record<string, string>;
  query: Map<string, string[]>;
  body: Buffer;
  contentType: string | undefined;
  endpoint: string;
}

export const ACCEPTED: RestResult = { status: 202 };
export const OK: RestResult = { status: 200 };
export const NO_CONTENT: RestResult = { status: 204 };

export const one = (context: OperationContext, name: string) => context.query.get(name)?.[0];
export const all = (context: OperationContext, name: string) => context.query.get(name) ?? [];

export function readPayload(context: OperationContext): Payload {
  const dataType = dataTypeOf(context.contentType);
  if (!dataType) throw badRequest(EmulatorMessages.invalidContentType(context.contentType ?? '(none)'));
  if (dataType === 'json') {
    try {
      JSON.parse(context.body.toString('utf8'));
    } catch {
      throw badRequest(EmulatorMessages.invalidJsonBody());
    }
  }
  return { dataType, bytes: context.body };
}

export function audienceOf(context: OperationContext, withExcluded: boolean): Audience {
  parseInteger(one(context, 'messageTtlSeconds'), 'messageTtlSeconds', 0, MAX_MESSAGE_TTL_SECONDS);
  return { excluded: withExcluded ? all(context, 'excluded') : [], filter: parseFilter(one(context, 'filter')) };
}

export function send(
  context: OperationContext,
  candidates: Iterable<import('./client-connection.js').ClientConnection>,
  source: MessageSource,
  withExcluded = true,
): RestResult {
  const audience = audienceOf(context, withExcluded);
  const payload = readPayload(context);
  context.hub.deliver(context.hub.select(candidates, audience), source, payload);
  return ACCEPTED;
}

export function closeAll(
  context: OperationContext,
  candidates: Iterable<import('./client-connection.js').ClientConnection>,
): RestResult {
  const reason = one(context, 'reason');
  for (const connection of context.hub.select([...candidates], { excluded: all(context, 'excluded') })) {
    context.core.closeConnection(connection, reason);
  }
  return NO_CONTENT;
}

export function connectionOf(context: OperationContext, code: string, status = 404) {
  checkId(context.params.connectionId, 'connectionId');
  const connection = context.hub.connections.get(context.params.connectionId);
  if (!connection)
    throw new RestFailure(status, code, EmulatorMessages.connectionNotExisted(context.params.connectionId));
  return connection;
}

export function group(context: OperationContext): string {
  checkGroup(context.params.group);
  return context.params.group;
}

export function user(context: OperationContext): string {
  checkId(context.params.userId, 'userId');
  return context.params.userId;
}

export function groupsBody(context: OperationContext): { groups: string[]; audience: Audience } {
  let body: { groups?: unknown; filter?: unknown };
  try {
    body = JSON.parse(context.body.toString('utf8') || '{}');
  } catch {
    throw badRequest(EmulatorMessages.invalidJsonBody());
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest(EmulatorMessages.invalidGroupsBody());
  const groups = body.groups ?? [];
  if (!Array.isArray(groups) || groups.some((name) => typeof name !== 'string'))
    throw badRequest(EmulatorMessages.invalidGroup());
  groups.forEach((name: string) => checkGroup(name));
  if (body.filter !== undefined && body.filter !== null && typeof body.filter !== 'string')
    throw badRequest(EmulatorMessages.invalidFilter('it must be a string'));
  return { groups: groups as string[], audience: { filter: parseFilter((body.filter as string | null) ?? undefined) } };
}

export function permission(context: OperationContext): { name: Permission; target?: string } {
  const name = context.params.permission;
  if (!isPermission(name)) throw badRequest(EmulatorMessages.invalidPermission(name));
  const target = one(context, 'targetName');
  if (target !== undefined) checkGroup(target);
  return { name, target };
}

export function exists(found: boolean, code: string, message: string): RestResult {
  if (!found) throw new RestFailure(404, code, message);
  return OK;
}

export function listConnections(context: OperationContext): RestResult {
  const name = group(context);
  const pageSize = parseInteger(one(context, 'maxpagesize'), 'maxpagesize', 1, MAX_PAGE_SIZE) ?? 100;
  const top = parseInteger(one(context, 'top'), 'top', 1, MAX_INT32);
  const token = one(context, 'continuationToken');
  // Ordered by connectionId and resumed at the first id >= the token, so members that leave or join
  // between pages never make a page repeat or restart.
  const members = context.hub
    .groupMembers(name)
    .sort((x, y) => (x.connectionId < y.connectionId ? -1 : x.connectionId > y.connectionId ? 1 : 0));
  const found = token === undefined ? 0 : members.findIndex((member) => member.connectionId >= token);
  const start = found < 0 ? members.length : found;
  const page = members.slice(start, start + Math.min(pageSize, top ?? pageSize));
  const remaining = top === undefined ? undefined : top - page.length;
  const next = members[start + page.length];
  let nextLink: string | undefined;
  if (next && (remaining === undefined || remaining > 0)) {
    const query: QueryPairs = [
      ['api-version', one(context, 'api-version')!],
      ['maxpagesize', String(pageSize)],
    ];
    if (remaining !== undefined) query.push(['top', String(remaining)]);
    query.push(['continuationToken', next.connectionId]);
    nextLink = `${context.endpoint}/api/hubs/${encodeURIComponent(context.hub.name)}/groups/${encodeURIComponent(name)}/connections${formatQuery(query)}`;
  }
  // The service writes `"userId": null` for anonymous connections (recorded real-service paging).
  const value = page.map((member) => ({ connectionId: member.connectionId, userId: member.userId ?? null }));
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ value, nextLink }),
  };
}

export function generateToken(context: OperationContext): RestResult {
  const minutes = parseInteger(one(context, 'minutesToExpire'), 'minutesToExpire', 1, MAX_INT32) ?? 60;
  const clientType = one(context, 'clientType') ?? 'Default';
  // The spec's enum is Default|MQTT; the service answered clientType=socketio with 400 (a recording).
  const protocol = clientType.toLowerCase();
  if (protocol !== 'default' && protocol !== 'mqtt') throw badRequest(EmulatorMessages.invalidClientType(clientType));
  const [roles, groups] = [all(context, 'role'), all(context, 'group')];
  const userId = one(context, 'userId');
  // A token for user `..` or group `..` would make a connection no REST call can name.
  if (userId !== undefined && userId !== '') checkId(userId, 'userId');
  groups.forEach(checkGroup);
  const claims = clientTokenClaims({
    endpoint: context.endpoint,
    hub: context.hub.name,
    protocol,
    userId,
    roles: roles.length ? roles : undefined,
    groups: groups.length ? groups : undefined,
    expirationTimeInMinutes: minutes,
  });
  const token = signJwt(claims, context.core.options.keys[0]);
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ token }),
  };
}
