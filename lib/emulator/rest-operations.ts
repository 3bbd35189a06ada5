import { clientTokenClaims } from '../protocol/client-token.js';
import { signJwt } from '../protocol/jwt.js';
import { formatQuery, safeDecode, type QueryPairs } from '../protocol/query.js';
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

type Handler = (context: OperationContext) => RestResult | Promise<RestResult>;
interface Route {
  method: string;
  operation: string;
  pattern: string[];
  run: Handler;
}

const ACCEPTED: RestResult = { status: 202 };
const OK: RestResult = { status: 200 };
const NO_CONTENT: RestResult = { status: 204 };

const one = (context: OperationContext, name: string) => context.query.get(name)?.[0];
const all = (context: OperationContext, name: string) => context.query.get(name) ?? [];

function readPayload(context: OperationContext): Payload {
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

function audienceOf(context: OperationContext, withExcluded: boolean): Audience {
  parseInteger(one(context, 'messageTtlSeconds'), 'messageTtlSeconds', 0, MAX_MESSAGE_TTL_SECONDS);
  return { excluded: withExcluded ? all(context, 'excluded') : [], filter: parseFilter(one(context, 'filter')) };
}

function send(
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

function closeAll(
  context: OperationContext,
  candidates: Iterable<import('./client-connection.js').ClientConnection>,
): RestResult {
  const reason = one(context, 'reason');
  for (const connection of context.hub.select([...candidates], { excluded: all(context, 'excluded') })) {
    context.core.closeConnection(connection, reason);
  }
  return NO_CONTENT;
}

function connectionOf(context: OperationContext, code: string, status = 404) {
  checkId(context.params.connectionId, 'connectionId');
  const connection = context.hub.connections.get(context.params.connectionId);
  if (!connection)
    throw new RestFailure(status, code, EmulatorMessages.connectionNotExisted(context.params.connectionId));
  return connection;
}

function group(context: OperationContext): string {
  checkGroup(context.params.group);
  return context.params.group;
}

function user(context: OperationContext): string {
  checkId(context.params.userId, 'userId');
  return context.params.userId;
}

function groupsBody(context: OperationContext): { groups: string[]; audience: Audience } {
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

function permission(context: OperationContext): { name: Permission; target?: string } {
  const name = context.params.permission;
  if (!isPermission(name)) throw badRequest(EmulatorMessages.invalidPermission(name));
  const target = one(context, 'targetName');
  if (target !== undefined) checkGroup(target);
  return { name, target };
}

function exists(found: boolean, code: string, message: string): RestResult {
  if (!found) throw new RestFailure(404, code, message);
  return OK;
}

function listConnections(context: OperationContext): RestResult {
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

function generateToken(context: OperationContext): RestResult {
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

const routes: Route[] = [
  {
    method: 'POST',
    operation: 'sendToAll',
    pattern: [':send'],
    run: (c) => send(c, c.hub.connections.values(), { from: 'server' }),
  },
  {
    method: 'POST',
    operation: 'closeAllConnections',
    pattern: [':closeConnections'],
    run: (c) => closeAll(c, c.hub.connections.values()),
  },
  { method: 'POST', operation: 'generateClientToken', pattern: [':generateToken'], run: generateToken },
  {
    method: 'POST',
    operation: 'addConnectionsToGroups',
    pattern: [':addToGroups'],
    run: (c) => {
      const { groups, audience } = groupsBody(c);
      for (const connection of c.hub.select(c.hub.connections.values(), audience))
        groups.forEach((name) => c.hub.join(connection, name));
      return OK;
    },
  },
  {
    method: 'POST',
    operation: 'removeConnectionsFromGroups',
    pattern: [':removeFromGroups'],
    run: (c) => {
      const { groups, audience } = groupsBody(c);
      for (const connection of c.hub.select(c.hub.connections.values(), audience))
        groups.forEach((name) => c.hub.leave(connection, name));
      return OK;
    },
  },
  {
    method: 'HEAD',
    operation: 'connectionExists',
    pattern: ['connections', '{connectionId}'],
    run: (c) => (connectionOf(c, 'Warning.Connection.NotExisted'), OK),
  },
  {
    method: 'DELETE',
    operation: 'closeConnection',
    pattern: ['connections', '{connectionId}'],
    run: (c) => {
      checkId(c.params.connectionId, 'connectionId');
      const connection = c.hub.connections.get(c.params.connectionId);
      if (connection) c.core.closeConnection(connection, one(c, 'reason'));
      return NO_CONTENT;
    },
  },
  {
    method: 'POST',
    operation: 'sendToConnection',
    pattern: ['connections', '{connectionId}', ':send'],
    run: (c) => {
      checkId(c.params.connectionId, 'connectionId');
      const connection = c.hub.connections.get(c.params.connectionId);
      return send(c, connection ? [connection] : [], { from: 'server' }, false);
    },
  },
  {
    method: 'DELETE',
    operation: 'removeConnectionFromAllGroups',
    pattern: ['connections', '{connectionId}', 'groups'],
    run: (c) => {
      checkId(c.params.connectionId, 'connectionId');
      const connection = c.hub.connections.get(c.params.connectionId);
      if (connection) for (const name of [...connection.groups]) c.hub.leave(connection, name);
      return NO_CONTENT;
    },
  },
  {
    method: 'HEAD',
    operation: 'groupExists',
    pattern: ['groups', '{group}'],
    run: (c) =>
      exists(c.hub.hasGroup(group(c)), 'Warning.Group.NotExisted', EmulatorMessages.groupNotExisted(c.params.group)),
  },
  {
    method: 'POST',
    operation: 'closeGroupConnections',
    pattern: ['groups', '{group}', ':closeConnections'],
    run: (c) => closeAll(c, c.hub.groupMembers(group(c))),
  },
  {
    method: 'POST',
    operation: 'sendToGroup',
    pattern: ['groups', '{group}', ':send'],
    run: (c) => send(c, c.hub.groupMembers(group(c)), { from: 'group', group: c.params.group }),
  },
  {
    method: 'GET',
    operation: 'listConnectionsInGroup',
    pattern: ['groups', '{group}', 'connections'],
    run: listConnections,
  },
  {
    method: 'PUT',
    operation: 'addConnectionToGroup',
    pattern: ['groups', '{group}', 'connections', '{connectionId}'],
    run: (c) => {
      const name = group(c); // a bad name is a 400 before an unknown connection is a 404
      c.hub.join(connectionOf(c, 'Error.Connection.NotExisted'), name);
      return OK;
    },
  },
  {
    method: 'DELETE',
    operation: 'removeConnectionFromGroup',
    pattern: ['groups', '{group}', 'connections', '{connectionId}'],
    run: (c) => {
      const name = group(c);
      checkId(c.params.connectionId, 'connectionId');
      const connection = c.hub.connections.get(c.params.connectionId);
      if (connection) c.hub.leave(connection, name);
      return NO_CONTENT;
    },
  },
  {
    method: 'PUT',
    operation: 'grantPermission',
    pattern: ['permissions', '{permission}', 'connections', '{connectionId}'],
    run: (c) => {
      const { name, target } = permission(c);
      connectionOf(c, 'Info.Connection.NotExisted').permissions[name].grant(target);
      return OK;
    },
  },
  {
    method: 'DELETE',
    operation: 'revokePermission',
    pattern: ['permissions', '{permission}', 'connections', '{connectionId}'],
    run: (c) => {
      const { name, target } = permission(c);
      checkId(c.params.connectionId, 'connectionId');
      // Also takes away what a token or connect-answer role gave (see the README's emulator section).
      c.hub.connections.get(c.params.connectionId)?.permissions[name].revoke(target);
      return NO_CONTENT;
    },
  },
  {
    method: 'HEAD',
    operation: 'hasPermission',
    pattern: ['permissions', '{permission}', 'connections', '{connectionId}'],
    run: (c) => {
      const { name, target } = permission(c);
      const connection = connectionOf(c, 'Warning.Connection.NotExisted');
      const granted = target === undefined ? connection.permissions[name].coversAll : connection.may(name, target);
      return exists(granted, 'Warning.Permission.NotExisted', EmulatorMessages.permissionNotExisted());
    },
  },
  {
    method: 'HEAD',
    operation: 'userExists',
    pattern: ['users', '{userId}'],
    run: (c) =>
      exists(c.hub.hasUser(user(c)), 'Warning.User.NotExisted', EmulatorMessages.userNotExisted(c.params.userId)),
  },
  {
    method: 'POST',
    operation: 'closeUserConnections',
    pattern: ['users', '{userId}', ':closeConnections'],
    run: (c) => closeAll(c, c.hub.userConnectionsOf(user(c))),
  },
  {
    method: 'POST',
    operation: 'sendToUser',
    pattern: ['users', '{userId}', ':send'],
    run: (c) => send(c, c.hub.userConnectionsOf(user(c)), { from: 'server' }, false),
  },
  {
    method: 'DELETE',
    operation: 'removeUserFromAllGroups',
    pattern: ['users', '{userId}', 'groups'],
    run: (c) => (c.hub.removeUserFromAllGroups(user(c)), NO_CONTENT),
  },
  {
    method: 'PUT',
    operation: 'addUserToGroup',
    pattern: ['users', '{userId}', 'groups', '{group}'],
    run: (c) => {
      const [name, id] = [group(c), user(c)];
      if (!c.hub.hasUser(id))
        throw new RestFailure(404, 'Warning.User.NotExisted', EmulatorMessages.userNotExisted(id));
      c.hub.addUserToGroup(id, name);
      return OK;
    },
  },
  {
    method: 'DELETE',
    operation: 'removeUserFromGroup',
    pattern: ['users', '{userId}', 'groups', '{group}'],
    run: (c) => (c.hub.removeUserFromGroup(user(c), group(c)), NO_CONTENT),
  },
];

/** Finds the operation for a method and raw path (`/api/hubs/{hub}/…`), decoding path segments. */
export const operations = {
  match(method: string, rawPath: string): (Route & { hub: string; params: Record<string, string> }) | undefined {
    const segments = rawPath.split('/');
    if (segments[0] !== '' || segments[1] !== 'api' || segments[2] !== 'hubs' || segments.length < 5) return undefined;
    const hub = safeDecode(segments[3]);
    const rest = segments.slice(4).map(safeDecode);
    for (const route of routes) {
      if (route.method !== method || route.pattern.length !== rest.length) continue;
      const params: Record<string, string> = {};
      const matches = route.pattern.every((part, index) => {
        if (part.startsWith('{')) {
          params[part.slice(1, -1)] = rest[index];
          return true;
        }
        return part === rest[index];
      });
      if (matches) return { ...route, hub, params };
    }
    return undefined;
  },
};
