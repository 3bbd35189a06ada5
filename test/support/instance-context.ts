import type { INestApplicationContext } from '@nestjs/common';
import { getWebPubSubContextToken } from '../../lib/core/web-pubsub.constants.js';
import type { WebPubSubInstanceContext } from '../../lib/core/web-pubsub.context.js';

/** An instance's internal context (its background queue, broadcast defaults, keys), which tests inspect. */
export function instanceContext(app: INestApplicationContext, instance?: string): WebPubSubInstanceContext {
  return app.get<string, WebPubSubInstanceContext>(getWebPubSubContextToken(instance), { strict: false });
}
