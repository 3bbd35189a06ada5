import type { ClientConnection, MessageSource, Payload } from './client-connection.js';
import type { GroupPresenceEventName } from './emulator.options.js';
import type { FilterPredicate } from './odata-filter.js';

/** A message that reached a connection, kept for tests to inspect. */
export interface Delivery {
  hub: string;
  connectionId: string;
  userId?: string;
  source: MessageSource;
  dataType: 'json' | 'text' | 'binary';
  /** JSON and text as a string; binary as a Buffer. */
  data: string | Buffer;
  at: number;
}

export interface Audience {
  excluded?: readonly string[];
  filter?: FilterPredicate;
}

/** Told when a live connection joins or leaves a group (not when it leaves them by closing). */
export type MembershipListener = (connection: ClientConnection, group: string, change: GroupPresenceEventName) => void;

/**
 * Connections, groups and users of one hub. Groups and users exist only while they have
 * connections, as in the service; a user's group memberships also apply to the user's later
 * connections until the user is removed from the group.
 */
export class HubState {
  readonly connections = new Map<string, ClientConnection>();
  private readonly groups = new Map<string, Set<string>>();
  private readonly userConnections = new Map<string, Set<string>>();
  private readonly userGroups = new Map<string, Set<string>>();

  constructor(
    readonly name: string,
    private readonly onDelivery: (delivery: Delivery) => void,
    private readonly onMembership: MembershipListener,
  ) {}

  add(connection: ClientConnection, initialGroups: readonly string[]): void {
    this.connections.set(connection.connectionId, connection);
    if (connection.userId !== undefined) {
      addTo(this.userConnections, connection.userId, connection.connectionId);
      for (const group of this.userGroups.get(connection.userId) ?? []) this.join(connection, group);
    }
    for (const group of initialGroups) this.join(connection, group);
  }

  remove(connection: ClientConnection): void {
    for (const group of connection.groups) removeFrom(this.groups, group, connection.connectionId);
    connection.groups.clear();
    this.connections.delete(connection.connectionId);
    if (connection.userId !== undefined) removeFrom(this.userConnections, connection.userId, connection.connectionId);
  }

  join(connection: ClientConnection, group: string): void {
    if (connection.groups.has(group)) return;
    connection.groups.add(group);
    addTo(this.groups, group, connection.connectionId);
    this.onMembership(connection, group, 'joined');
  }

  leave(connection: ClientConnection, group: string): void {
    if (!connection.groups.delete(group)) return;
    removeFrom(this.groups, group, connection.connectionId);
    this.onMembership(connection, group, 'left');
  }

  groupMembers(group: string): ClientConnection[] {
    return [...(this.groups.get(group) ?? [])].map((id) => this.connections.get(id)!);
  }

  userConnectionsOf(userId: string): ClientConnection[] {
    return [...(this.userConnections.get(userId) ?? [])].map((id) => this.connections.get(id)!);
  }

  hasGroup(group: string): boolean {
    return (this.groups.get(group)?.size ?? 0) > 0;
  }

  hasUser(userId: string): boolean {
    return (this.userConnections.get(userId)?.size ?? 0) > 0;
  }

  addUserToGroup(userId: string, group: string): void {
    addTo(this.userGroups, userId, group);
    for (const connection of this.userConnectionsOf(userId)) this.join(connection, group);
  }

  removeUserFromGroup(userId: string, group: string): void {
    removeFrom(this.userGroups, userId, group);
    for (const connection of this.userConnectionsOf(userId)) this.leave(connection, group);
  }

  removeUserFromAllGroups(userId: string): void {
    this.userGroups.delete(userId);
    for (const connection of this.userConnectionsOf(userId))
      for (const group of [...connection.groups]) this.leave(connection, group);
  }

  /** Connections passing the audience's `excluded` list and filter. */
  select(candidates: Iterable<ClientConnection>, audience: Audience = {}): ClientConnection[] {
    const excluded = new Set(audience.excluded ?? []);
    const selected: ClientConnection[] = [];
    for (const connection of candidates) {
      if (excluded.has(connection.connectionId)) continue;
      if (audience.filter && !audience.filter(subjectOf(connection))) continue;
      selected.push(connection);
    }
    return selected;
  }

  /** Sends one message to each connection once, recording what was delivered. */
  deliver(targets: Iterable<ClientConnection>, source: MessageSource, payload: Payload): number {
    let count = 0;
    // One copy for the record, shared by every delivery of this message (not one per connection).
    let data: string | Buffer | undefined;
    for (const connection of targets) {
      if (!connection.deliver(source, payload)) continue;
      count++;
      this.onDelivery({
        hub: this.name,
        connectionId: connection.connectionId,
        userId: connection.userId,
        source,
        dataType: payload.dataType,
        data: (data ??= payload.dataType === 'binary' ? payload.bytes : payload.bytes.toString('utf8')),
        at: Date.now(),
      });
    }
    return count;
  }
}

export function subjectOf(connection: ClientConnection) {
  return {
    userId: connection.userId ?? null,
    connectionId: connection.connectionId,
    protocol: connection.subprotocol ?? '',
    groups: [...connection.groups],
  };
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
