import type { PipelineResponse } from '@azure/core-rest-pipeline';
import type { FullOperationResponse, OperationOptions } from './client.options.js';

/** The content types core-client parses as JSON by default. */
const JSON_CONTENT_TYPES = ['application/json', 'text/json'];

/**
 * Calls `onResponse` as core-client's ServiceClient does: once, with the final response, its body
 * parsed into `parsedBody`, the flattened response (core-client's `flattenResponse` for the shapes
 * Web PubSub answers with: an object body is spread, an empty one is `{ body }`), and the error when
 * the operation will throw.
 */
export function notifyResponse(options: OperationOptions, response: PipelineResponse, error?: unknown): void {
  if (!options.onResponse) return;
  const full = response as FullOperationResponse;
  const isHead = response.request.method === 'HEAD';
  // A HEAD check's answer is its status: core-client stores it as a boolean body.
  full.parsedBody =
    isHead && error === undefined ? response.status >= 200 && response.status < 300 : parseBody(response);
  if (error === undefined) {
    options.onResponse(
      full,
      isPlainObject(full.parsedBody) && !isHead ? { ...full.parsedBody } : { body: full.parsedBody },
    );
    return;
  }
  // Error answers are read with the operation's error headers mapper, which keeps every header.
  const { 'x-ms-error-code': errorCode, ...headers } = response.headers.toJSON();
  full.parsedHeaders = errorCode === undefined ? headers : { ...headers, errorCode };
  const flat = isHead
    ? { ...full.parsedHeaders, body: full.parsedBody }
    : { ...full.parsedHeaders, ...(isPlainObject(full.parsedBody) ? full.parsedBody : {}) };
  options.onResponse(full, flat, error);
}

/** JSON when the content type says JSON or says nothing, as core-client's deserialization policy reads it. */
function parseBody(response: PipelineResponse): unknown {
  const text = response.bodyAsText;
  if (!text) return undefined;
  const contentType = (response.headers.get('content-type') ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (contentType[0] !== '' && !contentType.some((part) => JSON_CONTENT_TYPES.includes(part))) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
