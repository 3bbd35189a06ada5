import { odata } from '../client/odata.js';
import { assertGroup, assertId } from '../client/validation.js';
import type { WebPubSubService } from '../core/web-pubsub.service.js';
import type { HubChannel } from './gateway.channel.js';

/**
 * What `@WebSocketServer()` holds on Web PubSub: broadcasts to the gateway's hub, as socket.io's
 * server reads (`emit`, `to(room).emit`, `except(id)`), each one REST call. Clients receive
 * `{ event, data }` JSON, as Nest's `ws` adapter sends it. `service` does everything else.
 */
export class WebPubSubServer {
  constructor(private readonly channel: HubChannel) {}

  /** The WebPubSubService of the gateway's instance (`service.hub(server.hub)` for this hub's client). */
  get service(): WebPubSubService {
    return this.channel.service;
  }

  get hub(): string {
    return this.channel.hub;
  }

  /** To everyone on the hub. */
  emit(event: string, data?: unknown): Promise<void> {
    return new BroadcastOperator(this.channel, [], []).emit(event, data);
  }

  /** To the connections in a group (or any of several). */
  to(groups: string | string[]): BroadcastOperator {
    return new BroadcastOperator(this.channel, [], []).to(groups);
  }

  /** Socket.io's alias of `to`. */
  in(groups: string | string[]): BroadcastOperator {
    return this.to(groups);
  }

  /** To everyone but these connections. */
  except(connectionIds: string | string[]): BroadcastOperator {
    return new BroadcastOperator(this.channel, [], []).except(connectionIds);
  }
}

/** A broadcast being described: groups (none: the hub) and excluded connections. Immutable, chainable. */
export class BroadcastOperator {
  constructor(
    private readonly channel: HubChannel,
    private readonly groups: readonly string[],
    private readonly excluded: readonly string[],
  ) {}

  /** Names are checked here, with the client's rules and messages, so a bad one fails where it is written. */
  to(groups: string | string[]): BroadcastOperator {
    const added = listOf(groups);
    for (const group of added) assertGroup(group, 'to(group)');
    return new BroadcastOperator(this.channel, [...this.groups, ...added], this.excluded);
  }

  in(groups: string | string[]): BroadcastOperator {
    return this.to(groups);
  }

  except(connectionIds: string | string[]): BroadcastOperator {
    const added = listOf(connectionIds);
    for (const connectionId of added) assertId(connectionId, 'connectionId');
    return new BroadcastOperator(this.channel, this.groups, [...this.excluded, ...added]);
  }

  emit(event: string, data?: unknown): Promise<void> {
    const message = { event, data: data ?? null } as never;
    const excludedConnections = this.excluded.length > 0 ? [...this.excluded] : undefined;
    const { client } = this.channel;
    const groups = [...new Set(this.groups)];
    if (groups.length === 0)
      return this.channel.run('the hub', () => client.sendToAll(message, { excludedConnections }));
    if (groups.length === 1)
      return this.channel.run(`group ${groups[0]}`, () =>
        client.group(groups[0]).sendToAll(message, { excludedConnections }),
      );
    // One call for several groups, so a connection in two of them gets the message once.
    const filter = groups.map((group) => odata`${group} in groups`).join(' or ');
    return this.channel.run(`groups ${groups.join(', ')}`, () =>
      client.sendToAll(message, { filter, excludedConnections }),
    );
  }
}

/** One name or several, as socket.io's `to()` and `except()` take them. */
function listOf(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
