import { All, Controller, Inject, Req, Res, StreamableFile, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, ModuleRef } from '@nestjs/core';
import { getWebPubSubContextToken } from '../core/webpubsub.constants.js';
import type { WebPubSubInstanceContext } from '../core/webpubsub.context.js';
import { bodyReader, type RouteRequest } from './events.body.js';
import { EventDispatcher } from './events.dispatcher.js';
import { EventHandlerExplorer, type HubHandlers } from './events.explorer.js';
import { EventsMetadataAccessor } from './events.metadata-accessor.js';
import { checkBodyParsers } from './events.parser-check.js';

/**
 * The webhook route of one instance, at `path` and one segment below it (so a URL template may add
 * `/{event}`). A real controller, so Nest's exception filters, guards and logging apply to it, on
 * Express and Fastify alike. It serves the `@WebPubSubEventHandler` classes of its instance only.
 */
export function createEventsController(instance: string, path: string): Type {
  @Controller(path)
  class WebPubSubEventsController implements OnModuleInit {
    private hubs = new Map<string, HubHandlers>();
    private readonly dispatcher: EventDispatcher;

    constructor(
      @Inject(getWebPubSubContextToken(instance)) private readonly context: WebPubSubInstanceContext,
      private readonly discovery: DiscoveryService,
      private readonly scanner: MetadataScanner,
      private readonly accessor: EventsMetadataAccessor,
      private readonly moduleRef: ModuleRef,
      private readonly adapterHost: HttpAdapterHost,
    ) {
      this.dispatcher = new EventDispatcher({ handlersFor: (hub) => this.hubs.get(hub.toLowerCase()), allowedOrigins: context.events.allowedOrigins });
    }

    /** Here, not in the constructor: every provider exists by now, and so does the HTTP adapter. */
    onModuleInit(): void {
      this.hubs = new EventHandlerExplorer(this.discovery, this.scanner, this.accessor, this.moduleRef, this.context).explore();
      // Only a route with handlers can be limited by a parser; an app without events hears nothing of it.
      if (this.hubs.size > 0) checkBodyParsers(this.adapterHost.httpAdapter, path, this.context.log);
    }

    // `:event`, not `{*path}`: Fastify's router rejects path-to-regexp wildcards; one segment serves `/{event}` on both.
    @All(['', ':event'])
    async handle(@Req() request: RouteRequest, @Res() response: unknown): Promise<void> {
      const answer = await this.dispatcher.dispatch({ method: request.method ?? '', headers: request.headers, body: bodyReader(request), source: request });
      const adapter = this.adapterHost.httpAdapter;
      for (const [name, value] of Object.entries(answer.headers)) adapter.setHeader(response, name, value);
      const body = Buffer.isBuffer(answer.body) ? new StreamableFile(answer.body, { type: answer.headers['content-type'] }) : answer.body;
      adapter.reply(response, body, answer.status);
    }
  }
  return WebPubSubEventsController;
}
