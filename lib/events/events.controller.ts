import { All, Controller, Inject, Req, Res, StreamableFile, type OnModuleInit, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { EVENTS_SETTINGS, MAX_EVENT_BODY_BYTES } from './events.constants.js';
import { EventDispatcher } from './events.dispatcher.js';
import { EventHandlerRegistry } from './events.registry.js';
import type { EventsSettings } from './events.settings.js';

/**
 * The webhook route, at `path` and one segment below it (so a URL template may add `/{event}`). A
 * real controller, so Nest's exception filters, guards and logging apply to it, on Express and
 * Fastify alike.
 */
export function createEventsController(path: string): Type {
  @Controller(path)
  class WebPubSubEventsController implements OnModuleInit {
    private readonly dispatcher: EventDispatcher;

    constructor(
      registry: EventHandlerRegistry,
      @Inject(EVENTS_SETTINGS) settings: EventsSettings,
      private readonly adapterHost: HttpAdapterHost,
    ) {
      this.dispatcher = new EventDispatcher({ handlersFor: (hub) => registry.handlersFor(hub), allowedOrigins: settings.allowedOrigins });
    }

    /** Here, not in the constructor: the HTTP adapter is attached after the module compiles. */
    onModuleInit(): void {
      acceptBinaryOnFastify(this.adapterHost);
      bypassExpressJsonParser(this.adapterHost, path);
    }

    // `:event`, not `{*path}`: Fastify's router rejects path-to-regexp wildcards; one segment serves `/{event}` on both.
    @All(['', ':event'])
    async handle(@Req() request: RouteRequest, @Res() response: unknown): Promise<void> {
      const answer = await this.dispatcher.dispatch({ method: request.method ?? '', headers: request.headers, body: await bodyOf(request) });
      const adapter = this.adapterHost.httpAdapter;
      for (const [name, value] of Object.entries(answer.headers)) adapter.setHeader(response, name, value);
      const body = Buffer.isBuffer(answer.body) ? new StreamableFile(answer.body, { type: answer.headers['content-type'] }) : answer.body;
      adapter.reply(response, body, answer.status);
    }
  }
  return WebPubSubEventsController;
}

/**
 * Fastify answers 415 to content types it has no parser for; binary user events are
 * `application/octet-stream`. Registers a Buffer parser for it (bodies past the limit: Fastify's 413).
 */
function acceptBinaryOnFastify(adapterHost: HttpAdapterHost): void {
  const adapter = adapterHost.httpAdapter;
  if (adapter?.getType() !== 'fastify') return;
  const fastify = adapter.getInstance() as FastifyLike;
  if (fastify.hasContentTypeParser('application/octet-stream')) return;
  fastify.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_EVENT_BODY_BYTES }, (_request, body, done) => done(null, body));
}

/**
 * Nest's Express JSON parser (strict, 100 kB) runs before any route and would refuse legitimate
 * JSON user events (a bare value such as `5`, or up to 1 MiB). For this route it is skipped, and the
 * controller reads the raw body itself. Other routes keep the parser unchanged.
 */
function bypassExpressJsonParser(adapterHost: HttpAdapterHost, path: string): void {
  const adapter = adapterHost.httpAdapter;
  if (adapter?.getType() !== 'express') return;
  const app = adapter.getInstance() as { router?: { stack?: ExpressLayer[] }; _router?: { stack?: ExpressLayer[] } };
  const route = new RegExp(`${escapeRegExp(path.replace(/\/+$/, ''))}(/[^/]*)?/?$`);
  // `_router` first: on Express 4 (Nest 10) merely reading `app.router` throws a deprecation error.
  for (const layer of app._router?.stack ?? app.router?.stack ?? []) {
    if (layer.name !== 'jsonParser' || layer.skipsWebPubSubEvents) continue;
    const parse = layer.handle;
    layer.handle = (request, response, next) => (route.test(request.path ?? '') ? next() : parse(request, response, next));
    layer.skipsWebPubSubEvents = true;
  }
}

interface ExpressLayer {
  name: string;
  handle: (request: { path?: string }, response: unknown, next: (error?: unknown) => void) => unknown;
  skipsWebPubSubEvents?: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface FastifyLike {
  hasContentTypeParser(type: string): boolean;
  addContentTypeParser(type: string, options: { parseAs: 'buffer'; bodyLimit: number }, parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => void): void;
}

/** What Express and Fastify requests share here; `raw` is Fastify's Node request. */
interface RouteRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  rawBody?: Buffer;
  raw?: IncomingMessage;
}

/**
 * The request body as bytes, whichever parser ran: a raw body (rawBody option), a Buffer or string
 * (Fastify parsers), parsed JSON (re-serialised; only its content matters), or the unread stream.
 */
async function bodyOf(request: RouteRequest): Promise<Buffer> {
  if (Buffer.isBuffer(request.rawBody)) return request.rawBody;
  if (Buffer.isBuffer(request.body)) return request.body;
  // A string is raw text, unless a JSON parser produced it (the JSON value `"hi"`): then re-serialise it too.
  const json = /^application\/json\b/i.test(String(request.headers['content-type'] ?? ''));
  if (typeof request.body === 'string' && !json) return Buffer.from(request.body, 'utf8');
  if (request.body !== undefined && (json || (request.body !== null && typeof request.body === 'object')) && !isUnreadStream(request)) {
    return Buffer.from(JSON.stringify(request.body), 'utf8');
  }
  const stream = (request.raw ?? request) as unknown as IncomingMessage;
  if (!isUnreadStream(request)) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    // Hold chunks until the limit is crossed (at most one chunk past it), so the dispatcher still sees an oversized body.
    if (size - (chunk as Buffer).length <= MAX_EVENT_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function isUnreadStream(request: RouteRequest): boolean {
  const stream = (request.raw ?? request) as unknown as { readableEnded?: boolean; readable?: boolean; complete?: boolean };
  return stream.readable === true && stream.readableEnded !== true && request.body === undefined;
}
