import type { Type } from '@nestjs/common';
import { ContextIdFactory, type DiscoveryService, type MetadataScanner, type ModuleRef } from '@nestjs/core';
import { DEFAULT_WEBPUBSUB_INSTANCE } from '../core/web-pubsub.constants.js';
import type { WebPubSubInstanceContext } from '../core/web-pubsub.context.js';
import type { LogWriter } from '../core/nest-log-writer.js';
import { eventRouteToken } from './events.constants.js';
import type { EventHandlerOptions } from './events.decorators.js';
import { EventMessages } from './events.messages.js';
import type { EventsMetadataAccessor, ProviderWrapper } from './events.metadata-accessor.js';
import type {
  ConnectedEvent,
  ConnectionStateAccess,
  ConnectRequest,
  DisconnectedEvent,
  GroupJoinedRequest,
  GroupLeftRequest,
  UserEventRequest,
} from './events.types.js';

/** A discovered handler method. `request` is the upstream HTTP request (request-scoped handlers are resolved for it). */
export interface BoundHandler<TEvent> {
  /** `ClassName.method`, for logs. */
  name: string;
  run(event: TEvent, state: ConnectionStateAccess, request: object): unknown;
}

/** The handlers of one hub of one instance, and how its events are checked. */
export interface HubHandlers {
  /** The keys the events' signatures are checked with, read per event (keys rotate); absent: not checked. */
  keys?: () => readonly string[];
  /** The logger of the instance (its `logger` option), for rejected signatures and failing handlers. */
  log: LogWriter;
  connect?: BoundHandler<ConnectRequest>;
  connected?: BoundHandler<ConnectedEvent>;
  disconnected?: BoundHandler<DisconnectedEvent>;
  groupJoined?: BoundHandler<GroupJoinedRequest>;
  groupLeft?: BoundHandler<GroupLeftRequest>;
  user: Map<string, BoundHandler<UserEventRequest>>;
}

type HandlerInstance = Record<string, (...args: unknown[]) => unknown>;

/**
 * Finds, at startup, the `@WebPubSubEventHandler` providers (in any module, however provided) that
 * belong to one instance, and indexes their methods by hub (case-insensitive, as the service treats
 * hubs) and event. Handlers of request-scoped providers are resolved per event, for its request.
 */
export class EventHandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: EventsMetadataAccessor,
    private readonly moduleRef: ModuleRef,
    private readonly context: WebPubSubInstanceContext,
  ) {}

  explore(): Map<string, HubHandlers> {
    const hubs = new Map<string, HubHandlers>();
    for (const wrapper of this.discovery.getProviders()) {
      const declared = this.accessor.handlerClassOf(wrapper);
      if (!declared) continue;
      const { type, options } = declared;
      const owner = options.instance ?? DEFAULT_WEBPUBSUB_INSTANCE;
      if (owner !== this.context.instance) {
        this.assertServed(owner, type, options);
        continue;
      }
      const key = options.hub.toLowerCase();
      if (hubs.has(key)) throw new Error(EventMessages.duplicateHub(options.hub, owner));
      hubs.set(key, this.index(wrapper, type, options));
    }
    return hubs;
  }

  /** A hub with no handler class yet (another consumer takes its events): checked the same way. */
  emptyHub(hub: string): HubHandlers {
    return { keys: this.keysFor({ hub }), log: this.context.log, user: new Map() };
  }

  private index(wrapper: ProviderWrapper, type: Type, options: EventHandlerOptions): HubHandlers {
    const handlers = this.emptyHub(options.hub);
    const prototype = type.prototype as HandlerInstance;
    const requestScoped = !wrapper.isDependencyTreeStatic();
    for (const method of this.scanner.getAllMethodNames(prototype)) {
      const declared = this.accessor.handlerMethodOf(prototype[method]);
      if (!declared) continue;
      const run: BoundHandler<never>['run'] = requestScoped
        ? async (event, state, request) => (await this.resolveFor(wrapper, request))[method](event, state)
        : (event, state) => (wrapper.instance as HandlerInstance)[method](event, state);
      const bound: BoundHandler<never> = { name: `${type.name}.${method}`, run };
      if (declared.kind === 'user') handlers.user.set(declared.event, bound);
      else handlers[declared.kind] = bound;
    }
    return handlers;
  }

  /** The instance of a request-scoped handler for this upstream request (one per request, as for controllers). */
  private async resolveFor(wrapper: ProviderWrapper, request: object): Promise<HandlerInstance> {
    const contextId = ContextIdFactory.getByRequest(request);
    this.moduleRef.registerRequestByContextId(request, contextId);
    return this.moduleRef.resolve<unknown, HandlerInstance>(wrapper.token, contextId, { strict: false });
  }

  private keysFor(options: EventHandlerOptions): (() => readonly string[]) | undefined {
    if (!this.context.events.verifySignature) return undefined;
    if (this.context.signatureKeys().length === 0) throw new Error(EventMessages.noKeys(options.hub));
    return () => this.context.signatureKeys();
  }

  /** A handler of another instance needs that instance's route; without one, its events would never arrive. */
  private assertServed(owner: string, type: Type, options: EventHandlerOptions): void {
    try {
      this.moduleRef.get(eventRouteToken(owner), { strict: false });
    } catch {
      throw new Error(EventMessages.instanceWithoutRoute(type.name, options.hub, owner));
    }
  }
}
