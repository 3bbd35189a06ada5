import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';
import { assertHub } from './validation.js';
import { DEFAULT_API_VERSION } from './web-pubsub-request.js';

/** Data-plane versions are dates, optionally with a `-preview` suffix: `2024-12-01`, `2024-01-01-preview`. */
const API_VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/**
 * What every `build…Request` function takes first: the hub the operation acts on and the
 * data-plane api-version. `WebPubSubRestClient` and its group clients each hold one and pass it to
 * every builder; a caller of the builders passes its own, e.g. `{ hub: 'chat' }` or
 * `{ hub: 'chat', apiVersion: '2024-01-01' }`.
 *
 * A plain hub name is accepted in its place for compatibility: `'chat'` means `{ hub: 'chat' }`.
 */
export interface RequestContext {
  /** The hub the operation acts on (the service's hub-name rule applies). */
  hub: string;
  /** The data-plane api-version; `DEFAULT_API_VERSION` (`2024-12-01`) when left out. */
  apiVersion?: string;
}

/** A builder's first argument, checked and with the default api-version filled in. */
export function resolveContext(context: RequestContext | string): Required<RequestContext> {
  const { hub, apiVersion = DEFAULT_API_VERSION } =
    typeof context === 'object' && context !== null ? context : ({ hub: context } as RequestContext);
  assertHub(hub);
  assertApiVersion(apiVersion);
  return { hub, apiVersion };
}

export function assertApiVersion(apiVersion: unknown): asserts apiVersion is string {
  if (typeof apiVersion !== 'string' || !API_VERSION_PATTERN.test(apiVersion)) {
    throw new WebPubSubArgumentError('apiVersion', ClientMessages.apiVersionInvalid(apiVersion));
  }
}
