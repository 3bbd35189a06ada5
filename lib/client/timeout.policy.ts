import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { ClientMessages } from './client.messages.js';

/** What `timeoutInMs` is when not given: a service that accepts and never answers ends a call here. */
export const DEFAULT_TIMEOUT_IN_MS = 30_000;
/** The `code` of the RestError a timed-out attempt ends with. */
export const REQUEST_TIMEOUT_CODE = 'REQUEST_TIMEOUT';

/**
 * Bounds each attempt (headers and body) by the request's `timeout`. Our own timer rather than the
 * HTTP client's: that one stops at the headers, is left running when the connection fails, and ends
 * in a bare AbortError. The error thrown is a RestError the retry policy does not retry, as the
 * Azure SDK does not retry its timeouts: the service may have carried the request out.
 */
export function attemptTimeoutPolicy(): PipelinePolicy {
  return {
    name: 'webPubSubAttemptTimeoutPolicy',
    async sendRequest(request, next) {
      const timeout = request.timeout;
      const outer = request.abortSignal;
      if (!(timeout > 0) || outer?.aborted) return next(request);
      const controller = new AbortController();
      const forward = () => controller.abort();
      outer?.addEventListener('abort', forward, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeout);
      // This attempt runs on our signal; the HTTP client must not start a timer of its own.
      request.abortSignal = controller.signal;
      request.timeout = 0;
      try {
        return await next(request);
      } catch (error) {
        if (timedOut) throw new RestError(ClientMessages.requestTimedOut(timeout), { code: REQUEST_TIMEOUT_CODE });
        throw error;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', forward);
        request.abortSignal = outer;
        request.timeout = timeout;
      }
    },
  };
}
