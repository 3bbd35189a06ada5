import type { IncomingMessage } from 'node:http';
import { MAX_EVENT_BODY_BYTES } from './events.constants.js';

/** What Express and Fastify requests share here; `raw` is Fastify's Node request. */
export interface RouteRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  rawBody?: Buffer;
  raw?: IncomingMessage;
}

/** The Node request under a platform's request: Fastify's `raw`, or Express's request itself. */
export function nodeRequestOf(request: object): IncomingMessage {
  return ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
}

/** Event bodies the Fastify gate read before Fastify's parsers (which got a stand-in). */
const keptBodies = new WeakMap<object, Buffer>();

export function keepEventBody(request: object, body: Buffer): void {
  keptBodies.set(request, body);
}

/**
 * The request body as bytes, read only when called (after the header checks passed), from whatever
 * the app's parsers left: a raw body (the `rawBody` app option), a Buffer or string (Fastify's
 * parsers, `express.raw`/`text`), parsed JSON (re-serialised; only its content matters), or the
 * unread stream (no parser for this content type).
 */
export function bodyReader(request: RouteRequest): () => Promise<Buffer> {
  return async () => {
    const kept = keptBodies.get(request);
    if (kept) return kept;
    if (Buffer.isBuffer(request.rawBody)) return request.rawBody;
    if (Buffer.isBuffer(request.body)) return request.body;
    // A string is raw text, unless a JSON parser produced it (the JSON value `"hi"`): then re-serialise it too.
    const json = /^application\/json\b/i.test(String(request.headers['content-type'] ?? ''));
    if (typeof request.body === 'string' && !json) return Buffer.from(request.body, 'utf8');
    if (!isUnreadStream(request)) {
      return request.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(request.body), 'utf8');
    }
    return readLimited(nodeRequestOf(request));
  };
}

/**
 * Reads a stream, keeping at most one chunk past the limit so the dispatcher still sees an oversized
 * body; the rest is read and dropped (stopping early would destroy the socket the answer goes out on).
 */
export async function readLimited(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size - (chunk as Buffer).length <= MAX_EVENT_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function isUnreadStream(request: RouteRequest): boolean {
  const stream = nodeRequestOf(request);
  return stream.readable === true && stream.readableEnded !== true && request.body === undefined;
}
