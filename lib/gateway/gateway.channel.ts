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
 *
 * Every send it starts is tracked until it settles, so `close()` (app.close()) can wait for them,
 * up to `broadcast.shutdownTimeoutInMs`, as the instance does for background broadcasts; what is
 * left then is aborted and counted in one log line, and nothing starts after close.
 */
export class HubChannel {
  private readonly pending = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private closed = false;
  private closing?: Promise<void>;
  private refusedAfterClose = 0;

  constructor(
    readonly service: WebPubSubService,
    readonly client: WebPubSubRestClient,
    private readonly context: WebPubSubInstanceContext,
  ) {}

  get hub(): string {
    return this.client.hubName;
  }

  log(level: 'error' | 'warn', message: string): void {
    this.context.log(level, message);
  }

  /**
   * Runs one send (after `after` settled, for sends that keep an order). The operation gets the
   * signal that aborts it when the shutdown wait runs out.
   */
  run(
    target: string,
    operation: (abortSignal: AbortSignal) => Promise<unknown>,
    after?: Promise<unknown>,
  ): Promise<void> {
    if (this.closed) return this.refuse(target);
    const { signal } = this.shutdown;
    const call = (async () => {
      if (after) await after.catch(() => undefined);
      if (signal.aborted) return this.failed(new Error(GatewayMessages.notDeliveredAtShutdown(target)));
      try {
        await operation(signal);
      } catch (error) {
        // Counted in close()'s one line, not logged once per send.
        if (signal.aborted) return this.failed(new Error(GatewayMessages.notDeliveredAtShutdown(target)));
        this.context.log('error', GatewayMessages.broadcastFailed(target, (error as Error)?.message ?? String(error)));
        return this.failed(error);
      }
    })();
    this.pending.add(call);
    call.then(
      () => this.pending.delete(call),
      () => this.pending.delete(call),
    );
    return call;
  }

  /**
   * app.close(): waits for the sends started so far, at most what is left of `broadcast.shutdownTimeoutInMs` since
   * shutdown began (0: no limit); then aborts
   * what is still pending (including sends started meanwhile), logs how many as one line, and
   * refuses later sends. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const limitMs = this.context.broadcastDefaults.shutdownTimeoutInMs;
      // What the instance's own flush left of the bound: app.close() as a whole waits it once.
      const leftMs = this.context.shutdownTimeLeftMs();
      const settled = Promise.allSettled([...this.pending]);
      let timer: NodeJS.Timeout | undefined;
      if (leftMs !== undefined)
        await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, leftMs)))]);
      else await settled;
      clearTimeout(timer);
      this.closed = true;
      const left = this.pending.size;
      if (left === 0) return;
      this.shutdown.abort();
      this.context.log('error', GatewayMessages.undeliveredAtShutdown(this.hub, left, limitMs));
    })();
    return this.closing;
  }

  /** A send after close: refused (logged the first time; the process is going away). */
  private refuse(target: string): Promise<void> {
    if (this.refusedAfterClose++ === 0) this.context.log('warn', GatewayMessages.sendAfterClose(target));
    return this.failed(new Error(GatewayMessages.sendAfterClose(target)));
  }

  /** Rejects with `onError: 'throw'` (marked handled: an un-awaited send never crashes the process), else resolves. */
  private failed(error: unknown): Promise<void> {
    if (this.context.broadcastDefaults.onError !== 'throw') return Promise.resolve();
    const rejected = Promise.reject(error);
    rejected.catch(() => undefined);
    return rejected;
  }
}
