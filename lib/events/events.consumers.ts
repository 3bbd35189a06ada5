import type { BoundHandler, HubHandlers } from './events.explorer.js';
import { EventMessages } from './events.messages.js';
import type { ConnectedEvent, ConnectRequest, DisconnectedEvent, UserEventRequest } from './events.types.js';

/**
 * Another consumer of one hub's upstream events, beside its `@WebPubSubEventHandler` class (a
 * gateway adapter registers one per hub). Events reach it through the same route and checks.
 */
export interface EventConsumer {
  hub: string;
  /** Who registered it, for startup errors (`ChatGateway`). */
  name: string;
  connect?: BoundHandler<ConnectRequest>;
  connected?: BoundHandler<ConnectedEvent>;
  disconnected?: BoundHandler<DisconnectedEvent>;
  user: Map<string, BoundHandler<UserEventRequest>>;
  /** User events nobody else takes (used only when no class has `@OnUserEvent('*')`). */
  otherUserEvents?: BoundHandler<UserEventRequest>;
}

/** Provider token of an instance's consumer registry (it exists only for instances with a route). */
export function eventConsumersToken(instance: string): string {
  return `WebPubSubEventConsumers(${instance})`;
}

/** The consumers registered for one instance's route; the route merges them with its handler classes. */
export class EventConsumers {
  private readonly consumers: EventConsumer[] = [];
  private listener?: () => void;

  add(consumer: EventConsumer): void {
    this.consumers.push(consumer);
    this.listener?.();
  }

  list(): readonly EventConsumer[] {
    return this.consumers;
  }

  /** The route's cache of merged handlers is rebuilt when a consumer comes later. */
  onChange(listener: () => void): void {
    this.listener = listener;
  }
}

/**
 * One hub's handlers with a consumer's added. One `connect` answer and one handler per user event
 * name, so an overlap is a startup error; `connected` and `disconnected` run in turn for both, the
 * second even when the first failed.
 */
export function mergeConsumer(base: HubHandlers, consumer: EventConsumer): HubHandlers {
  const merged: HubHandlers = { ...base, user: new Map(base.user) };
  if (consumer.connect) {
    if (base.connect)
      throw new Error(EventMessages.twoConnectHandlers(consumer.hub, base.connect.name, consumer.connect.name));
    merged.connect = consumer.connect;
  }
  merged.connected = inTurn(base.connected, consumer.connected);
  merged.disconnected = inTurn(base.disconnected, consumer.disconnected);
  for (const [event, handler] of consumer.user) {
    const existing = base.user.get(event);
    if (existing) throw new Error(EventMessages.twoUserEventHandlers(consumer.hub, event, existing.name, handler.name));
    merged.user.set(event, handler);
  }
  if (consumer.otherUserEvents && !merged.user.has('*')) merged.user.set('*', consumer.otherUserEvents);
  return merged;
}

function inTurn<T>(
  first: BoundHandler<T> | undefined,
  second: BoundHandler<T> | undefined,
): BoundHandler<T> | undefined {
  if (!first || !second) return first ?? second;
  return {
    name: `${first.name} + ${second.name}`,
    // The second runs whatever the first did (a gateway's handleConnection must not depend on a
    // class's failure); the first's error still fails the event, so the service retries it.
    run: async (event, state, request) => {
      const failure = await Promise.resolve()
        .then(() => first.run(event, state, request))
        .then(
          () => undefined,
          (error: unknown) => ({ error }),
        );
      await second.run(event, state, request);
      if (failure) throw failure.error;
    },
  };
}
