import { odata } from '../client/odata.js';
import { assertGroup, assertId } from '../client/validation.js';
import type { WebPubSubService } from '../core/web-pubsub.service.js';
import type { HubChannel } from './gateway.channel.js';
import { MAX_QUERY_CHARS } from './gateway.constants.js';
import { GatewayMessages } from './gateway.messages.js';

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

  /**
   * One call to the hub or one group; several groups go as one call with a filter, so a connection
   * in two of them gets the message once. A filter too long for a request URL is split into several
   * calls, each to a subset of the groups (a connection in groups of two calls gets it once per call).
   * Excluded connections apply to each call; too many of them for one URL fail here, before any call.
   */
  emit(event: string, data?: unknown): Promise<void> {
    const message = { event, data: data ?? null } as never;
    const excludedConnections = this.excluded.length > 0 ? [...this.excluded] : undefined;
    const excludedChars = this.excluded.reduce(
      (sum, id) => sum + '&excluded='.length + encodeURIComponent(id).length,
      0,
    );
    if (excludedChars > MAX_QUERY_CHARS)
      throw new Error(GatewayMessages.tooManyExcluded(this.excluded.length, excludedChars, MAX_QUERY_CHARS));
    const { client } = this.channel;
    const groups = [...new Set(this.groups)];
    if (groups.length === 0)
      return this.channel.run('the hub', (abortSignal) =>
        client.sendToAll(message, { excludedConnections, abortSignal }),
      );
    const calls = filterChunks(groups, MAX_QUERY_CHARS - excludedChars).map((chunk) =>
      chunk.length === 1
        ? this.channel.run(`group ${chunk[0]}`, (abortSignal) =>
            client.group(chunk[0]).sendToAll(message, { excludedConnections, abortSignal }),
          )
        : this.channel.run(
            `groups ${chunk.length === groups.length ? groups.join(', ') : `${chunk[0]} and ${chunk.length - 1} more`}`,
            (abortSignal) =>
              client.sendToAll(message, {
                filter: chunk.map((group) => odata`${group} in groups`).join(' or '),
                excludedConnections,
                abortSignal,
              }),
          ),
    );
    if (calls.length === 1) return calls[0];
    // Marked handled as each call is: an un-awaited emit never crashes the process.
    const all = Promise.all(calls).then(() => undefined);
    all.catch(() => undefined);
    return all;
  }
}

/** Groups in order, cut so that each part's filter, URL-encoded, fits in `budget` characters (a part of one group needs none). */
function filterChunks(groups: readonly string[], budget: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const group of groups) {
    const clause = encodeURIComponent(odata`${group} in groups`).length;
    const cost = (current.length === 0 ? '&filter='.length : '%20or%20'.length) + clause;
    if (current.length > 0 && used + cost > budget) {
      chunks.push(current);
      current = [];
      used = '&filter='.length + clause;
    } else used += cost;
    current.push(group);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** One name or several, as socket.io's `to()` and `except()` take them. */
function listOf(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
