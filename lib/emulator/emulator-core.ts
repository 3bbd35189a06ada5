import type { ClientConnection } from './client-connection.js';
import type { EmulatorLogger, GroupPresenceEventName, HubSettings } from './emulator.options.js';
import { HubState, type Delivery } from './hub-state.js';
import { UpstreamInvoker, type UpstreamSubject } from './upstream.js';

/** The delivery record keeps at most about this much message data (64 Mi characters or bytes). */
const DELIVERY_HISTORY_BYTES = 64 * 1024 * 1024;

export interface EmulatorCoreOptions {
  endpoint: string;
  keys: string[];
  hubs: Record<string, HubSettings>;
  logger: EmulatorLogger;
  recoveryWindowMs: number;
  upstreamTimeoutMs: number;
  upstreamRetryDelaysMs: number[];
  upstreamConcurrency: number;
  clientBufferLimitBytes: number;
  deliveryHistoryLimit: number;
}

/**
 * The emulator's state and the connection lifecycle, shared by the REST API and the client
 * endpoint: hubs (names are case-insensitive, as in the service), upstream calls, and the record of
 * deliveries that tests inspect.
 */
export class EmulatorCore {
  readonly upstream: UpstreamInvoker;
  readonly deliveries: Delivery[] = [];
  deliveryCount = 0;
  /** Characters or bytes of data held by `deliveries` (shared copies counted each time: an upper bound). */
  private historyBytes = 0;
  private readonly hubs = new Map<string, HubState>();
  private readonly deliveryListeners = new Set<(delivery: Delivery) => void>();

  constructor(readonly options: EmulatorCoreOptions) {
    this.upstream = new UpstreamInvoker({
      origin: new URL(options.endpoint).host,
      keys: options.keys,
      hubs: options.hubs,
      logger: options.logger,
      timeoutMs: options.upstreamTimeoutMs,
      retryDelaysMs: options.upstreamRetryDelaysMs,
      concurrency: options.upstreamConcurrency,
    });
  }

  get logger(): EmulatorLogger {
    return this.options.logger;
  }

  hub(name: string): HubState {
    const key = name.toLowerCase();
    let hub = this.hubs.get(key);
    if (!hub) {
      hub = new HubState(
        name,
        (delivery) => this.recordDelivery(delivery),
        (connection, group, change) => this.notifyGroupChange(connection, group, change),
      );
      this.hubs.set(key, hub);
    }
    return hub;
  }

  allConnections(): ClientConnection[] {
    return [...this.hubs.values()].flatMap((hub) => [...hub.connections.values()]);
  }

  onDelivery(listener: (delivery: Delivery) => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  /**
   * Ends a connection for good: JSON clients get a `disconnected` system message with the reason,
   * the socket closes, and the upstream `disconnected` event is sent (once).
   */
  closeConnection(connection: ClientConnection, reason: string | undefined, code = 1000): void {
    if (connection.closed) return;
    connection.closed = true;
    connection.cancelRecoveryTimer();
    if (reason !== undefined) connection.sendFrame({ type: 'system', event: 'disconnected', message: reason });
    try {
      connection.closeSocket(code, reason ?? '');
    } finally {
      // Even if the socket refuses to close, the connection is gone: unlisted, and reported upstream.
      this.hub(connection.hub).remove(connection);
      this.notifyDisconnected(connection, reason);
    }
  }

  notifyDisconnected(connection: ClientConnection, reason: string | undefined): void {
    this.upstream
      .invoke(upstreamSubjectOf(connection), {
        kind: 'system',
        name: 'disconnected',
        body: reason === undefined ? {} : { reason },
      })
      .catch((error: Error) => this.logger.warn(error.message));
  }

  /**
   * `azure.webpubsub.gp.joined` / `gp.left` to a handler that lists them. Sent after the current
   * step ends, so a connection's initial groups are announced after its `connected` event starts.
   */
  private notifyGroupChange(connection: ClientConnection, group: string, change: GroupPresenceEventName): void {
    if (!this.upstream.handlerFor(connection.hub, { kind: 'group', name: change, group })) return;
    const subject = upstreamSubjectOf(connection);
    queueMicrotask(() => {
      this.upstream
        .invoke(subject, { kind: 'group', name: change, body: { group } })
        .catch((error: Error) => this.logger.warn(error.message));
    });
  }

  private recordDelivery(delivery: Delivery): void {
    this.deliveryCount++;
    this.deliveries.push(delivery);
    this.historyBytes += delivery.data.length;
    // Trim in batches: splicing on every delivery would make a long run quadratic. Counted in
    // messages and in bytes (large messages would otherwise keep up to 2 x 10,000 of them).
    const limit = this.options.deliveryHistoryLimit;
    if (this.deliveries.length > limit * 2 || this.historyBytes > DELIVERY_HISTORY_BYTES * 2) {
      let drop = Math.max(0, this.deliveries.length - limit);
      let bytes = this.historyBytes;
      for (let i = 0; i < drop; i++) bytes -= this.deliveries[i].data.length;
      while (bytes > DELIVERY_HISTORY_BYTES && drop < this.deliveries.length - 1)
        bytes -= this.deliveries[drop++].data.length;
      this.deliveries.splice(0, drop);
      this.historyBytes = bytes;
    }
    for (const listener of this.deliveryListeners) listener(delivery);
  }
}

/** Who an event is about, as of now (a later change of state does not rewrite a queued event). */
export function upstreamSubjectOf(source: UpstreamSubject): UpstreamSubject {
  return {
    hub: source.hub,
    connectionId: source.connectionId,
    userId: source.userId,
    subprotocol: source.subprotocol,
    connectionState: source.connectionState,
  };
}
