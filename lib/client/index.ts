export { WebPubSubRestClient } from './rest-client.js';
export { WebPubSubGroupClient } from './group-client.js';
export { WebPubSubTransport, WEB_PUBSUB_SCOPE } from './rest-transport.js';
export { WebPubSubArgumentError, WebPubSubRestError, type WebPubSubErrorDetails } from './client.errors.js';
export { odata } from './odata.js';
export { parseConnectionString, formatConnectionString, type ParsedConnectionString } from './connection-string.js';
export {
  toMessagePayload,
  MAX_MESSAGE_BYTES,
  type JSONTypes,
  type MessageContentType,
  type MessagePayload,
} from './message-payload.js';
export { clientPath, type ClientTokenResponse, type WebPubSubClientProtocol } from './client-access-token.js';
export type { PagedAsyncIterableIterator, PageSettings } from './paging.js';
export {
  HUB_NAME_PATTERN,
  MAX_GROUP_NAME_LENGTH,
  MAX_MESSAGE_TTL_SECONDS,
  type Permission,
} from '../protocol/rules.js';
export { DEFAULT_API_VERSION, formatQuery, parseQuery, type WebPubSubRequest } from './web-pubsub-request.js';
export type { RequestContext } from './request-context.js';
export * from './request-builders.js';
export type * from './client.options.js';
export { SDK_NAME, SDK_VERSION } from './version.js';
export { captureActiveTracingContext, linkedTracingOptions } from './client.tracing.js';
