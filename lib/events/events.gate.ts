import { HttpException, PayloadTooLargeException, StreamableFile } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { keepEventBody, nodeRequestOf, readLimited } from './events.body.js';
import { MAX_EVENT_BODY_BYTES } from './events.constants.js';
import { header, type CheckedEvent, type EventDispatcher, type UpstreamHttpResponse } from './events.dispatcher.js';
import { EventMessages } from './events.messages.js';

type HttpAdapter = NonNullable<HttpAdapterHost['httpAdapter']>;

/** Requests whose headers the gate checked, with what it found: the route does not check them again. */
const passedGate = new WeakMap<object, CheckedEvent>();

/** What the gate found for this request, when it checked it. */
export function checkedByGate(request: object): CheckedEvent | undefined {
  return passedGate.get(request);
}

/** A request as Express and Fastify's onRequest hook show it (Fastify's `raw` is the Node request). */
interface GateRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  raw?: IncomingMessage;
  body?: unknown;
  _body?: boolean;
}

/**
 * The front door of an event route, in place before the app's body parsers and CORS (installed as
 * soon as the HTTP adapter exists, through public adapter APIs). For the service's requests to the
 * route only (the others pass untouched):
 * - Express: answers the abuse-protection handshake itself, so `app.enableCors()` cannot answer it
 *   first; refuses an event whose headers fail (method, CloudEvents headers, origin, hub, signature,
 *   Content-Length) without reading its body; reads an accepted event's body, so no JSON parser
 *   limits it (Nest's takes only objects and arrays, up to 100 kB).
 * - Fastify: refuses events on their headers in an onRequest hook, before Fastify reads the body.
 * The route reuses what the gate found for a request; without a gate it checks the headers itself.
 */
export function installEventGate(adapter: HttpAdapter, routePath: () => string, dispatcher: EventDispatcher): void {
  const type = adapter.getType();
  const forRoute = (request: GateRequest) =>
    (request.headers['ce-awpsversion'] !== undefined || request.headers['webhook-request-origin'] !== undefined) &&
    servesPath(request.originalUrl ?? request.url ?? '', routePath());
  // A refused request's body is never read, so its connection cannot serve another request:
  // `Connection: close` makes Node close it once the answer is out, however slowly a body trickles in.
  const refuse = (response: unknown, error: unknown): boolean => {
    if (!(error instanceof HttpException)) return false;
    adapter.setHeader(response, 'connection', 'close');
    adapter.reply(response, error.getResponse(), error.getStatus());
    return true;
  };
  const check = (request: GateRequest) =>
    dispatcher.checkHeaders({
      method: request.method ?? '',
      headers: request.headers,
      rawHeaders: nodeRequestOf(request).rawHeaders,
    });

  if (type === 'express') {
    adapter.use(async (request: GateRequest, response: unknown, next: (error?: unknown) => void) => {
      if (!forRoute(request)) return next();
      try {
        if (request.method === 'OPTIONS' || request.method === 'GET')
          return sendAnswer(adapter, response, dispatcher.handshake(header(request, 'webhook-request-origin')));
        passedGate.set(request, check(request));
        const body = await readLimited(request as unknown as IncomingMessage);
        if (body.length > MAX_EVENT_BODY_BYTES)
          throw new PayloadTooLargeException(EventMessages.bodyTooLarge(MAX_EVENT_BODY_BYTES));
        request.body = body;
        // body-parser's own mark of a request whose body was read (Express 4's parsers skip on it; Express 5's see the ended stream).
        request._body = true;
        next();
      } catch (error) {
        if (!refuse(response, error)) next(error);
      }
    });
    return;
  }
  if (type === 'fastify') {
    const fastify = adapter.getInstance() as FastifyHooks;
    fastify.addHook('onRequest', (request, reply, done) => {
      if (!forRoute(request) || request.method === 'OPTIONS' || request.method === 'GET') return done();
      try {
        passedGate.set(request, check(request));
      } catch (error) {
        if (refuse(reply, error)) return;
        return done(error as Error);
      }
      done();
    });
    // The documented 2 MiB, not Fastify's 1 MiB default, for the event route's parsers.
    fastify.addHook('onRoute', (route) => {
      if (servesPath(route.url ?? route.path ?? '', routePath())) route.bodyLimit = MAX_EVENT_BODY_BYTES;
    });
    // An accepted event's bytes are read here, as on Express, so the dispatcher parses them itself,
    // only when the event needs it (JSON nested 10,000 deep is no 500); Fastify's parser sees a stand-in.
    fastify.addHook('preParsing', (request, reply, payload, done) => {
      if (!passedGate.has(request)) return done(null, payload);
      readLimited(payload).then(
        (body) => {
          if (body.length > MAX_EVENT_BODY_BYTES) {
            refuse(reply, new PayloadTooLargeException(EventMessages.bodyTooLarge(MAX_EVENT_BODY_BYTES)));
            return;
          }
          keepEventBody(request, body);
          const json = /^application\/json\b/i.test(String(request.headers['content-type'] ?? ''));
          const standIn = Object.assign(new PassThrough(), { receivedEncodedLength: body.length });
          standIn.end(json ? 'null' : '');
          done(null, standIn);
        },
        (error: Error) => done(error),
      );
    });
  }
}

/** The Fastify hooks the gate uses, as the public API types them (fastify is an optional peer). */
interface FastifyHooks {
  addHook(name: 'onRequest', hook: (request: GateRequest, reply: unknown, done: (error?: Error) => void) => void): void;
  addHook(name: 'onRoute', hook: (route: { url?: string; path?: string; bodyLimit?: number }) => void): void;
  addHook(
    name: 'preParsing',
    hook: (
      request: GateRequest,
      reply: unknown,
      payload: IncomingMessage,
      done: (error: Error | null, payload?: NodeJS.ReadableStream) => void,
    ) => void,
  ): void;
}

/** Writes a dispatcher answer through the adapter (binary bodies as a StreamableFile, as Nest sends them). */
export function sendAnswer(adapter: HttpAdapter, response: unknown, answer: UpstreamHttpResponse): void {
  for (const [name, value] of Object.entries(answer.headers)) adapter.setHeader(response, name, value);
  const body = Buffer.isBuffer(answer.body)
    ? new StreamableFile(answer.body, { type: answer.headers['content-type'] })
    : answer.body;
  adapter.reply(response, body, answer.status);
}

/** Whether a URL is the route's path (global prefix included) or one segment below it, as the route serves. */
export function servesPath(url: string, routePath: string): boolean {
  const pathname = url.split('?')[0].toLowerCase();
  const route = routePath.toLowerCase().replace(/\/+$/, '');
  return pathname.startsWith(route) && /^(\/[^/]*)?\/?$/.test(pathname.slice(route.length));
}
