/** The options the request builders take, beside their RequestContext (`nestjs-web-pubsub/rest`). */
import type { MessageContentType } from './message-payload.js';

export interface SendOptions {
  /** `text/plain` sends a string as text; binary data is sent as octet-stream; anything else as JSON. */
  contentType?: MessageContentType;
  /** 0 to 300 seconds; messages not delivered by then are dropped. 0 (the default) means no expiry. */
  messageTtlSeconds?: number;
}
export interface FilteredSendOptions extends SendOptions {
  /** OData filter selecting the receivers, e.g. odata`userId ne ${me}`. */
  filter?: string;
}
export interface BroadcastSendOptions extends FilteredSendOptions {
  /** Connection ids that must not receive the message. */
  excludedConnections?: string[];
}
export interface CloseOptions {
  /** Shown to clients in their `disconnected` message and sent upstream in the disconnected event. */
  reason?: string;
  /** Connection ids to leave open. */
  excluded?: string[];
}
export interface PermissionOptions {
  /** The group the permission applies to; all groups when omitted. */
  targetName?: string;
}
export interface ListConnectionsOptions {
  /** Items per page, 1 to 200. */
  maxPageSize?: number;
  /** Total items to return at most. */
  top?: number;
  continuationToken?: string;
}
export interface GenerateTokenQuery {
  userId?: string;
  roles?: string[];
  groups?: string[];
  /** Minutes until the token expires; the service's default is 60. */
  minutesToExpire?: number;
  /** `clientType` as the REST API names it: `Default` or `MQTT` (the official SDK passes its `clientProtocol` here). */
  clientType?: string;
}
