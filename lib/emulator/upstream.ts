import { ceHeaderValue, upstreamEventSource, upstreamEventType } from '../protocol/upstream-event.js';
import { signatureHeader } from '../protocol/upstream-signature.js';
import { connectionStateTooLarge, MAX_CONNECTION_STATE_BYTES } from '../protocol/connection-state.js';
import { GroupPattern } from '../protocol/group-pattern.js';
import type {
  EmulatorLogger,
  EventHandlerSettings,
  GroupPresenceEventName,
  HubSettings,
  SystemEventName,
} from './emulator.options.js';
import { EmulatorMessages } from './emulator.messages.js';
import { UpstreamLimiter } from './upstream-limiter.js';
import { fillTemplate, redactUrl, UpstreamError } from './upstream-request.js';

/** Who an upstream event is about. */
export interface UpstreamSubject {
  hub: string;
  connectionId: string;
  userId?: string;
  subprotocol?: string;
  connectionState?: string;
}

export type UpstreamEvent =
  | { kind: 'system'; name: SystemEventName; body: unknown }
  | { kind: 'group'; name: GroupPresenceEventName; body: { group: string } }
  | { kind: 'user'; name: string; contentType: string; body: Buffer };

/** What picks an event's handler: its kind and name, and for a group event its group. */
export type EventSelector =
  { kind: 'system' | 'user'; name: string } | { kind: 'group'; name: GroupPresenceEventName; group: string };

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface UpstreamOptions {
  /** The service host sent as WebHook-Request-Origin, e.g. `127.0.0.1:8080`. */
  origin: string;
  keys: readonly string[];
  hubs: Record<string, HubSettings>;
  logger: EmulatorLogger;
  timeoutMs: number;
  retryDelaysMs: readonly number[];
  /** Upstream requests in flight at most (the rest wait, first in, first out). */
  concurrency: number;
}

/**
 * Calls the configured event handlers the way the service does: CloudEvents in binary mode with
 * `ce-*` headers and `ce-signature` from every access key, after a one-time abuse-protection
 * handshake per handler URL. Blocking events (connect, user events) are tried once and their
 * response returned; connected/disconnected are retried on 408, 5xx and network errors.
 */
export class UpstreamInvoker {
  private readonly validated = new Map<string, Promise<boolean>>();
  private eventId = 0;
  private readonly hubs = new Map<string, HubSettings>();
  readonly limiter: UpstreamLimiter;

  constructor(private readonly options: UpstreamOptions) {
    this.limiter = new UpstreamLimiter(options.concurrency);
    for (const [name, settings] of Object.entries(options.hubs)) this.hubs.set(name.toLowerCase(), settings);
  }

  /** The handler that takes this event, if any (first match wins, as in the service). */
  handlerFor(hub: string, event: EventSelector): EventHandlerSettings | undefined {
    return this.hubs.get(hub.toLowerCase())?.eventHandlers?.find((handler) => {
      if (event.kind === 'system') return (handler.systemEvents ?? []).includes(event.name as SystemEventName);
      if (event.kind === 'group') return takesGroupEvent(handler, event.name, event.group);
      return matchesPattern(handler.userEventPattern, event.name);
    });
  }

  /**
   * Sends the event; resolves with the response, or undefined when no handler takes it. Rejects
   * with an UpstreamError when the handler is unreachable or fails the handshake, and when a
   * non-blocking event still fails after its retries: its message names the URL with the query
   * redacted (for the log), its clientMessage only the event (for a client).
   */
  async invoke(subject: UpstreamSubject, event: UpstreamEvent): Promise<UpstreamResponse | undefined> {
    const handler = this.handlerFor(
      subject.hub,
      event.kind === 'group' ? { kind: 'group', name: event.name, group: event.body.group } : event,
    );
    if (!handler) return undefined;
    const url = fillTemplate(handler.urlTemplate, subject.hub, event.name);
    if (!(await this.validate(handler, subject.hub))) {
      throw new UpstreamError(
        EmulatorMessages.abuseProtectionFailed(redactUrl(url), 'see the log above'),
        EmulatorMessages.upstreamFailedForClient(event.name, 'its handler failed the abuse-protection handshake'),
      );
    }
    // Built when its turn comes, not while it waits: a queued event is a small record, and ce-time
    // is when it is sent (as the service documents it); ce-id still follows the order of arrival.
    let request: { headers: Record<string, string>; body: Buffer } | undefined;
    const blocking = event.kind === 'user' || event.name === 'connect';
    const delays = blocking ? [] : this.options.retryDelaysMs;
    for (let attempt = 0; ; attempt++) {
      let failure: { reason: string; retryable: boolean; cause?: unknown };
      let clientReason: string | undefined;
      try {
        const response = await this.limiter.run(() => this.post(url, (request ??= this.buildRequest(subject, event))));
        if (blocking || (response.status >= 200 && response.status <= 299)) return response;
        failure = { reason: `HTTP ${response.status}`, retryable: response.status === 408 || response.status >= 500 };
      } catch (error) {
        // An answer refused on its content (state over the limit) is final, and its text safe for clients.
        if (error instanceof UpstreamError) throw error;
        // A fetch error may quote the URL ("Failed to parse URL from ..."): only the log gets its text.
        failure = { reason: (error as Error).message, retryable: true, cause: error };
        clientReason = 'it could not be reached or did not answer in time';
      }
      // Nobody reads a non-blocking event's answer, so its final failure is thrown for the caller to log.
      if (!failure.retryable || attempt >= delays.length) {
        throw new UpstreamError(
          EmulatorMessages.upstreamFailed(event.name, redactUrl(url), failure.reason),
          EmulatorMessages.upstreamFailedForClient(event.name, clientReason ?? failure.reason),
          { cause: failure.cause },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]).unref());
    }
  }

  private buildRequest(
    subject: UpstreamSubject,
    event: UpstreamEvent,
  ): { headers: Record<string, string>; body: Buffer } {
    const headers: Record<string, string> = {
      'ce-specversion': '1.0',
      'ce-awpsversion': '1.0',
      'ce-type': ceHeaderValue(upstreamEventType(event.kind, event.name)),
      'ce-source': upstreamEventSource(subject.hub, subject.connectionId),
      'ce-id': String(this.eventId++),
      'ce-time': new Date().toISOString(),
      'ce-hub': subject.hub,
      'ce-connectionId': subject.connectionId,
      'ce-eventName': ceHeaderValue(event.name),
      'ce-signature': signatureHeader(this.options.keys, subject.connectionId),
      'webhook-request-origin': this.options.origin,
      'content-type': event.kind === 'user' ? event.contentType : 'application/json; charset=utf-8',
    };
    if (subject.userId) headers['ce-userId'] = ceHeaderValue(subject.userId);
    if (subject.subprotocol) headers['ce-subprotocol'] = subject.subprotocol;
    if (subject.connectionState) headers['ce-connectionState'] = subject.connectionState;
    const body = event.kind === 'user' ? event.body : Buffer.from(JSON.stringify(event.body));
    return { headers, body };
  }

  private async post(
    url: string,
    request: { headers: Record<string, string>; body: Buffer },
  ): Promise<UpstreamResponse> {
    const response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const body = Buffer.from(await response.arrayBuffer());
    // The state comes back on every later event: one over the limit is refused here, not kept to wedge them.
    const state = response.headers.get('ce-connectionstate');
    if (state !== null && state.length > MAX_CONNECTION_STATE_BYTES) {
      const tooLarge = connectionStateTooLarge(state.length);
      throw new UpstreamError(EmulatorMessages.upstreamAnswerRefused(redactUrl(url), tooLarge), tooLarge);
    }
    return { status: response.status, headers: response.headers, body };
  }

  /** The abuse-protection handshake, once per handler and hub (a failure is retried next time). */
  private validate(handler: EventHandlerSettings, hub: string): Promise<boolean> {
    const url = fillTemplate(handler.urlTemplate, hub, 'validate');
    let result = this.validated.get(url);
    if (!result) {
      result = this.handshake(url).then((ok) => {
        if (!ok) this.validated.delete(url);
        return ok;
      });
      this.validated.set(url, result);
    }
    return result;
  }

  private handshake(url: string): Promise<boolean> {
    return this.limiter.run(() => this.tryHandshake(url));
  }

  private async tryHandshake(url: string): Promise<boolean> {
    const headers = { 'webhook-request-origin': this.options.origin, 'ce-awpsversion': '1.0' };
    try {
      let response = await fetch(url, {
        method: 'OPTIONS',
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (response.status === 404) {
        await response.arrayBuffer();
        response = await fetch(url, { method: 'GET', headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
      }
      await response.arrayBuffer();
      const allowed = (response.headers.get('webhook-allowed-origin') ?? '')
        .split(',')
        .map((value) => value.trim().toLowerCase());
      if (response.ok && (allowed.includes('*') || allowed.includes(this.options.origin.toLowerCase()))) return true;
      this.options.logger.error(
        EmulatorMessages.abuseProtectionFailed(
          redactUrl(url),
          `HTTP ${response.status}, WebHook-Allowed-Origin "${allowed.join(', ')}"`,
        ),
      );
    } catch (error) {
      this.options.logger.error(EmulatorMessages.abuseProtectionFailed(redactUrl(url), (error as Error).message));
    }
    return false;
  }
}

const groupFilterCache = new WeakMap<EventHandlerSettings, GroupPattern[]>();

/** Whether the handler lists this presence event and, when it has group filters, one matches. */
function takesGroupEvent(handler: EventHandlerSettings, name: GroupPresenceEventName, group: string): boolean {
  const settings = handler.groupPresenceEvents;
  if (!settings?.eventNames.includes(name)) return false;
  if (!settings.groupFilters?.length) return true;
  let filters = groupFilterCache.get(handler);
  if (!filters) {
    // Checked when the emulator starts, so every filter parses here.
    filters = settings.groupFilters
      .map((filter) => GroupPattern.parse(filter))
      .filter((parsed) => parsed instanceof GroupPattern);
    groupFilterCache.set(handler, filters);
  }
  return filters.some((filter) => filter.matches(group));
}

function matchesPattern(pattern: string | undefined, event: string): boolean {
  if (!pattern) return false;
  return pattern.split(',').some((part) => part.trim() === '*' || part.trim() === event);
}
