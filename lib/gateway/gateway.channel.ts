import type { WebPubSubRestClient } from '../client/rest-client.js';
import type { WebPubSubInstanceContext } from '../core/web-pubsub.context.js';
import type { WebPubSubService } from '../core/web-pubsub.service.js';
import { GatewayMessages } from './gateway.messages.js';

/** A gateway message as Nest's `ws` adapter frames it, so clients read both the same way. */
export interface GatewayMessage<T = unknown> {
  event: string;
  data: T;
}

/**
 * One hub of one instance, as the gateway's sockets and server use it: its REST client, and how a
 * failed call is reported. Failures are logged (the client's errors carry no key or token) and,
 * with the instance's `broadcast.onError: 'throw'` (the default), the returned promise rejects too;
 * it is marked handled first, so a caller that does not await it never crashes the process.
 */
export class HubChannel {
  constructor(
    readonly service: WebPubSubService,
    readonly client: WebPubSubRestClient,
    private readonly context: WebPubSubInstanceContext,
  ) {}

  get hub(): string {
    return this.client.hubName;
  }

  run(target: string, operation: () => Promise<unknown>): Promise<void> {
    const call = (async () => {
      try {
        await operation();
      } catch (error) {
        this.context.log('error', GatewayMessages.broadcastFailed(target, (error as Error)?.message ?? String(error)));
        if (this.context.broadcastDefaults.onError === 'throw') throw error;
      }
    })();
    call.catch(() => undefined);
    return call;
  }
}
