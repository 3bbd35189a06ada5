import type { HttpAdapterHost } from '@nestjs/core';
import type { LogWriter } from '../core/nest-log-writer.js';
import { MAX_EVENT_BODY_BYTES } from './events.constants.js';
import { EventMessages } from './events.messages.js';

type HttpAdapter = HttpAdapterHost['httpAdapter'] | undefined;

/** Express apps already observed: one observer per app is enough, whatever the number of routes. */
const observedApps = new WeakSet<object>();

/**
 * Where the app's body parsers limit what an event can carry, says so once, with the line that
 * lifts the limit. Changes no parser: that is the app's choice, made in main.ts.
 * - Fastify: whether binary events have a parser is known at startup (a public Fastify API).
 * - Express: Nest's JSON parser runs before every route and cannot be seen through a public API. An
 *   error handler for the route's path answers the service's events that a parser refused, with the
 *   route's own messages, and logs the line to add the first time the route would have taken one.
 */
export function checkBodyParsers(adapter: HttpAdapter, path: string, log: LogWriter): void {
  if (adapter?.getType() === 'fastify') {
    const fastify = adapter.getInstance() as { hasContentTypeParser(type: string): boolean };
    if (!fastify.hasContentTypeParser('application/octet-stream')) log('warn', EventMessages.noOctetStreamParser(path));
    return;
  }
  if (adapter?.getType() !== 'express') return;
  const app = adapter.getInstance() as object;
  if (observedApps.has(app)) return;
  observedApps.add(app);
  let warned = false;
  adapter.use((error: ParserError | undefined, request: ExpressRequest, response: unknown, next: (error?: unknown) => void) => {
    const mountPath = mountPathOf(request, path);
    if (!isParserError(error) || request.headers['ce-awpsversion'] === undefined || mountPath === undefined) return next(error);
    const tooLarge = error.type === 'entity.too.large';
    if (wouldAccept(error, request)) {
      if (!warned) log('warn', EventMessages.parserRefused(error.status ?? 400, mountPath));
      warned = true;
      return adapter.reply(response, answer(error.status ?? 400, EventMessages.parserRefusedAnswer()), error.status ?? 400);
    }
    const status = tooLarge ? 413 : 400;
    adapter.reply(response, answer(status, tooLarge ? EventMessages.bodyTooLarge(MAX_EVENT_BODY_BYTES) : EventMessages.malformedBody()), status);
  });
}

/** The shape of Nest's HttpException answers, as the route gives them. */
function answer(statusCode: number, message: string) {
  return { statusCode, message, error: statusCode === 413 ? 'Payload Too Large' : 'Bad Request' };
}

interface ParserError {
  type?: string;
  status?: number;
  /** body-parser: the body's length (too large) or text (not parsed). */
  length?: number;
  body?: string;
}

interface ExpressRequest {
  headers: Record<string, string | string[] | undefined>;
  originalUrl?: string;
  url?: string;
}

function isParserError(error: ParserError | undefined): error is ParserError {
  return error?.type === 'entity.too.large' || error?.type === 'entity.parse.failed';
}

/**
 * A body-parser refusal of an event the route would have taken: within the route's size limit, or
 * a user event's valid JSON that a strict parser refused (a bare value; system events are objects).
 * The route refuses the others as well.
 */
function wouldAccept(error: ParserError, request: ExpressRequest): boolean {
  if (error.type === 'entity.too.large') return (error.length ?? Infinity) <= MAX_EVENT_BODY_BYTES;
  const type = request.headers['ce-type'];
  if (typeof error.body !== 'string' || typeof type !== 'string' || !type.startsWith('azure.webpubsub.user.')) return false;
  try {
    JSON.parse(error.body);
    return true;
  } catch {
    return false;
  }
}

/**
 * The route's path as the app serves it, global prefix included, read from the refused request;
 * undefined for a request to another path (which this route leaves to the app).
 */
function mountPathOf(request: ExpressRequest, path: string): string | undefined {
  const pathname = (request.originalUrl ?? request.url ?? '').split('?')[0].toLowerCase();
  const route = path.toLowerCase().replace(/\/+$/, '');
  const at = pathname.lastIndexOf(route);
  const rest = at < 0 ? '' : pathname.slice(at + route.length);
  return at >= 0 && /^(\/[^/]*)?\/?$/.test(rest) ? pathname.slice(0, at + route.length) : undefined;
}
