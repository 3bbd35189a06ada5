/** Which system events an event handler receives. */
export type SystemEventName = 'connect' | 'connected' | 'disconnected';

/** One upstream event handler, named like the service's hub settings. */
export interface EventHandlerSettings {
  /** e.g. `http://127.0.0.1:3000/eventhandler/{event}`; `{hub}` and `{event}` are filled in. */
  urlTemplate: string;
  /** Which user events go to this handler: `*` for all, or a comma-separated list of names. */
  userEventPattern?: string;
  systemEvents?: SystemEventName[];
  /**
   * Group presence events (`azure.webpubsub.gp.joined` / `gp.left`) for this handler, as the
   * service's preview `groupPresenceEvents` setting of a hub's event handler: which of `joined` and
   * `left`, and optionally which groups (patterns with the wildcard-role syntax; none means all).
   */
  groupPresenceEvents?: GroupPresenceEventSettings;
}

export type GroupPresenceEventName = 'joined' | 'left';

/** The group presence events there are, as the service's setting names them. */
export const GROUP_PRESENCE_EVENT_NAMES: readonly GroupPresenceEventName[] = ['joined', 'left'];

export interface GroupPresenceEventSettings {
  eventNames: GroupPresenceEventName[];
  groupFilters?: string[];
}

export interface HubSettings {
  eventHandlers?: EventHandlerSettings[];
}

/** Where the emulator writes its own log lines. */
export interface EmulatorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface WebPubSubEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to loopback, `127.0.0.1`. */
  host?: string;
  /** The primary access key; a random one is generated when omitted. */
  accessKey?: string;
  /** A secondary key, accepted everywhere the primary is (for key-rotation tests). */
  secondaryAccessKey?: string;
  /** Per-hub settings, keyed by hub name. Hubs need no declaration to be used. */
  hubs?: Record<string, HubSettings>;
  /** Defaults to no output. The CLI logs to the console. */
  logger?: EmulatorLogger;
  /** How long a dropped reliable connection can be recovered (ms). Defaults to 30,000. */
  recoveryWindowMs?: number;
  /** Timeout for one upstream call (ms). Defaults to 100,000, like the service. */
  upstreamTimeoutMs?: number;
  /** Delays between retries of non-blocking upstream events (ms). Defaults to [1000, 3000, 5000]. */
  upstreamRetryDelaysMs?: number[];
  /**
   * Upstream requests in flight at most; more wait in one first-in, first-out queue, so events
   * start in the order they happened. Defaults to 64.
   */
  upstreamConcurrency?: number;
  /**
   * Bytes waiting to be sent to one client (the socket's buffer), past which the client is too
   * slow: it is closed with code 1008 and a reason saying so (JSON clients first get a
   * `disconnected` message). Defaults to 16 MiB.
   */
  clientBufferLimitBytes?: number;
  /** How many deliveries `deliveries` keeps for inspection. Defaults to 10,000. */
  deliveryHistoryLimit?: number;
}
