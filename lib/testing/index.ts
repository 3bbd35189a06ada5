/**
 * nestjs-web-pubsub/testing: what a test of your own app needs besides Nest's testing module and the
 * emulator (`nestjs-web-pubsub/emulator`): a test client that stands in for a browser.
 */
export {
  WebPubSubTestClient,
  type ReceivedMessage,
  type TestClientDataType,
  type ClientAccessUrlSource,
} from './test-client.js';
