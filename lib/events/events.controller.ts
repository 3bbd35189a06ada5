import {
  All,
  Controller,
  Inject,
  Req,
  Res,
  SetMetadata,
  type BeforeApplicationShutdown,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, HttpAdapterHost, MetadataScanner, ModuleRef } from '@nestjs/core';
import { getWebPubSubContextToken } from '../core/web-pubsub.constants.js';
import type { WebPubSubInstanceContext } from '../core/web-pubsub.context.js';
import { bodyReader, nodeRequestOf, type RouteRequest } from './events.body.js';
import { eventConsumersToken, mergeConsumer, type EventConsumers } from './events.consumers.js';
import { EventDispatcher } from './events.dispatcher.js';
import { EventHandlerExplorer, type HubHandlers } from './events.explorer.js';
import { checkedByGate, installEventGate, sendAnswer } from './events.gate.js';
import { UnusedConnections } from './events.idle-connections.js';
import { EventsMetadataAccessor } from './events.metadata-accessor.js';
import { EventMessages } from './events.messages.js';
import { checkBodyParsers } from './events.parser-check.js';

/**
 * The webhook route of one instance, at `path` and one segment below it (so a URL template may add
 * `/{event}`). A real controller, so Nest's exception filters, guards and logging apply to it, on
 * Express and Fastify alike. It serves the `@WebPubSubEventHandler` classes of its instance only.
 */
export function createEventsController(instance: string, path: string): Type {
  @Controller(path)
  class WebPubSubEventsController implements OnModuleInit, BeforeApplicationShutdown {
    private hubs = new Map<string, HubHandlers>();
    /** The handler classes' hubs with other consumers (gateways) merged in; rebuilt when one registers. */
    private merged?: Map<string, HubHandlers>;
    private explorer?: EventHandlerExplorer;
    private readonly dispatcher: EventDispatcher;
    private gateInstalled = false;
    private unusedConnections?: UnusedConnections;

    constructor(
      @Inject(getWebPubSubContextToken(instance)) private readonly context: WebPubSubInstanceContext,
      private readonly discovery: DiscoveryService,
      private readonly scanner: MetadataScanner,
      private readonly accessor: EventsMetadataAccessor,
      private readonly moduleRef: ModuleRef,
      private readonly adapterHost: HttpAdapterHost,
      private readonly config: ApplicationConfig,
      @Inject(eventConsumersToken(instance)) private readonly consumers: EventConsumers,
    ) {
      // Merged at once when the classes are known, so an overlap fails where the consumer registers (at startup).
      consumers.onChange(() => {
        this.merged = undefined;
        if (this.explorer) this.handlers();
      });
      this.dispatcher = new EventDispatcher({
        handlersFor: (hub) => this.handlers().get(hub.toLowerCase()),
        allowedOrigins: context.events.allowedOrigins,
      });
      // The gate must come before the body parsers and CORS that main.ts and app.init() add: as soon
      // as the adapter exists (NestFactory.create sets it before this runs; a testing module, when
      // it creates the app, which Nest announces with `init$` from @nestjs/core 11.1.4 on).
      // Without `init$` (Nest 10, 11.0 to 11.1.3) onModuleInit installs it, after the parsers: see there.
      const init$ = (adapterHost as Partial<Pick<HttpAdapterHost, 'init$'>>).init$;
      if (adapterHost.httpAdapter) this.installGate();
      else init$?.subscribe(() => this.installGate());
    }

    private installGate(): void {
      const adapter = this.adapterHost.httpAdapter;
      if (this.gateInstalled || !adapter) return;
      this.gateInstalled = true;
      installEventGate(adapter, () => joinPaths(this.config.getGlobalPrefix(), path), this.dispatcher);
    }

    /** Here, not in the constructor: every provider exists by now, and so does the HTTP adapter. */
    onModuleInit(): void {
      // Only a testing module of a Nest without `init$` gets here with no gate. Fastify's onRequest
      // hook still runs before its parsers; Express's middleware would come after the routes, so
      // there the route checks events alone, behind the app's parsers and CORS, and says so.
      const late = !this.gateInstalled && this.adapterHost.httpAdapter?.getType() === 'express';
      if (!late) this.installGate();
      // Before listen(): a connection the service opens and never uses must not hold app.close().
      this.unusedConnections ??= UnusedConnections.track(this.adapterHost.httpAdapter?.getHttpServer());
      this.explorer = new EventHandlerExplorer(
        this.discovery,
        this.scanner,
        this.accessor,
        this.moduleRef,
        this.context,
      );
      this.hubs = this.explorer.explore();
      // Merged now, so two consumers that overlap fail at startup rather than at the first event.
      this.merged = undefined;
      // Only a route with handlers can be limited by a parser; an app without events hears nothing of it.
      if (this.handlers().size === 0) return;
      checkBodyParsers(this.adapterHost.httpAdapter, path, this.context.log);
      if (late) this.context.log('warn', EventMessages.gateAfterParsers(path));
    }

    /** Before Nest closes the HTTP server, which would otherwise wait for connections that never send. */
    beforeApplicationShutdown(): void {
      this.unusedConnections?.closeUnused();
    }

    private handlers(): Map<string, HubHandlers> {
      if (this.merged) return this.merged;
      const merged = new Map(this.hubs);
      const explorer = this.explorer;
      // Before onModuleInit nothing is served yet (the gate refuses unknown hubs); consumers wait for the explorer.
      if (explorer) {
        for (const consumer of this.consumers.list()) {
          const key = consumer.hub.toLowerCase();
          merged.set(key, mergeConsumer(merged.get(key) ?? explorer.emptyHub(consumer.hub), consumer));
        }
      }
      return (this.merged = merged);
    }

    // `:event`, not `{*path}`: Fastify's router rejects path-to-regexp wildcards; one segment serves `/{event}` on both.
    @All(['', ':event'])
    // The service's handshake is an OPTIONS request that CORS must not answer: this is what
    // @nestjs/platform-fastify's `@RouteConfig({ cors: false })` writes (that package is optional
    // here); @fastify/cors then leaves the route alone. Express apps get the same from the gate.
    @SetMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { cors: false })
    async handle(@Req() request: RouteRequest, @Res() response: unknown): Promise<void> {
      const answer = await this.dispatcher.dispatch({
        method: request.method ?? '',
        headers: request.headers,
        rawHeaders: nodeRequestOf(request).rawHeaders,
        body: bodyReader(request),
        source: request,
        checked: checkedByGate(request),
      });
      sendAnswer(this.adapterHost.httpAdapter, response, answer);
    }
  }
  return WebPubSubEventsController;
}

/** The metadata key of @nestjs/platform-fastify's `@RouteConfig()`. */
const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';

function joinPaths(prefix: string, path: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}${path}` : path;
}
