import type { LoggerService } from '@nestjs/common';
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { contextualWriter } from './nest-log-writer.js';
import type { HttpLoggingLevel } from './webpubsub.options.js';

const SECRET_HEADER = /authorization|cookie|signature|token|key/i;
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
 * lines: query values (other than api-version) and secret-looking headers are replaced by REDACTED,
 * and bodies are never logged. `perCall` logs the outcome (duration, attempts); `perRetry` logs each
 * attempt that failed and may be retried. Every line of one call names the same client request id.
 */
export function nestHttpLoggingPolicies(logger: LoggerService, level: HttpLoggingLevel, context: string): {
  perCall: PipelinePolicy;
  perRetry: PipelinePolicy;
} {
  const attempts = new WeakMap<PipelineRequest, number>();
  const verbose = level === 'verbose';
  const debug = level === 'debug' || verbose;
  const write = contextualWriter(logger, context);
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
        if (verbose) write('verbose', `${request.method} ${redactUrl(request.url)} attempt ${attempt} request headers ${formatHeaders(request)}`);
        let response: PipelineResponse;
        try {
          response = await next(request);
        } catch (error) {
          write('warn', `${describeCall(request, `failed: ${describeError(error)}`, started, attempt)}; the retry policy may try again`);
          throw error;
        }
        if (verbose) write('verbose', `${request.method} ${redactUrl(request.url)} attempt ${attempt} response headers ${formatHeaders(response)}`);
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
  const query = [...parsed.searchParams].map(([name, value]) => `${name}=${name === 'api-version' ? value : 'REDACTED'}`);
  return `${parsed.origin}${parsed.pathname}${query.length ? `?${query.join('&')}` : ''}`;
}

function formatHeaders(message: PipelineRequest | PipelineResponse): string {
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headers) headers[name] = SECRET_HEADER.test(name) ? 'REDACTED' : value;
  return JSON.stringify(headers);
}

/** Error text without anything that could carry the request (and its Authorization header). */
function describeError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return [typeof code === 'string' ? code : undefined, typeof message === 'string' ? message : String(error)].filter(Boolean).join(' ');
}
