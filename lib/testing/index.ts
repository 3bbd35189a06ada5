/**
 * nestjs-web-pubsub/testing: what a test of your own app needs besides Nest's testing module. The
 * emulator stands in for Web PubSub; the test client stands in for a browser.
 */
export { WebPubSubEmulator } from '../emulator/index.js';
export type { WebPubSubEmulatorOptions, Delivery, RestFault, RestCallRecord } from '../emulator/index.js';
export { WebPubSubTestClient, type ReceivedMessage, type TestClientDataType, type ClientAccessUrlSource } from './test-client.js';
