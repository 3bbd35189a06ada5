import {
  BadGatewayException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { concatMap, type Observable } from 'rxjs';
import { getWebPubSubToken } from '../module/webpubsub.constants.js';
import type { WebPubSubService } from '../module/webpubsub.service.js';
import { BROADCAST_TARGETS } from './broadcast.constants.js';
import { BroadcastMessages } from './broadcast.messages.js';
import type { BroadcastContext, BroadcastTarget } from './broadcast.options.js';
import { planSends } from './broadcast.targets.js';
import { isStreamingResult } from './streaming-body.js';

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
  private readonly services = new Map<string, WebPubSubService>();

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const targets = this.reflector.getAllAndOverride<BroadcastTarget[] | undefined>(BROADCAST_TARGETS, [execution.getHandler(), execution.getClass()]);
    const request = execution.switchToHttp().getRequest<Record<string, unknown> | undefined>() ?? {};
    if (!targets?.length || claimed.has(request)) return next.handle();
    claimed.add(request);
    // One key per request: its emissions are sent in order even in background delivery.
    const orderKey = {};
    return next.handle().pipe(
      concatMap(async (result: unknown) => {
        await this.broadcast(execution, request, targets, result, orderKey);
        return result;
      }),
    );
  }

  private async broadcast(execution: ExecutionContext, request: Record<string, unknown>, targets: BroadcastTarget[], result: unknown, orderKey: object): Promise<void> {
    if (result === undefined || result === null) return;
    const route = `${execution.getClass().name}.${execution.getHandler().name}`;
    if (isStreamingResult(result)) {
      if (!this.warnedStreams.has(execution.getHandler())) {
        this.warnedStreams.add(execution.getHandler());
        // Logged by the first target's instance (its `logger` option decides where, or whether).
        this.serviceFor(targets[0]).log('warn', BroadcastMessages.streamSkipped(route));
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
    for (const target of targets) await this.broadcastTo(target, route, context, orderKey);
  }

  private async broadcastTo(target: BroadcastTarget, route: string, context: BroadcastContext, orderKey: object): Promise<void> {
    const { options } = target;
    const service = this.serviceFor(target);
    const delivery = options.delivery ?? service.broadcastDefaults.delivery;
    const onError = options.onError ?? service.broadcastDefaults.onError;
    const describeTarget = target.kind === 'hub' ? 'the hub' : `the ${target.kind}`;
    let sends;
    try {
      const message = options.map ? options.map(context.result, context) : context.result;
      if (message === undefined || message === null) return;
      sends = planSends(target, options.hub ? service.hub(options.hub) : service, message, context);
    } catch (error) {
      return this.fail(service, route, describeTarget, error, delivery === 'await' ? onError : 'log');
    }
    for (const { label, send } of sends) {
      if (delivery === 'background') {
        await service.backgroundQueue.enqueue(() => send().catch((error: unknown) => this.fail(service, route, label, error, 'log')), orderKey);
        continue;
      }
      try {
        await send();
      } catch (error) {
        this.fail(service, route, label, error, onError);
      }
    }
  }

  /** Looked up once per instance: a non-strict ModuleRef lookup searches every module, on every request otherwise. */
  private serviceFor(target: BroadcastTarget): WebPubSubService {
    const token = getWebPubSubToken(target.options.instance);
    let service = this.services.get(token);
    if (!service) {
      service = this.moduleRef.get<WebPubSubService>(token, { strict: false });
      this.services.set(token, service);
    }
    return service;
  }

  private fail(service: WebPubSubService, route: string, target: string, error: unknown, mode: 'throw' | 'log'): void {
    service.log('error', BroadcastMessages.failed(route, target, (error as Error)?.message ?? String(error)));
    if (mode === 'throw') throw new BadGatewayException(BroadcastMessages.responseFailed());
  }
}
