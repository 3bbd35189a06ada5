import { safeDecode } from '../protocol/query.js';
import { EmulatorMessages } from './emulator.messages.js';
import { checkId, RestFailure, type RestResult } from './rest-response.js';
import {
  type OperationContext,
  OK,
  NO_CONTENT,
  one,
  send,
  closeAll,
  connectionOf,
  group,
  user,
  groupsBody,
  permission,
  exists,
  listConnections,
  generateToken,
} from './rest-operations.parts.js';

type Handler = (context: OperationContext) => RestResult | Promise<RestResult>;
interface Route {
  method: string;
  operation: string;
  pattern: string[];
  run: Handler;
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
