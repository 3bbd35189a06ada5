export { WebPubSubEmulator, type EmulatorConnectionInfo } from './emulator.js';
export type { WebPubSubEmulatorOptions, HubSettings, EventHandlerSettings, SystemEventName, GroupPresenceEventName, GroupPresenceEventSettings, EmulatorLogger } from './emulator.options.js';
export type { Delivery } from './hub-state.js';
export type { MessageSource } from './client-connection.js';
export type { RestFault, FaultInjector } from './fault-injector.js';
export type { RestCallRecord } from './rest-api.js';
export { parseODataFilter, ODataFilterError, type FilterSubject, type FilterPredicate } from './odata-filter.js';
/** How the emulator signs upstream events (`ce-signature`), for tests that forge or check one. */
export { signatureHeader } from '../protocol/upstream-signature.js';
