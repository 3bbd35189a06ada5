import type { WsMessageHandler } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type {
  ConnectedEvent,
  ConnectionStateAccess,
  DisconnectedEvent,
  UserEventRequest,
  WebPubSubEventContext,
} from '../events/events.types.js';
import { runConnectionCallbacks } from './nest-binds-handlers-only-on-connection.patch.js';
import type { GatewayMessage, HubChannel } from './gateway.channel.js';
import { MAX_SOCKETS_PER_HUB } from './gateway.constants.js';
import { runInDispatch, type DispatchContext } from './gateway.dispatch-context.js';
import { GatewayMessages } from './gateway.messages.js';
import { WebPubSubSocket } from './web-pubsub.socket.js';

type Transform = (result: unknown) => Observable<unknown>;

/** What Nest bound to one socket: its message handlers (several gateways may share a hub) and disconnect callbacks. */
interface Binding {
  socket: WebPubSubSocket;
  handlers: Map<string, { callback: WsMessageHandler['callback']; transform: Transform }>;
  disconnects: Array<(reason?: string) => void>;
}

/**
 * The gateways of one hub in one process: Nest's connection callbacks, and the sockets of the
 * connections this process heard of (bounded, least recently used dropped first; a dropped
 * connection is bound again on its next event, without handleConnection).
 */
export class HubBinding {
  private readonly connectionCallbacks: Array<(...args: unknown[]) => unknown> = [];
  private readonly bindings = new Map<string, Binding>();
  private readonly bySocket = new WeakMap<object, Binding>();

  constructor(
    private readonly channel: HubChannel,
    private readonly maxSockets = MAX_SOCKETS_PER_HUB,
  ) {}

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

  /** `connected`: a fresh socket, and Nest's connection callbacks with handleConnection. */
  connected(event: ConnectedEvent): void {
    this.bind(event.context, [event], false);
  }

  /** `disconnected`: handleDisconnect, here whether or not this process saw `connected`. */
  disconnected(event: DisconnectedEvent): void {
    const binding = this.bindingFor(event.context);
    this.bindings.delete(event.context.connectionId);
    for (const callback of binding.disconnects) callback(event.reason);
  }

  /**
   * A user event: Nest's handler for it runs (guards, pipes, interceptors, filters included), and its
   * first result is the answer. Later results go to the connection by REST. An exception the
   * filter emitted is the answer instead, `{ event: 'exception', data }`, as Nest's ws adapter sends
   * it: a success status, since the service closes a client's connection when the app answers one
   * of its events with an error (a failed validation must not cost the client its connection).
   */
  async dispatch(event: UserEventRequest, state: ConnectionStateAccess): Promise<unknown> {
    const { socket, handlers } = this.bindingFor(event.context);
    const handler = handlers.get(event.context.eventName);
    if (!handler) return this.unknown(event);
    const context: DispatchContext = { socket, state, answered: false };
    // Later results go one at a time, each after the one before it was accepted (a retried send must
    // not be overtaken), and none before the answer left: the chain starts a turn after dispatch returns.
    let releaseLater!: () => void;
    let laterChain = new Promise<void>((resolve) => (releaseLater = resolve));
    const first = await runInDispatch(context, () =>
      firstResult(handler.transform(handler.callback(event.data, event.context.eventName)), (later) => {
        // As Nest's ws adapter sends every result: the value itself (a WsResponse is already `{ event, data }`).
        laterChain = laterChain
          .then(() =>
            this.channel.run(`connection ${socket.id}`, () =>
              this.channel.client.sendToConnection(socket.id, later as never),
            ),
          )
          .catch(() => undefined);
      }),
    );
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

/** Resolves with the first non-empty result (undefined if none); later ones go to `later`. Errors were handled by Nest's filters. */
function firstResult(results: Observable<unknown>, later: (value: unknown) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let answered = false;
    results.subscribe({
      next: (value) => {
        if (value === undefined || value === null) return;
        if (answered) return later(value);
        answered = true;
        resolve(value);
      },
      error: (error: unknown) => (answered ? undefined : reject(error)),
      complete: () => (answered ? undefined : resolve(undefined)),
    });
  });
}

/** What Nest's ws adapter sends a client for an exception (BaseWsExceptionFilter's `exception` event). */
function exceptionFrame(data: unknown): GatewayMessage {
  return { event: 'exception', data };
}
