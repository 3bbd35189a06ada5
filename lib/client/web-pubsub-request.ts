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

/** Query strings are written and read by the protocol's rules (the JWT audience is the exact URL). */
export { formatQuery, parseQuery } from '../protocol/query.js';
