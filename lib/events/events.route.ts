import type { Provider, Type } from '@nestjs/common';
import { eventRouteToken } from './events.constants.js';
import { EventConsumers, eventConsumersToken } from './events.consumers.js';
import { createEventsController } from './events.controller.js';
import { EventsMetadataAccessor } from './events.metadata-accessor.js';

/** What the composition root adds for an instance that serves upstream events at `path`. */
export function eventRoute(instance: string, path: string): { providers: Provider[]; controller: Type } {
  return {
    providers: [
      { provide: eventRouteToken(instance), useValue: path },
      // A factory, not a value: the module object is shared by every app built from it (tests build several).
      { provide: eventConsumersToken(instance), useFactory: () => new EventConsumers() },
      EventsMetadataAccessor,
    ],
    controller: createEventsController(instance, path),
  };
}
