import {
  BadGatewayException,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { concatMap, type Observable } from 'rxjs';
import { captureActiveTracingContext, linkedTracingOptions, type OperationOptions } from '../client/index.js';
import { getWebPubSubContextToken } from '../core/web-pubsub.constants.js';
import type { WebPubSubInstanceContext } from '../core/web-pubsub.context.js';
import { BROADCAST_TARGETS } from './broadcast.constants.js';
import { BroadcastMessages } from './broadcast.messages.js';
import type { BroadcastContext, BroadcastTarget } from './broadcast.options.js';
import { planSends } from './broadcast.targets.js';
import { isStreamingResult } from './streaming-body.js';

/** What a request's broadcasts carry: the order of its emissions, and its span (for tracing). */
interface RequestOrigin {
  orderKey: object;
  requestSpan: ReturnType<typeof captureActiveTracingContext>;
}

/** Requests some binding of the interceptor already broadcasts for (it may be bound several ways). */
const claimed = new WeakSet<object>();

/**
 * Broadcasts a route's result to the targets its broadcast decorators declare. The decorators bind
 * it; it can also be bound globally (APP_INTERCEPTOR): each request is broadcast once, whatever
 * the bindings. Plain values and promises are broadcast once, each Observable emission in order;
 * `undefined`/`null` and streams are never sent; nothing is sent when the handler throws.
 */
@Injectable()
export class WebPubSubBroadcastInterceptor implements NestInterceptor {
  /** Routes already warned about returning a stream (per interceptor, so per app). */
  private readonly warnedStreams = new WeakSet<object>();
  private readonly contexts = new Map<string, WebPubSubInstanceContext>();

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const targets = this.reflector.getAllAndOverride<BroadcastTarget[] | undefined>(BROADCAST_TARGETS, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    const request = execution.switchToHttp().getRequest<Record<string, unknown> | undefined>() ?? {};
    if (!targets?.length || claimed.has(request)) return next.handle();
    claimed.add(request);
    // One key per request: its emissions are sent in order even in background delivery.
    const orderKey = {};
    // The request's span (when a tracer is registered): an awaited send is its child, a background one links to it.
    const requestSpan = captureActiveTracingContext();
    return next.handle().pipe(
      concatMap(async (result: unknown) => {
        await this.broadcast(execution, request, targets, result, { orderKey, requestSpan });
        return result;
      }),
    );
  }

  private async broadcast(
    execution: ExecutionContext,
    request: Record<string, unknown>,
    targets: BroadcastTarget[],
    result: unknown,
    origin: RequestOrigin,
  ): Promise<void> {
    if (result === undefined || result === null) return;
    const route = `${execution.getClass().name}.${execution.getHandler().name}`;
    if (isStreamingResult(result)) {
      if (!this.warnedStreams.has(execution.getHandler())) {
        this.warnedStreams.add(execution.getHandler());
        // Logged by the first target's instance (its `logger` option decides where, or whether).
        this.contextFor(targets[0]).log('warn', BroadcastMessages.streamSkipped(route));
      }
      return;
    }
    const context: BroadcastContext = {
      result,
      params: (request.params ?? {}) as BroadcastContext['params'],
      query: (request.query ?? {}) as BroadcastContext['query'],
      body: request.body,
      headers: (request.headers ?? {}) as BroadcastContext['headers'],
      user: request.user,
      execution,
    };
    for (const target of targets) await this.broadcastTo(target, route, context, origin);
  }

  private async broadcastTo(
    target: BroadcastTarget,
    route: string,
    context: BroadcastContext,
    { orderKey, requestSpan }: RequestOrigin,
  ): Promise<void> {
    const { options } = target;
    const instance = this.contextFor(target);
    const delivery = options.delivery ?? instance.broadcastDefaults.delivery;
    const onError = options.onError ?? instance.broadcastDefaults.onError;
    const describeTarget = target.kind === 'hub' ? 'the hub' : `the ${target.kind}`;
    let sends;
    try {
      const message = options.map ? options.map(context.result, context) : context.result;
      if (message === undefined || message === null) return;
      const operation: OperationOptions =
        requestSpan === undefined
          ? {}
          : {
              tracingOptions:
                delivery === 'background' ? linkedTracingOptions(requestSpan) : { tracingContext: requestSpan },
            };
      sends = planSends(
        target,
        options.hub ? instance.client.hub(options.hub) : instance.client,
        message,
        context,
        operation,
      );
    } catch (error) {
      return this.fail(instance, route, describeTarget, error, delivery === 'await' ? onError : 'log');
    }
    for (const { label, send } of sends) {
      if (delivery === 'background') {
        await instance.backgroundQueue.enqueue(
          () => send().catch((error: unknown) => this.fail(instance, route, label, error, 'log')),
          orderKey,
          `${route} to ${label}`,
        );
        continue;
      }
      try {
        await send();
      } catch (error) {
        this.fail(instance, route, label, error, onError);
      }
    }
  }

  /**
   * The instance's context, looked up once: the interceptor may be bound in any module, so the
   * lookup is non-strict, and that searches every module.
   */
  private contextFor(target: BroadcastTarget): WebPubSubInstanceContext {
    const token = getWebPubSubContextToken(target.options.instance);
    let context = this.contexts.get(token);
    if (!context) {
      context = this.moduleRef.get<WebPubSubInstanceContext>(token, { strict: false });
      this.contexts.set(token, context);
    }
    return context;
  }

  private fail(
    instance: WebPubSubInstanceContext,
    route: string,
    target: string,
    error: unknown,
    mode: 'throw' | 'log',
  ): void {
    instance.log('error', BroadcastMessages.failed(route, target, (error as Error)?.message ?? String(error)));
    if (mode === 'throw') throw new BadGatewayException(BroadcastMessages.responseFailed());
  }
}
