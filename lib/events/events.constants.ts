/** Route served by default: `/eventhandler` and everything below it (`/eventhandler/{event}`). */
export const DEFAULT_EVENTS_PATH = '/eventhandler';

/** Class metadata of `@WebPubSubEventHandler`. */
export const EVENT_HANDLER_CLASS = 'webpubsub:event-handler';
/** Method metadata of `@OnConnect` and friends. */
export const EVENT_HANDLER_METHOD = 'webpubsub:event-handler-method';

/** Largest upstream body accepted (a client message is at most 1 MiB; some room for JSON framing). */
export const MAX_EVENT_BODY_BYTES = 2 * 1024 * 1024;

/** Provider token that marks an instance as serving an event route (its value: the route's path). */
export function eventRouteToken(instance: string): string {
  return `WebPubSubEventRoute(${instance})`;
}
