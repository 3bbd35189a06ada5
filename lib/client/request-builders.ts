/*
 * One builder per REST operation of api-version 2024-12-01, in the spirit of the Python SDK's
 * low-level `build_…_request` functions. Each takes a RequestContext first (`{ hub, apiVersion? }`,
 * or for compatibility a plain hub name), validates its input (so bad input fails before any
 * network call) and returns a WebPubSubRequest for `client.sendRequest`.
 */
export * from './request.options.js';
export * from './send.requests.js';
export * from './connection.requests.js';
export * from './group.requests.js';
export * from './permission.requests.js';
