import { Injectable, type Type } from '@nestjs/common';
import { Reflector, type DiscoveryService } from '@nestjs/core';
import { EVENT_HANDLER_CLASS, EVENT_HANDLER_METHOD } from './events.constants.js';
import type { EventHandlerMethod, EventHandlerOptions } from './events.decorators.js';

/** A provider as DiscoveryService lists it. */
export type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Reads what `@WebPubSubEventHandler` and `@OnConnect` & co. declared. A provider's class is its
 * `metatype` for `useClass` (and plain class) providers, but the instance's constructor for `useValue`
 * (no metatype) and `useFactory` (the metatype is the factory), as @nestjs/bull's explorer reads it.
 */
@Injectable()
export class EventsMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  handlerClassOf(wrapper: ProviderWrapper): { type: Type; options: EventHandlerOptions } | undefined {
    const candidate =
      !wrapper.metatype || wrapper.inject ? (wrapper.instance as object | undefined)?.constructor : wrapper.metatype;
    if (typeof candidate !== 'function') return undefined;
    const options = this.reflector.get<EventHandlerOptions | undefined>(EVENT_HANDLER_CLASS, candidate as Type);
    return options ? { type: candidate as Type, options } : undefined;
  }

  handlerMethodOf(method: (...args: never[]) => unknown): EventHandlerMethod | undefined {
    return this.reflector.get<EventHandlerMethod | undefined>(EVENT_HANDLER_METHOD, method);
  }
}
