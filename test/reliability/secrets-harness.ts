import type http from 'node:http';
import { inspect } from 'node:util';
import { ConsoleLogger, Controller, Post, type LoggerService, type LogLevel } from '@nestjs/common';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { WebPubSubJsonProtocol, type WebPubSubClientOptions } from '@azure/web-pubsub-client';
import {
  BroadcastToGroup,
  BroadcastToHub,
  OnConnect,
  OnConnected,
  OnDisconnected,
  OnUserEvent,
  WebPubSubEventHandler,
  type ConnectedEvent,
  type ConnectRequest,
  type DisconnectedEvent,
  type UserEventRequest,
} from '../../lib/index.js';
import type { WebPubSubEmulator } from '../../lib/emulator/index.js';
import type { EmulatorLogger } from '../../lib/emulator/emulator.options.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { signatureHex } from '../support/upstream-events.js';

/*
 * Pieces of the "no secret in any output" scenario: a book of every secret value the run produced,
 * a detector for those values and for secret-shaped text in general, the loggers and taps that see
 * every output channel (loggers, the console, the emulator's log, the wire), and the app's fixtures.
 */

export const HUB = 'chat';

/** The plain JSON protocol: a reliable client closed by the service keeps trying to recover for 30 s. */
export const CLIENT_OPTIONS: WebPubSubClientOptions = {
  protocol: WebPubSubJsonProtocol(),
  autoReconnect: false,
  reconnectRetryOptions: { maxRetries: 0 },
};

/** The app's event handlers: records what arrived; `explode` throws. */
@WebPubSubEventHandler({ hub: HUB })
export class ChatEvents {
  readonly seen: string[] = [];
  @OnConnect() connect(request: ConnectRequest) {
    this.seen.push(`connect ${request.context.userId}`);
    return undefined;
  }
  @OnConnected() connected(event: ConnectedEvent) {
    this.seen.push(`connected ${event.context.userId}`);
  }
  @OnUserEvent('hello') hello(event: UserEventRequest) {
    this.seen.push(`hello ${event.context.connectionId}`);
    return { echoed: event.data };
  }
  @OnUserEvent('explode') explode(): never {
    throw new Error('the explode handler failed on purpose');
  }
  @OnDisconnected() disconnected(event: DisconnectedEvent) {
    this.seen.push(`disconnected ${event.context.userId}`);
  }
}

/** Routes whose results are broadcast, awaited and in the background. */
@Controller('news')
export class NewsController {
  @Post('await') @BroadcastToHub({ delivery: 'await', onError: 'throw' }) awaited() {
    return { headline: 'awaited' };
  }
  @Post('background') @BroadcastToGroup('room', { delivery: 'background' }) queued() {
    return { headline: 'queued' };
  }
}

/** Secret-shaped text, whatever its value: none of it may appear in any output. */
const SECRET_SHAPES: Array<[string, RegExp]> = [
  ['a JWT header', /eyJhbGciOi[\w-]*/],
  ['a JWT', /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/],
  ['an access_token value', /access_token=(?!REDACTED)[^&\s"'\\]+/],
  ['an Authorization value', /bearer\s+(?!REDACTED)[\w.~+/-]{8,}/i],
  ['a signature', /sha256=[0-9a-f]{16,}/i],
  ['an AccessKey part', /AccessKey=(?!REDACTED|<)[^;\s"']{4,}/i],
];

/** Every secret value the run sent or produced, by value, with a label saying where it came from. */
export class SecretBook {
  /** Value → every label it was recorded under (one token can be sent, then received). */
  private readonly values = new Map<string, Set<string>>();

  add(label: string, value: string | null | undefined): void {
    if (!value) return;
    const keep = (text: string, as: string) => this.values.set(text, (this.values.get(text) ?? new Set()).add(as));
    keep(value, label);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) keep(encoded, `${label} (URL-encoded)`);
  }

  /** An `Authorization: Bearer <jwt>` value: the whole header and the token alone. */
  addAuthorization(label: string, header: string): void {
    this.add(`${label} Authorization header`, header);
    this.add(`${label} bearer token`, header.replace(/^Bearer\s+/i, ''));
  }

  /** A client access URL and its access_token. */
  addAccessUrl(label: string, url: string): void {
    this.add(`${label} URL`, url);
    this.add(`${label} access_token`, new URL(url).searchParams.get('access_token'));
  }

  /** The ce-signature each key gives this connection id (what the emulator sends, or a forger could). */
  addSignatures(connectionId: string, keys: Record<string, string>): void {
    for (const [name, key] of Object.entries(keys))
      this.add(`ce-signature of ${connectionId} with the ${name} key`, signatureHex(key, connectionId));
  }

  /** How many distinct values were recorded under labels containing each of `labelParts`. */
  count(...labelParts: string[]): number {
    return [...this.values.values()].filter((labels) =>
      labelParts.every((part) => [...labels].some((label) => label.includes(part))),
    ).length;
  }

  /** What `text` gives away: each known secret it contains and each secret shape it matches. */
  findIn(text: string): string[] {
    const found: string[] = [];
    for (const [value, labels] of this.values) if (text.includes(value)) found.push([...labels].join(' / '));
    for (const [shape, pattern] of SECRET_SHAPES) {
      const match = pattern.exec(text);
      if (match) found.push(`${shape}: ${match[0].slice(0, 40)}`);
    }
    return found;
  }
}

/** Everything an Error can show a developer: String(), JSON with causes and enumerable props, util.inspect. */
export function renderError(error: unknown): string {
  const seen = new Set<object>();
  const plain = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object' || depth > 8) return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      Object.assign(out, {
        name: value.name,
        message: value.message,
        stack: value.stack,
        cause: plain(value.cause, depth + 1),
      });
      if (value instanceof AggregateError) out.errors = value.errors.map((inner: unknown) => plain(inner, depth + 1));
    }
    for (const [name, inner] of Object.entries(value)) out[name] = plain(inner, depth + 1);
    return out;
  };
  return [
    String(error),
    JSON.stringify(error) ?? '',
    JSON.stringify(plain(error, 0)),
    inspect(error, { depth: 8 }),
  ].join('\n');
}

const ALL_LEVELS: LogLevel[] = ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'];

/**
 * The app's logger: keeps every line in `keep` and prints it as Nest's ConsoleLogger does (to
 * stdout/stderr, at every level), so both the structured lines and the real console text are checked.
 */
export function teeLogger(keep: CapturingLogger): LoggerService {
  const printer = new ConsoleLogger({ logLevels: ALL_LEVELS, colors: false });
  const both =
    (level: LogLevel) =>
    (message: unknown, ...params: unknown[]) => {
      keep[level](message, ...params);
      printer[level](message, ...params);
    };
  return {
    log: both('log'),
    error: both('error'),
    warn: both('warn'),
    debug: both('debug'),
    verbose: both('verbose'),
    fatal: both('fatal'),
  };
}

/** An emulator logger keeping its lines. */
export function recordingEmulatorLogger(lines: string[]): EmulatorLogger {
  return {
    log: (message) => lines.push(`log ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
}

/** A perRetry policy (after signing) that hands every Authorization header the client sends to `record`. */
export function authorizationRecorder(record: (authorization: string) => void): PipelinePolicy {
  return {
    name: 'recordAuthorizationForSecretCheck',
    sendRequest(request, next) {
      const authorization = request.headers.get('authorization');
      if (authorization) record(authorization);
      return next(request);
    },
  };
}

/**
 * Listens, read-only, on the emulator's HTTP server (a private field, hence the cast) for what
 * reached it: REST Authorization headers and client upgrade URLs (with their access_token).
 */
export function tapEmulator(
  emulator: WebPubSubEmulator,
  onAuthorization: (value: string) => void,
  onUpgradeUrl: (url: string) => void,
): void {
  const server = (emulator as unknown as { server: http.Server }).server;
  server.on(
    'request',
    (request: http.IncomingMessage) => request.headers.authorization && onAuthorization(request.headers.authorization),
  );
  server.on('upgrade', (request: http.IncomingMessage) => {
    onUpgradeUrl(new URL(request.url ?? '/', emulator.endpoint).href);
    if (request.headers.authorization) onAuthorization(request.headers.authorization);
  });
}

/** A CloudEvent POSTed to the app's event route as the service would, with the given ce-signature. */
export async function forgeEvent(
  appUrl: string,
  event: { hub: string; connectionId: string; name: string; origin: string; signature: string; body: unknown },
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${appUrl}/eventhandler`, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-awpsversion': '1.0',
      'ce-type': `azure.webpubsub.user.${event.name}`,
      'ce-source': `/hubs/${event.hub}/client/${event.connectionId}`,
      'ce-id': '1',
      'ce-time': new Date().toISOString(),
      'ce-hub': event.hub,
      'ce-connectionId': event.connectionId,
      'ce-eventName': event.name,
      'ce-signature': event.signature,
      'webhook-request-origin': event.origin,
      'content-type': 'application/json',
    },
    body: JSON.stringify(event.body),
  });
  return { status: response.status, body: await response.text() };
}
