import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { getWebPubSubToken } from '../module/webpubsub.constants.js';
import type { LogWriter } from '../module/nest-log-writer.js';
import type { WebPubSubService } from '../module/webpubsub.service.js';
import { EVENT_HANDLER_CLASS, EVENT_HANDLER_METHOD, EVENTS_SETTINGS } from './events.constants.js';
import type { EventHandlerMethod, EventHandlerOptions } from './events.decorators.js';
import { EventMessages } from './events.messages.js';
import type { EventsSettings } from './events.settings.js';
import type { ConnectedEvent, ConnectionStateAccess, ConnectRequest, DisconnectedEvent, UserEventRequest } from './events.types.js';

/** A discovered handler method, bound to its provider instance. */
export interface BoundHandler<TEvent> {
  /** `ClassName.method`, for logs. */
  name: string;
  run(event: TEvent, state: ConnectionStateAccess): unknown;
}

/** The handlers of one hub, and the keys its events' signatures are checked with (none: not checked). */
export interface HubHandlers {
  keys?: readonly string[];
  /** The logger of the hub's instance (its `logger` option), for rejected signatures and failing handlers. */
  log: LogWriter;
  connect?: BoundHandler<ConnectRequest>;
  connected?: BoundHandler<ConnectedEvent>;
  disconnected?: BoundHandler<DisconnectedEvent>;
  user: Map<string, BoundHandler<UserEventRequest>>;
}

/**
 * Finds `@WebPubSubEventHandler` providers at startup (any module) and indexes their methods by hub
 * (case-insensitive, as the service treats hubs) and event.
 */
@Injectable()
export class EventHandlerRegistry implements OnModuleInit {
  private readonly hubs = new Map<string, HubHandlers>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
    @Inject(EVENTS_SETTINGS) private readonly settings: EventsSettings,
  ) {}

  handlersFor(hub: string): HubHandlers | undefined {
    return this.hubs.get(hub.toLowerCase());
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const options: EventHandlerOptions | undefined = Reflect.getMetadata(EVENT_HANDLER_CLASS, metatype);
      if (!options) continue;
      const key = options.hub.toLowerCase();
      if (this.hubs.has(key)) throw new Error(EventMessages.duplicateHub(options.hub));
      this.hubs.set(key, this.index(instance as Record<string, (...args: unknown[]) => unknown>, metatype.name, options));
    }
  }

  private index(instance: Record<string, (...args: unknown[]) => unknown>, className: string, options: EventHandlerOptions): HubHandlers {
    const service = this.moduleRef.get<WebPubSubService>(getWebPubSubToken(options.instance), { strict: false });
    const handlers: HubHandlers = { keys: this.keysFor(service, options), log: service.log, user: new Map() };
    for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const declared: EventHandlerMethod | undefined = Reflect.getMetadata(EVENT_HANDLER_METHOD, instance[method]);
      if (!declared) continue;
      const bound: BoundHandler<never> = { name: `${className}.${method}`, run: (event, state) => instance[method](event, state) };
      if (declared.kind === 'user') handlers.user.set(declared.event, bound);
      else handlers[declared.kind] = bound;
    }
    return handlers;
  }

  private keysFor(service: WebPubSubService, options: EventHandlerOptions): readonly string[] | undefined {
    if (!this.settings.verifySignature) return undefined;
    const keys = [...service.accessKeys, ...this.settings.accessKeys];
    if (keys.length === 0) throw new Error(EventMessages.noKeys(options.hub));
    return keys;
  }
}
