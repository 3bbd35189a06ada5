import type { ExecutionContext } from '@nestjs/common';
import type { MessageContentType } from '../client/index.js';
import type { BroadcastDefaults } from '../core/web-pubsub.options.js';

/**
 * What target resolvers and `map` receive: the handler's result (one emission of it), the
 * request's parts, and Nest's ExecutionContext. Annotate the parameter to type what you read, e.g.
 * `(ctx: BroadcastContext<Order, { id: string }>) => ctx.user.id`.
 */
export interface BroadcastContext<TResult = unknown, TUser = unknown, TBody = unknown> {
  result: TResult;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: TBody;
  headers: Record<string, string | string[] | undefined>;
  /** `request.user`, as set by your auth guard. */
  user: TUser;
  execution: ExecutionContext;
}

/**
 * A fixed value, or a function of the broadcast context. The function is checked bivariantly (as a
 * method), so a resolver may annotate its context with the result, user and body types it expects.
 */
export type Resolvable<T> = T | { resolve(context: BroadcastContext): T }['resolve'];

/**
 * `await`: the response waits until Web PubSub accepted the message. `background`: the response does
 * not wait; messages go through a bounded in-memory queue (see `queueLimit`), flushed on app.close().
 */
export type BroadcastDelivery = NonNullable<BroadcastDefaults['delivery']>;

/**
 * `throw`: a failed send fails the request with a 502 (await delivery only). `log`: the response is
 * left intact and the failure is logged as an error.
 */
export type BroadcastErrorMode = NonNullable<BroadcastDefaults['onError']>;

export interface BroadcastOptions {
  /** Another hub of the instance (default: the instance's hub). */
  hub?: string;
  /** A named module instance (default: the default instance). */
  instance?: string;
  /** OData filter on the receivers, e.g. odata`userId ne ${me}`. */
  filter?: Resolvable<string | undefined>;
  /** Connection ids that must not receive the message (hub and group sends). */
  excluded?: Resolvable<string[] | undefined>;
  /** 0 to 300 seconds. */
  messageTtlSeconds?: number;
  /** Defaults by value: JSON for objects and strings, octet-stream for binary. `text/plain` sends strings as text. */
  contentType?: MessageContentType;
  /**
   * What to send, from the result (the HTTP response itself stays unchanged); `undefined` or `null`
   * sends nothing. A method, so it may type its parameters: `map: (order: Order) => ({ id: order.id })`.
   */
  map?(result: unknown, context: BroadcastContext): unknown;
  delivery?: BroadcastDelivery;
  onError?: BroadcastErrorMode;
}

export interface GroupBroadcastOptions extends BroadcastOptions {
  /**
   * With several groups: `perGroup` (default) sends once per group, so a connection in two groups
   * gets the message twice, each marked with its group. `filter` sends one message to the hub with an
   * OData filter selecting the groups' members, so each connection gets it once (as a server message).
   */
  multiGroup?: 'perGroup' | 'filter';
}

/** One decorator's declaration, as stored in route metadata. */
export type BroadcastTarget =
  | { kind: 'hub'; options: BroadcastOptions }
  | { kind: 'group'; groups: Resolvable<string | string[]>; options: GroupBroadcastOptions }
  | { kind: 'user'; userId: Resolvable<string>; options: BroadcastOptions }
  | { kind: 'connection'; connectionId: Resolvable<string>; options: BroadcastOptions };
