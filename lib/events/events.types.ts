/** What every upstream event carries about its connection (from the `ce-*` headers). */
export interface WebPubSubEventContext {
  hub: string;
  connectionId: string;
  /** Undefined for anonymous connections. */
  userId?: string;
  /** The event name without prefix: `connect`, `connected`, `disconnected`, or the user event's name. */
  eventName: string;
  subprotocol?: string;
  /** The `WebHook-Request-Origin` host of the service that sent the event. */
  origin: string;
  /** Connection state (`ce-connectionState`, base64 JSON) as set by earlier blocking events; `{}` when none. */
  states: Record<string, unknown>;
}

/** The `connect` event: who is connecting, and with what. */
export interface ConnectRequest {
  context: WebPubSubEventContext;
  claims: Record<string, string[]>;
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
  subprotocols: string[];
  clientCertificates: Array<{ thumbprint: string; content?: string }>;
}

/** What an `@OnConnect` handler may return to shape the connection (or nothing to accept it as is). */
export interface ConnectResponse {
  userId?: string;
  groups?: string[];
  roles?: string[];
  /** One of the subprotocols the client offered. */
  subprotocol?: string;
}

export interface ConnectedEvent {
  context: WebPubSubEventContext;
}

export interface DisconnectedEvent {
  context: WebPubSubEventContext;
  /** Why the connection closed, when the service knows (e.g. the reason given to closeConnection). */
  reason?: string;
}

/** A user event: `data` is parsed by its content type (JSON value, text, or binary Buffer). */
export interface UserEventRequest {
  context: WebPubSubEventContext;
  data: unknown;
  dataType: 'json' | 'text' | 'binary';
}

/**
 * Reads and changes the connection state (`ce-connectionState`) from a blocking handler (`@OnConnect`,
 * `@OnUserEvent`). The whole state is sent back when something changed.
 */
export interface ConnectionStateAccess {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}
