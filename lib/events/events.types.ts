import type { MqttUserProperty } from '../protocol/connect-answer.js';

// One type per wire concept: the connect answer is the protocol's, shared with the emulator.
export type { ConnectResponse, MqttUserProperty } from '../protocol/connect-answer.js';

/** What every upstream event carries about its connection (from the `ce-*` headers). */
export interface WebPubSubEventContext {
  hub: string;
  connectionId: string;
  /** Undefined for anonymous connections. */
  userId?: string;
  /** The event name without prefix: `connect`, `connected`, `disconnected`, `joined`, `left`, or the user event's name. */
  eventName: string;
  subprotocol?: string;
  /**
   * The event's id (`ce-id`): unique per event of a connection, the same on a retried delivery, so
   * a repeat can be told apart. No official SDK exposes it; named after the CloudEvents attribute.
   */
  eventId: string;
  /** When the service produced the event (`ce-time`, ISO 8601 UTC): orders group presence events. `''` if absent. */
  time: string;
  /** The `WebHook-Request-Origin` host of the service that sent the event. */
  origin: string;
  /** Connection state (`ce-connectionState`, base64 JSON) as set by earlier blocking events; `{}` when none. */
  states: Record<string, unknown>;
  /** `mqtt` for MQTT clients (an `mqtt` subprotocol and a `ce-physicalConnectionId`), else `default`. */
  clientProtocol: 'default' | 'mqtt';
  /** MQTT clients only. */
  mqtt?: MqttConnectionContextProperties;
}

export interface MqttConnectionContextProperties {
  /** The network connection (`ce-physicalConnectionId`); `connectionId` names the MQTT session's connection. */
  physicalConnectionId: string;
  /** The MQTT session (`ce-sessionId`), when the client keeps one. */
  sessionId?: string;
}

/** What an MQTT client sent in its CONNECT packet. */
export interface MqttConnectProperties {
  /** 4 for MQTT 3.1.1, 5 for MQTT 5.0. */
  protocolVersion: number;
  username?: string;
  password?: string;
  userProperties?: MqttUserProperty[];
}

/** The `connect` event: who is connecting, and with what. */
export interface ConnectRequest {
  context: WebPubSubEventContext;
  claims: Record<string, string[]>;
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
  subprotocols: string[];
  clientCertificates: Array<{ thumbprint: string; content?: string }>;
  /** MQTT clients only: their CONNECT packet. */
  mqtt?: MqttConnectProperties;
}

/** What an `@OnConnect` handler throws in a `MqttConnectError` to refuse an MQTT client with a CONNACK code of its choice. */
export interface MqttConnectErrorResponse {
  mqtt: {
    /** An MQTT 3.1.1 return code (1-5) or MQTT 5 reason code (0x80 and up); it decides the HTTP status. */
    code: number;
    reason?: string;
    userProperties?: MqttUserProperty[];
  };
}

export interface ConnectedEvent {
  context: WebPubSubEventContext;
}

export interface DisconnectedEvent {
  context: WebPubSubEventContext;
  /** Why the connection closed, when the service knows (e.g. the reason given to closeConnection). */
  reason?: string;
  /** MQTT clients only: how the session ended. */
  mqtt?: MqttDisconnectedProperties;
}

export interface MqttDisconnectedProperties {
  /** The DISCONNECT packet (sent by the client, or by the service when it closed the connection). */
  disconnectPacket: { code: number; userProperties?: MqttUserProperty[] };
  initiatedByClient: boolean;
}

/** A connection joined a group (sent only when the hub's event handler lists group presence events). */
export interface GroupJoinedRequest {
  context: WebPubSubEventContext;
  group: string;
}

/** A connection left a group (sent only when the hub's event handler lists group presence events). */
export interface GroupLeftRequest {
  context: WebPubSubEventContext;
  group: string;
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
