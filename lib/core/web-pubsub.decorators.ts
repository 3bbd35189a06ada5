import { Inject } from '@nestjs/common';
import { getWebPubSubToken } from './web-pubsub.constants.js';

/**
 * Injects the `WebPubSubService` of a named instance (registered with `forRoot({ name })`), or the
 * default one when no name is given.
 *
 * @example constructor(@InjectWebPubSub('notifications') private readonly notifications: WebPubSubService) {}
 */
export const InjectWebPubSub = (name?: string): ParameterDecorator & PropertyDecorator =>
  Inject(getWebPubSubToken(name));
