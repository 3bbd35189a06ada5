import { UseInterceptors } from '@nestjs/common';
import { MESSAGE_CONTENT_TYPES, type MessageContentType } from '../client/message-payload.js';
import { assertMessageTtl } from '../client/validation.js';
import { BROADCAST_TARGETS } from './broadcast.constants.js';
import { BroadcastMessages } from './broadcast.messages.js';
import { WebPubSubBroadcastInterceptor } from './broadcast.interceptor.js';
import type { BroadcastOptions, BroadcastTarget, GroupBroadcastOptions, Resolvable } from './broadcast.options.js';

/**
 * Broadcasts the route's result to every connection of the hub.
 *
 * @example @Post() @BroadcastToHub() create(@Body() dto: Dto) { return this.service.save(dto); }
 */
export function BroadcastToHub(options: BroadcastOptions = {}): MethodDecorator & ClassDecorator {
  return declare({ kind: 'hub', options });
}

/**
 * Broadcasts the route's result to one or several groups: a name, a list, or a function of the
 * context, e.g. `@BroadcastToGroup((ctx) => ctx.params.room)`.
 */
export function BroadcastToGroup(
  groups: Resolvable<string | string[]>,
  options: GroupBroadcastOptions = {},
): MethodDecorator & ClassDecorator {
  return declare({ kind: 'group', groups, options });
}

/**
 * Sends the route's result to every connection of a user: an id, or a function of the context,
 * e.g. `@SendToUser((ctx: BroadcastContext<unknown, User>) => ctx.user.id)`.
 */
export function SendToUser(
  userId: Resolvable<string>,
  options: BroadcastOptions = {},
): MethodDecorator & ClassDecorator {
  return declare({ kind: 'user', userId, options });
}

/**
 * Sends the route's result to one connection: an id, or a function of the context, e.g.
 * `@SendToConnection((ctx: BroadcastContext<unknown, unknown, { connectionId: string }>) => ctx.body.connectionId)`.
 */
export function SendToConnection(
  connectionId: Resolvable<string>,
  options: BroadcastOptions = {},
): MethodDecorator & ClassDecorator {
  return declare({ kind: 'connection', connectionId, options });
}

/**
 * Records the target on the method (or class) and binds the interceptor once per method or class,
 * so one decorator is enough and stacked decorators do not bind it twice.
 */
function declare(target: BroadcastTarget): MethodDecorator & ClassDecorator {
  checkOptions(target.options);
  return (classOrPrototype: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor ? descriptor.value : classOrPrototype;
    const existing: BroadcastTarget[] | undefined = Reflect.getMetadata(BROADCAST_TARGETS, holder);
    // Decorators run bottom-up; prepending keeps the targets in the order they are written.
    Reflect.defineMetadata(BROADCAST_TARGETS, [target, ...(existing ?? [])], holder);
    if (!existing) {
      const bind = UseInterceptors(WebPubSubBroadcastInterceptor);
      if (descriptor) bind(classOrPrototype, propertyKey!, descriptor);
      else (bind as ClassDecorator)(classOrPrototype as never);
    }
    return descriptor as never;
  };
}

/**
 * A typo in `delivery` or `onError` would otherwise quietly act as another mode, and a bad
 * `messageTtlSeconds`, `contentType` or `multiGroup` would fail every request: fail at declaration.
 */
function checkOptions(options: {
  delivery?: unknown;
  onError?: unknown;
  messageTtlSeconds?: unknown;
  contentType?: unknown;
  multiGroup?: unknown;
}): void {
  if (options.messageTtlSeconds !== undefined) assertMessageTtl(options.messageTtlSeconds);
  if (options.contentType !== undefined && !MESSAGE_CONTENT_TYPES.includes(options.contentType as MessageContentType)) {
    throw new TypeError(
      BroadcastMessages.invalidMode(
        'contentType',
        options.contentType,
        MESSAGE_CONTENT_TYPES.map((type) => `"${type}"`).join(', '),
      ),
    );
  }
  if (options.multiGroup !== undefined && options.multiGroup !== 'perGroup' && options.multiGroup !== 'filter') {
    throw new TypeError(BroadcastMessages.invalidMode('multiGroup', options.multiGroup, '"perGroup" or "filter"'));
  }
  if (options.delivery !== undefined && options.delivery !== 'await' && options.delivery !== 'background') {
    throw new TypeError(BroadcastMessages.invalidMode('delivery', options.delivery, '"await" or "background"'));
  }
  if (options.onError !== undefined && options.onError !== 'throw' && options.onError !== 'log') {
    throw new TypeError(BroadcastMessages.invalidMode('onError', options.onError, '"throw" or "log"'));
  }
}
