import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import { EVENT_HANDLER_CLASS, EVENT_HANDLER_METHOD } from './events.constants.js';

export interface EventHandlerOptions {
  /** The hub whose events this class handles (one class per hub). */
  hub: string;
  /** The module instance whose keys check the signatures (default instance when omitted). */
  instance?: string;
}

export type EventHandlerMethod =
  | { kind: 'connect' }
  | { kind: 'connected' }
  | { kind: 'disconnected' }
  | { kind: 'groupJoined' }
  | { kind: 'groupLeft' }
  | { kind: 'user'; event: string };

/**
 * Marks a provider as the upstream event handler of a hub. Add it to a module's `providers`; the
 * module discovers it and serves the webhook route (`/eventhandler` by default).
 */
export function WebPubSubEventHandler(options: EventHandlerOptions): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(EVENT_HANDLER_CLASS, options));
}

/** Handles `connect`: return userId / groups / roles / subprotocol, nothing to accept, or throw an HttpException to reject. */
export const OnConnect = (): MethodDecorator =>
  SetMetadata(EVENT_HANDLER_METHOD, { kind: 'connect' } satisfies EventHandlerMethod);

/** Handles `connected` (after the client is in; the answer is ignored). */
export const OnConnected = (): MethodDecorator =>
  SetMetadata(EVENT_HANDLER_METHOD, { kind: 'connected' } satisfies EventHandlerMethod);

/** Handles `disconnected`, with the close reason. */
export const OnDisconnected = (): MethodDecorator =>
  SetMetadata(EVENT_HANDLER_METHOD, { kind: 'disconnected' } satisfies EventHandlerMethod);

/** Handles `azure.webpubsub.gp.joined`: `{ context, group }` (the hub's event handler must list group presence events). */
export const OnGroupJoined = (): MethodDecorator =>
  SetMetadata(EVENT_HANDLER_METHOD, { kind: 'groupJoined' } satisfies EventHandlerMethod);

/** Handles `azure.webpubsub.gp.left`: `{ context, group }` (the hub's event handler must list group presence events). */
export const OnGroupLeft = (): MethodDecorator =>
  SetMetadata(EVENT_HANDLER_METHOD, { kind: 'groupLeft' } satisfies EventHandlerMethod);

/**
 * Handles a user event (`message` for plain WebSocket clients; `'*'` for any event without its own
 * handler). Return nothing (204), a string (text), a Buffer (binary) or any other value (JSON) to
 * answer the client.
 */
export const OnUserEvent = (event: string): MethodDecorator =>
  SetMetadata(EVENT_HANDLER_METHOD, { kind: 'user', event } satisfies EventHandlerMethod);
