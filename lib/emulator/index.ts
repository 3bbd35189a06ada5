/**
 * nestjs-web-pubsub/emulator: a local Web PubSub-compatible server for apps and tests
 * (`WebPubSubEmulator.start(options?)`; the `web-pubsub-emulator` bin runs it
 * from a shell). The one entry point of the emulator.
 */
export { WebPubSubEmulator, type EmulatorConnectionInfo } from './emulator.js';
export type {
  WebPubSubEmulatorOptions,
  HubSettings,
  EventHandlerSettings,
  SystemEventName,
  GroupPresenceEventName,
  GroupPresenceEventSettings,
  EmulatorLogger,
} from './emulator.options.js';
export type { Delivery } from './hub-state.js';
export type { MessageSource } from './client-connection.js';
export type { RestFault, FaultInjector } from './fault-injector.js';
export type { RestCallRecord } from './rest-api.js';
