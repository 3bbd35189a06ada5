import type { WsMessageHandler } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type {
  ConnectedEvent,
  ConnectionStateAccess,
  DisconnectedEvent,
  UserEventRequest,
  WebPubSubEventContext,
} from '../events/events.types.js';
import { runConnectionCallbacks, type CallbackName } from './nest-binds-handlers-only-on-connection.patch.js';
import type { GatewayMessage, HubChannel } from './gateway.channel.js';
import { MAX_SOCKETS_PER_HUB } from './gateway.constants.js';
import { runInDispatch, type DispatchContext } from './gateway.dispatch-context.js';
import { GatewayMessages } from './gateway.messages.js';
import { RecentIds } from './gateway.recent-ids.js';
import { subscribeReply, upstreamSocketOf, type Reply } from './gateway.reply.js';
import { WebPubSubSocket } from './web-pubsub.socket.js';

type Transform = (result: unknown) => Observable<unknown>;

/** What Nest bound to one socket: its message handlers (several gateways may share a hub) and disconnect callbacks. */
interface Binding {
  socket: WebPubSubSocket;
  handlers: Map<string, { callback: WsMessageHandler['callback']; transform: Transform }>;
  disconnects: Array<(reason?: string) => void>;
}

/**
 * The gateways of one hub in one process: Nest's connection callbacks, the sockets of the
 * connections this process heard of (at most `maxSockets`, least recently used dropped first; a
 * dropped connection is bound again on its next event, with a new socket object and without
 * handleConnection), the connections it set up or saw leave (as many, so each callback runs once
 * per connection id), and the Observable replies still running, which end with their connection.
 */
export class HubBinding {
  private readonly connectionCallbacks: Array<(...args: unknown[]) => unknown> = [];
  private readonly bindings = new Map<string, Binding>();
  private readonly bySocket = new WeakMap<object, Binding>();
  private readonly setUp: RecentIds;
  private readonly gone: RecentIds;
  private readonly replies = new Map<string, Set<Reply>>();
  private closed = false;

  constructor(
    private readonly channel: HubChannel,
    private readonly maxSockets = MAX_SOCKETS_PER_HUB,
  ) {
    this.setUp = new RecentIds(maxSockets);
    this.gone = new RecentIds(maxSockets);
  }

  addConnectionCallback(callback: (...args: unknown[]) => unknown): void {
    this.connectionCallbacks.push(callback);
  }

  bindMessageHandlers(socket: object, handlers: WsMessageHandler[], transform: Transform): void {
    const binding = this.bySocket.get(socket);
    for (const { message, callback } of handlers) binding?.handlers.set(String(message), { callback, transform });
  }

  bindDisconnect(socket: object, callback: (reason?: string) => void): void {
    this.bySocket.get(socket)?.disconnects.push(callback);
  }

  owns(socket: object): boolean {
    return this.bySocket.has(socket);
  }

  /**
   * `connected`: a fresh socket, and Nest's connection callbacks with handleConnection, once per
   * connection id: a duplicate, a retry (another consumer of the hub failed or was slow) or a
   * `connected` after `disconnected` changes nothing.
   */
  connected(event: ConnectedEvent): void {
    const id = event.context.connectionId;
    if (this.setUp.has(id) || this.gone.has(id)) return;
    this.setUp.add(id);
    this.bind(event.context, [event], false);
  }

  /** `disconnected`: handleDisconnect once per connection id, here whether or not this process saw `connected`; its replies end. */
  disconnected(event: DisconnectedEvent): void {
    const id = event.context.connectionId;
    if (this.gone.has(id)) return;
    this.gone.add(id);
    this.setUp.delete(id);
    const binding = this.bindingFor(event.context);
    this.bindings.delete(id);
    this.stopReplies(id);
    for (const callback of binding.disconnects) callback(event.reason);
  }

  /** A connection callback failed (thrown, rejected): logged with the connection id; a failed handleConnection closes the connection. */
  callbackFailed(socket: WebPubSubSocket, gateway: string, method: CallbackName, error: unknown): void {
    this.channel.log('error', GatewayMessages.callbackFailed(gateway, method, socket.id, describe(error)));
    if (method === 'handleConnection' && !this.gone.has(socket.id))
      void socket.close(GatewayMessages.connectionSetupFailed()).catch(() => undefined);
  }

  /** app.close(): every reply ends, then the sends already started get what is left of `broadcast.shutdownTimeoutInMs` to finish. */
  close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.replies.keys()]) this.stopReplies(id);
    return this.channel.close();
  }

  /**
   * A user event: Nest's handler for it runs (guards, pipes, interceptors, filters included), and its
   * first result is the answer. Later results go to the connection by REST. An exception the
   * filter emitted is the answer instead, `{ event: 'exception', data }`, as Nest's ws adapter sends
   * it: a success status, since the service closes a client's connection when the app answers one
   * of its events with an error (a failed validation must not cost the client its connection).
   * The reply ends on `disconnected`, on app.close(), and when the service gave up on the request
   * (its socket closed) before a first value.
   */
  async dispatch(event: UserEventRequest, state: ConnectionStateAccess, request?: unknown): Promise<unknown> {
    const { socket, handlers } = this.bindingFor(event.context);
    const handler = handlers.get(event.context.eventName);
    if (!handler) return this.unknown(event);
    const context: DispatchContext = { socket, state, answered: false };
    const id = socket.id;
    // Later results go one at a time, each after the one before it was accepted (a retried send must
    // not be overtaken), and none before the answer left: the chain starts a turn after dispatch returns.
    let releaseLater!: () => void;
    let previous: Promise<unknown> = new Promise<void>((resolve) => (releaseLater = resolve));
    const reply = runInDispatch(context, () =>
      subscribeReply(handler.transform(handler.callback(event.data, event.context.eventName)), (later) => {
        // As Nest's ws adapter sends every result: the value itself (a WsResponse is already `{ event, data }`).
        previous = this.channel.run(
          `connection ${id}`,
          async (abortSignal) => {
            if (!this.gone.has(id)) await this.channel.client.sendToConnection(id, later as never, { abortSignal });
          },
          previous,
        );
      }),
    );
    this.keepReply(id, reply);
    const upstream = upstreamSocketOf(request);
    const onGone = () => reply.stop();
    if ((upstream as { destroyed?: boolean } | undefined)?.destroyed) reply.stop();
    upstream?.once('close', onGone);
    let first: unknown;
    try {
      first = await reply.first;
    } finally {
      upstream?.off('close', onGone);
    }
    context.answered = true;
    setImmediate(releaseLater);
    if (context.exception !== undefined) return exceptionFrame(context.exception);
    return first;
  }

  /** A user event no gateway subscribes to: answered with an `exception` naming it, rather than silence. */
  unknown(event: UserEventRequest): GatewayMessage {
    this.bindingFor(event.context);
    return exceptionFrame({
      status: 'error',
      message: GatewayMessages.unknownMessage(this.channel.hub, event.context.eventName),
    });
  }

  private keepReply(id: string, reply: Reply): void {
    if (this.closed || this.gone.has(id)) reply.stop();
    if (reply.ended) return;
    const replies = this.replies.get(id) ?? new Set<Reply>();
    this.replies.set(id, replies.add(reply));
    void reply.done.then(() => {
      replies.delete(reply);
      if (replies.size === 0 && this.replies.get(id) === replies) this.replies.delete(id);
    });
  }

  private stopReplies(id: string): void {
    const replies = this.replies.get(id);
    this.replies.delete(id);
    for (const reply of replies ?? []) reply.stop();
  }

  private bindingFor(context: WebPubSubEventContext): Binding {
    const existing = this.bindings.get(context.connectionId);
    if (!existing) return this.bind(context, [], true);
    // Most recently used last, so the bound drops the connections quiet for longest.
    this.bindings.delete(context.connectionId);
    this.bindings.set(context.connectionId, existing);
    existing.socket.update(context);
    return existing;
  }

  private bind(context: WebPubSubEventContext, args: unknown[], bindOnly: boolean): Binding {
    const socket = new WebPubSubSocket(context.connectionId, this.channel);
    socket.update(context);
    const binding: Binding = { socket, handlers: new Map(), disconnects: [] };
    this.bySocket.set(socket, binding);
    this.bindings.delete(context.connectionId);
    this.bindings.set(context.connectionId, binding);
    if (this.bindings.size > this.maxSockets) this.bindings.delete(this.bindings.keys().next().value!);
    runConnectionCallbacks(socket, this.connectionCallbacks, args, bindOnly);
    return binding;
  }
}

/** What a log may say about a failure: an Error's name and message; of anything else, only its type (it may hold secrets). */
function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a non-Error value (${error === null ? 'null' : typeof error}) was thrown`;
}

/** What Nest's ws adapter sends a client for an exception (BaseWsExceptionFilter's `exception` event). */
function exceptionFrame(data: unknown): GatewayMessage {
  return { event: 'exception', data };
}
