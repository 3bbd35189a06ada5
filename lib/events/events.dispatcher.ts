import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import { MAX_EVENT_BODY_BYTES } from './events.constants.js';
import { EventMessages } from './events.messages.js';
import { quoteForLog, RefusalLog } from './events.log-throttle.js';
import { mqttContextOf, mqttRefusal } from './events.mqtt.js';
import type {
  ConnectionStateAccess,
  ConnectRequest,
  DisconnectedEvent,
  UserEventRequest,
  WebPubSubEventContext,
} from './events.types.js';
import type { HubHandlers } from './events.explorer.js';
import { connectAnswerProblem } from '../protocol/connect-answer.js';
import { isValidSignature } from '../protocol/upstream-signature.js';
import { decodeHeaderText, hasControlCharacter } from '../protocol/upstream-event.js';
import { encodeConnectionState } from '../protocol/connection-state.js';
import { parseStates, stateAccess } from './events.state.js';

/** An upstream HTTP request, reduced to what the dispatcher needs (adapter-neutral). */
export interface UpstreamHttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Reads the body; called only once the headers passed every check. */
  body: () => Promise<Buffer>;
  /** The framework's request object: request-scoped handlers are resolved for it. */
  source: object;
  /** Node's raw header list (names and values in turn), where a repeated header still shows. */
  rawHeaders?: readonly string[];
  /** What the route's gate already found when it checked this request's headers (not checked again). */
  checked?: CheckedEvent;
}

/** An event whose headers passed every check. */
export interface CheckedEvent {
  type: string;
  hub: string;
  connectionId: string;
  origin: string;
  handlers: HubHandlers;
  /** `ce-eventName` decoded (or the last segment of `ce-type`). */
  eventName: string;
}

/** The request once its body is read. */
type ReadRequest = Omit<UpstreamHttpRequest, 'body'> & { body: Buffer };

export interface UpstreamHttpResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Finds a hub's handlers and what the route trusts. */
export interface DispatchConfig {
  handlersFor(hub: string): HubHandlers | undefined;
  /** Hosts allowed in WebHook-Request-Origin, lower-cased; `*` allows any. */
  allowedOrigins: readonly string[];
}

/**
 * Serves Web PubSub's webhook protocol: the abuse-protection handshake, then CloudEvents in binary
 * mode, checked (headers, origin, hub, signature, body) before any handler runs. Protocol mistakes
 * become 4xx HttpExceptions; handler errors a 500 and an error log. Never logs a signature or key.
 */
export class EventDispatcher {
  /** Forged requests are logged, but not one line each: a forger could flood the log. */
  private readonly refusals = new RefusalLog();

  constructor(private readonly config: DispatchConfig) {}

  async dispatch(request: UpstreamHttpRequest): Promise<UpstreamHttpResponse> {
    if (request.method === 'OPTIONS' || request.method === 'GET')
      return this.handshake(header(request, 'webhook-request-origin'));
    const { type, hub, connectionId, origin, handlers, eventName } = request.checked ?? this.checkHeaders(request);
    // Every check so far read headers only: a refused request's body is never read.
    const body = await request.body();
    if (body.length > MAX_EVENT_BODY_BYTES)
      throw new PayloadTooLargeException(EventMessages.bodyTooLarge(MAX_EVENT_BODY_BYTES));
    const states = parseStates(header(request, 'ce-connectionstate'));
    const mqtt = mqttContextOf((name) => header(request, name));
    const context: WebPubSubEventContext = {
      hub,
      connectionId,
      userId: decodeHeaderText(header(request, 'ce-userid') ?? '') || undefined,
      eventName,
      eventId: header(request, 'ce-id') ?? '',
      time: header(request, 'ce-time') ?? '',
      subprotocol: header(request, 'ce-subprotocol') || undefined,
      origin,
      states,
      clientProtocol: mqtt ? 'mqtt' : 'default',
      ...(mqtt && { mqtt }),
    };
    const state = stateAccess(states);
    const result = await this.run({ ...request, body }, type, context, handlers, state.access);
    if (state.changed()) result.headers['ce-connectionState'] = encodeConnectionState(states);
    return result;
  }

  /**
   * What can be checked before the body is read, cheapest first: method, CloudEvents headers,
   * origin, hub, signature, and the declared size. Throws the HttpException that refuses the event.
   */
  checkHeaders(request: Pick<UpstreamHttpRequest, 'method' | 'headers' | 'rawHeaders'>): CheckedEvent {
    if (request.method !== 'POST') throw new BadRequestException(EventMessages.notCloudEvent());
    // Node merges an unknown header sent twice into "alice, admin": only the raw list shows it.
    const repeated = repeatedEventHeader(request.rawHeaders);
    if (repeated) throw new BadRequestException(EventMessages.repeatedHeader(repeated));
    const rawType = header(request, 'ce-type');
    const type = rawType === undefined ? undefined : decodeHeaderText(rawType);
    const hub = header(request, 'ce-hub');
    const connectionId = header(request, 'ce-connectionid');
    if (!header(request, 'ce-awpsversion') || !type?.startsWith('azure.webpubsub.') || !hub || !connectionId) {
      throw new BadRequestException(EventMessages.notCloudEvent());
    }
    const origin = header(request, 'webhook-request-origin');
    if (!origin) throw new BadRequestException(EventMessages.missingOrigin());
    if (!this.allows(origin)) throw new ForbiddenException(EventMessages.originNotAllowed(origin));
    const handlers = this.config.handlersFor(hub);
    if (!handlers) throw new BadRequestException(EventMessages.unknownHub(hub));
    if (handlers.keys && !isValidSignature(header(request, 'ce-signature'), connectionId, handlers.keys())) {
      const message = EventMessages.signatureRejected(quoteForLog(hub), quoteForLog(connectionId), quoteForLog(origin));
      this.refusals.warn(handlers.log, 'signature', message);
      throw new UnauthorizedException(EventMessages.badSignature());
    }
    if (Number(header(request, 'content-length')) > MAX_EVENT_BODY_BYTES)
      throw new PayloadTooLargeException(EventMessages.bodyTooLarge(MAX_EVENT_BODY_BYTES));
    const rawName = header(request, 'ce-eventname');
    const eventName = rawName === undefined ? type.split('.').pop()! : decodeHeaderText(rawName);
    if (hasControlCharacter(eventName)) throw new BadRequestException(EventMessages.controlCharacters('ce-eventName'));
    return { type, hub, connectionId, origin, handlers, eventName };
  }

  /** The abuse-protection handshake (OPTIONS, or GET): allowed origins only. */
  handshake(origin: string | undefined): UpstreamHttpResponse {
    if (!origin) throw new BadRequestException(EventMessages.missingOrigin());
    if (!this.allows(origin)) throw new ForbiddenException(EventMessages.originNotAllowed(origin));
    return {
      status: 200,
      headers: { 'WebHook-Allowed-Origin': this.config.allowedOrigins.includes('*') ? '*' : origin },
    };
  }

  private allows(origin: string): boolean {
    return this.config.allowedOrigins.includes('*') || this.config.allowedOrigins.includes(origin.toLowerCase());
  }

  private async run(
    request: ReadRequest,
    type: string,
    context: WebPubSubEventContext,
    handlers: HubHandlers,
    state: ConnectionStateAccess,
  ): Promise<UpstreamHttpResponse> {
    switch (type) {
      case 'azure.webpubsub.sys.connect': {
        const body = parseJson(request.body) as Partial<ConnectRequest>;
        const connect: ConnectRequest = {
          context,
          claims: body.claims ?? {},
          query: body.query ?? {},
          headers: body.headers ?? {},
          subprotocols: body.subprotocols ?? [],
          clientCertificates: body.clientCertificates ?? [],
          ...(context.mqtt && body.mqtt && { mqtt: body.mqtt }),
        };
        if (!handlers.connect) return { status: 204, headers: {} };
        const { name, run } = handlers.connect;
        // Serialized inside `call`, so an answer with no JSON form is reported as the handler's failure.
        const answering = this.call(handlers, name, async (): Promise<UpstreamHttpResponse> => {
          const answer = await run(connect, state, request.source);
          if (answer === undefined || answer === null) return { status: 204, headers: {} };
          checkConnectAnswer(answer);
          return {
            status: 200,
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify(answer),
          };
        });
        if (!context.mqtt) return answering;
        // An MQTT client learns why it was refused only from a CONNACK code in a JSON body.
        return answering.catch((error: unknown) => {
          if (!(error instanceof HttpException)) throw error;
          const { status, body } = mqttRefusal(error, connect.mqtt);
          return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
        });
      }
      case 'azure.webpubsub.sys.connected':
        parseJson(request.body);
        if (handlers.connected)
          await this.call(handlers, handlers.connected.name, () =>
            handlers.connected!.run({ context }, state, request.source),
          );
        return { status: 204, headers: {} };
      case 'azure.webpubsub.sys.disconnected': {
        const body = parseJson(request.body) as { reason?: unknown; mqtt?: DisconnectedEvent['mqtt'] };
        const reason = typeof body.reason === 'string' && body.reason !== '' ? body.reason : undefined;
        const event: DisconnectedEvent = { context, reason, ...(context.mqtt && body.mqtt && { mqtt: body.mqtt }) };
        if (handlers.disconnected)
          await this.call(handlers, handlers.disconnected.name, () =>
            handlers.disconnected!.run(event, state, request.source),
          );
        return { status: 204, headers: {} };
      }
      case 'azure.webpubsub.gp.joined':
      case 'azure.webpubsub.gp.left': {
        const { group } = parseJson(request.body) as { group?: unknown };
        if (typeof group !== 'string') throw new BadRequestException(EventMessages.missingGroup(type));
        const handler = type === 'azure.webpubsub.gp.joined' ? handlers.groupJoined : handlers.groupLeft;
        if (handler)
          await this.call(handlers, handler.name, () => handler.run({ context, group }, state, request.source));
        return { status: 204, headers: {} };
      }
      default: {
        if (!type.startsWith('azure.webpubsub.user.')) throw new BadRequestException(EventMessages.unknownType(type));
        const handler = handlers.user.get(context.eventName) ?? handlers.user.get('*');
        if (!handler) throw new NotFoundException(EventMessages.noUserEventHandler(context.hub, context.eventName));
        const event: UserEventRequest = { context, ...userData(header(request, 'content-type'), request.body) };
        return this.call(handlers, handler.name, async () =>
          toUserEventResponse(await handler.run(event, state, request.source)),
        );
      }
    }
  }

  /** Runs a handler: its HttpExceptions pass through (e.g. 401 rejects a connect); anything else is a logged 500. */
  private async call<T>(handlers: HubHandlers, name: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof HttpException) throw error;
      handlers.log(
        'error',
        EventMessages.handlerFailed(name, (error as Error)?.message ?? String(error)),
        (error as Error)?.stack,
      );
      throw new InternalServerErrorException();
    }
  }
}

/** A request header's first value (Node gives repeated headers as a list). */
export function header(request: Pick<UpstreamHttpRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The first `ce-*` or WebHook-Request-Origin header sent more than once, lower-cased. */
function repeatedEventHeader(rawHeaders: readonly string[] | undefined): string | undefined {
  if (!rawHeaders) return undefined;
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!name.startsWith('ce-') && name !== 'webhook-request-origin') continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8'));
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value;
  } catch {
    throw new BadRequestException(EventMessages.malformedBody());
  }
}

function userData(contentType: string | undefined, body: Buffer): Pick<UserEventRequest, 'data' | 'dataType'> {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    try {
      return { dataType: 'json', data: JSON.parse(body.toString('utf8')) };
    } catch {
      throw new BadRequestException(EventMessages.malformedBody());
    }
  }
  if (type === 'text/plain') return { dataType: 'text', data: body.toString('utf8') };
  return { dataType: 'binary', data: body };
}

function toUserEventResponse(answer: unknown): UpstreamHttpResponse {
  if (answer === undefined || answer === null) return { status: 204, headers: {} };
  if (typeof answer === 'string')
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: answer };
  if (Buffer.isBuffer(answer) || answer instanceof Uint8Array || answer instanceof ArrayBuffer) {
    const bytes =
      answer instanceof ArrayBuffer
        ? Buffer.from(answer)
        : Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes };
  }
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(answer) };
}

/**
 * A connect answer the service cannot use would connect a client no user send reaches
 * (`userId: 123`) or into groups that cannot exist. Thrown inside the handler's call, so the failure
 * is logged with the handler's name (500).
 */
function checkConnectAnswer(answer: unknown): void {
  const problem = connectAnswerProblem(answer);
  if (problem) throw new TypeError(EventMessages.invalidConnectAnswer(problem.field, problem.expected));
}
