import type { HttpMethods, RequestBodyType } from '@azure/core-rest-pipeline';

/** The api-version every builder uses unless told otherwise. */
export const DEFAULT_API_VERSION = '2024-12-01';

/**
 * One REST call, described but not sent: what a `build…Request` function returns and
 * `WebPubSubRestClient.sendRequest` runs through the pipeline.
 */
export interface WebPubSubRequest {
  /** The REST operation, in the SDK's naming (`sendToAll`, `addConnectionToGroup`, …); used in logs and errors. */
  operation: string;
  method: HttpMethods;
  /** Path below the endpoint, already percent-encoded, e.g. `/api/hubs/chat/groups/room%201/:send`. */
  path: string;
  /** Query parameters in order, not yet encoded; repeated keys for arrays (`excluded=a&excluded=b`). */
  query: Array<[name: string, value: string]>;
  headers: Record<string, string>;
  body?: RequestBodyType;
  /** The statuses that mean success (e.g. 202 for sends; 200 and 404 for existence checks). */
  expectedStatus: readonly number[];
}

/** Options every builder accepts. */
export interface RequestBuilderOptions {
  /** Defaults to `2024-12-01`. */
  apiVersion?: string;
}

/**
 * Encodes a query like core-client followed by WHATWG URL serialisation does (the official SDK's
 * path): `encodeURIComponent`, plus `'` as `%27`. The JWT audience is the exact URL, so this must
 * match byte for byte.
 */
export function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(/'/g, '%27');
}

export function formatQuery(query: WebPubSubRequest['query']): string {
  let text = '';
  for (const [name, value] of query) {
    text += `${text ? '&' : '?'}${encodeQueryComponent(name)}=${encodeQueryComponent(value)}`;
  }
  return text;
}

/**
 * Splits a URL's query into decoded pairs without treating `+` as a space (unlike
 * URLSearchParams), so opaque tokens such as a `continuationToken` survive a round trip.
 */
export function parseQuery(search: string): WebPubSubRequest['query'] {
  const query: WebPubSubRequest['query'] = [];
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const separator = part.indexOf('=');
    const name = separator < 0 ? part : part.slice(0, separator);
    const value = separator < 0 ? '' : part.slice(separator + 1);
    query.push([decodeURIComponent(name), decodeURIComponent(value)]);
  }
  return query;
}
