import type { ConnectionStateAccess, WebPubSubEventContext } from '../events/events.types.js';
import { dispatchOf } from './gateway.dispatch-context.js';
import type { HubChannel } from './gateway.channel.js';
import { GatewayMessages } from './gateway.messages.js';

/**
 * One client connection, as a gateway sees it (`@ConnectedSocket()`, handleConnection,
 * handleDisconnect). A stateless proxy: it holds the connection's id and what the last event said,
 * and every call is one REST call, so any app process can build it from any event of the connection.
 * Within a process one connection keeps one object, as Nest binds handlers per client object.
 */
export class WebPubSubSocket {
  /** The user the connection authenticated as (undefined for anonymous connections). */
  userId: string | undefined;
  private states: Record<string, unknown> = {};

  constructor(
    /** The connection id. */
    readonly id: string,
    private readonly channel: HubChannel,
  ) {}

  /** The hub the connection is on. */
  get hub(): string {
    return this.channel.hub;
  }

  /**
   * The connection's state (the service keeps it and sends it with every event). `set` works while
   * a user event of this connection is being answered: the answer carries the new state.
   */
  get state(): ConnectionStateAccess {
    return {
      get: (key) => {
        const dispatch = dispatchOf(this);
        return dispatch ? dispatch.state.get(key) : Object.hasOwn(this.states, key) ? this.states[key] : undefined;
      },
      set: (key, value) => {
        const dispatch = dispatchOf(this);
        if (!dispatch || dispatch.answered) throw new Error(GatewayMessages.stateOutsideEvent());
        dispatch.state.set(key, value);
      },
    };
  }

  /** Sends `{ event, data }` (JSON) to this connection. */
  send(event: string, data?: unknown): Promise<void> {
    return this.channel.run(`connection ${this.id}`, (abortSignal) =>
      this.channel.client.sendToConnection(this.id, { event, data: data ?? null } as never, { abortSignal }),
    );
  }

  /**
   * The same as send. Nest's exception filter calls `emit('exception', …)`: while an event is being
   * answered, that becomes the answer (`{ event: 'exception', data }`), which reaches the sender.
   */
  emit(event: string, data?: unknown): Promise<void> {
    const dispatch = dispatchOf(this);
    if (event === 'exception' && dispatch && !dispatch.answered) {
      dispatch.exception = data;
      return Promise.resolve();
    }
    return this.send(event, data);
  }

  join(group: string): Promise<void> {
    return this.channel.run(`group ${group}`, (abortSignal) =>
      this.channel.client.group(group).addConnection(this.id, { abortSignal }),
    );
  }

  leave(group: string): Promise<void> {
    return this.channel.run(`group ${group}`, (abortSignal) =>
      this.channel.client.group(group).removeConnection(this.id, { abortSignal }),
    );
  }

  /** Closes the connection; `reason` reaches the client's `disconnected` event and handleDisconnect. */
  close(reason?: string): Promise<void> {
    return this.channel.run(`connection ${this.id}`, (abortSignal) =>
      this.channel.client.closeConnection(this.id, reason === undefined ? { abortSignal } : { reason, abortSignal }),
    );
  }

  /** @internal Takes what an event says about the connection (its user and state); the adapter calls it. */
  update(context: WebPubSubEventContext): void {
    this.userId = context.userId;
    this.states = context.states;
  }
}
