export { WebPubSubEmulator, type EmulatorConnectionInfo } from './emulator.js';
export type { WebPubSubEmulatorOptions, HubSettings, EventHandlerSettings, SystemEventName, EmulatorLogger } from './emulator.options.js';
export type { Delivery } from './hub-state.js';
export type { MessageSource } from './client-connection.js';
export type { RestFault, FaultInjector } from './fault-injector.js';
export type { RestCallRecord } from './rest-api.js';
export { parseODataFilter, ODataFilterError, type FilterSubject, type FilterPredicate } from './odata-filter.js';
export { signatureHeader } from './upstream.js';
