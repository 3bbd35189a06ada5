import type { LoggerService } from '@nestjs/common';
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { contextualWriter } from './nest-log-writer.js';
import type { HttpLoggingLevel } from './web-pubsub.options.js';

/** Never logged in clear, even when allowed: these names carry credentials. */
const SECRET_HEADER = /authorization|cookie|signature|token|key/i;
/**
 * Headers shown in clear at `verbose`: standard HTTP headers and Azure's correlation and error
 * headers, as the Azure SDK's log sanitizer shows by default (plus Web PubSub's error code and
 * retry hints). Every other value is REDACTED; `httpLoggingAllowedHeaderNames` allows more.
 */
const DEFAULT_ALLOWED_HEADERS = [
  'accept',
  'accept-encoding',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'date',
  'etag',
  'expires',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-unmodified-since',
  'last-modified',
  'pragma',
  'retry-after',
  'server',
  'transfer-encoding',
  'user-agent',
  'keep-alive',
  'www-authenticate',
  'origin',
  'request-id',
  'traceparent',
  'ms-cv',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'access-control-max-age',
  'access-control-request-headers',
  'access-control-request-method',
  'client-request-id',
  'return-client-request-id',
  'x-ms-client-request-id',
  'x-ms-return-client-request-id',
  'x-ms-request-id',
  'x-ms-correlation-request-id',
  'x-ms-useragent',
  'x-ms-error-code',
  'retry-after-ms',
  'x-ms-retry-after-ms',
];
const RETRY_AFTER_HEADERS = ['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms'];

/**
 * Whether core-rest-pipeline's retry policy retries this answer (while it has retries left):
 * 408 and 5xx but 501/505 (exponential), and 429 only with a Retry-After header (throttling).
 */
function isRetriedStatus(response: PipelineResponse): boolean {
  const { status } = response;
  if (status === 429) return RETRY_AFTER_HEADERS.some((name) => response.headers.has(name));
  return status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * Two pipeline policies that log every REST call through a Nest logger, with nothing secret in the
 * lines: query values (other than api-version) and the values of headers not on the allowlist are REDACTED,
 * and bodies are never logged. `perCall` logs the outcome (duration, attempts); `perRetry` logs each
 * attempt that failed and may be retried. Every line of one call names the same client request id.
 */
export function nestHttpLoggingPolicies(
  logger: LoggerService,
  level: HttpLoggingLevel,
  context: string,
  allowedHeaderNames: readonly string[] = [],
): {
  perCall: PipelinePolicy;
  perRetry: PipelinePolicy;
} {
  const attempts = new WeakMap<PipelineRequest, number>();
  const verbose = level === 'verbose';
  const debug = level === 'debug' || verbose;
  const write = contextualWriter(logger, context);
  const allowed = new Set([...DEFAULT_ALLOWED_HEADERS, ...allowedHeaderNames.map((name) => name.toLowerCase())]);
  const formatHeaders = (message: PipelineRequest | PipelineResponse) => formatAllowedHeaders(message, allowed);
  return {
    perCall: {
      name: 'webPubSubNestLoggingPolicy',
      async sendRequest(request, next) {
        const started = performance.now();
        const line = (outcome: string) => describeCall(request, outcome, started, attempts.get(request) ?? 1);
        let response: PipelineResponse;
        try {
          response = await next(request);
        } catch (error) {
          write('error', line(`failed: ${describeError(error)}`));
          throw error;
        }
        // A 404 answer to a HEAD check is an answer ("does not exist"), not a failure.
        const failed = response.status >= 400 && !(request.method === 'HEAD' && response.status === 404);
        if (failed) write('error', line(`→ ${response.status}`));
        else if (debug) write('debug', line(`→ ${response.status}`));
        return response;
      },
    },
    perRetry: {
      name: 'webPubSubNestAttemptLoggingPolicy',
      async sendRequest(request, next) {
        const attempt = (attempts.get(request) ?? 0) + 1;
        attempts.set(request, attempt);
        const started = performance.now();
        if (verbose)
          write(
            'verbose',
            `${request.method} ${redactUrl(request.url)} attempt ${attempt} request headers ${formatHeaders(request)}`,
          );
        let response: PipelineResponse;
        try {
          response = await next(request);
        } catch (error) {
          write(
            'warn',
            `${describeCall(request, `failed: ${describeError(error)}`, started, attempt)}; the retry policy may try again`,
          );
          throw error;
        }
        if (verbose)
          write(
            'verbose',
            `${request.method} ${redactUrl(request.url)} attempt ${attempt} response headers ${formatHeaders(response)}`,
          );
        if (isRetriedStatus(response)) {
          const retryAfter = response.headers.get('retry-after');
          const outcome = `→ ${response.status}${retryAfter ? ` (Retry-After ${retryAfter})` : ''}`;
          write('warn', `${describeCall(request, outcome, started, attempt)}; the retry policy may try again`);
        }
        return response;
      },
    },
  };
}

/** `POST <url> → 202 in 12 ms (attempt 1, x-ms-client-request-id <uuid>)` */
function describeCall(request: PipelineRequest, outcome: string, started: number, attempt: number): string {
  const requestId = request.headers.get('x-ms-client-request-id') ?? request.requestId;
  const ms = Math.round(performance.now() - started);
  return `${request.method} ${redactUrl(request.url)} ${outcome} in ${ms} ms (attempt ${attempt}, x-ms-client-request-id ${requestId})`;
}

/** The URL with every query value except api-version replaced (filters, ids and reasons can be personal data). */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparsable URL)';
  }
  const query = [...parsed.searchParams].map(
    ([name, value]) => `${name}=${name === 'api-version' ? value : 'REDACTED'}`,
  );
  return `${parsed.origin}${parsed.pathname}${query.length ? `?${query.join('&')}` : ''}`;
}

/** Every header name, with its value only when allowed (and not credential-like): an allowlist, not a blocklist. */
function formatAllowedHeaders(message: PipelineRequest | PipelineResponse, allowed: ReadonlySet<string>): string {
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headers)
    headers[name] = allowed.has(name.toLowerCase()) && !SECRET_HEADER.test(name) ? value : 'REDACTED';
  return JSON.stringify(headers);
}

/** Error text without anything that could carry the request (and its Authorization header). */
function describeError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return [typeof code === 'string' ? code : undefined, typeof message === 'string' ? message : String(error)]
    .filter(Boolean)
    .join(' ');
}
