/**
 * nestjs-web-pubsub: the public API. Every export is named here on purpose, so nothing internal
 * leaks by accident (api/nestjs-web-pubsub.api.md is its checked report). The request builders are
 * in `nestjs-web-pubsub/rest`, the emulator in `nestjs-web-pubsub/emulator`.
 */
export {
  WebPubSubRestClient,
  WebPubSubGroupClient,
  WebPubSubArgumentError,
  WebPubSubRestError,
  odata,
} from './client/index.js';
export type {
  WebPubSubRestClientOptions,
  OperationOptions,
  OperationRequestOptions,
  WebPubSubTracingOptions,
  FullOperationResponse,
  RawResponseCallback,
  HubSendToAllOptions,
  HubSendTextToAllOptions,
  HubSendToUserOptions,
  HubSendTextToUserOptions,
  HubSendToConnectionOptions,
  HubSendTextToConnectionOptions,
  SendWithContentTypeOptions,
  HubCloseConnectionOptions,
  HubCloseAllConnectionsOptions,
  HubCloseUserConnectionsOptions,
  HubGrantPermissionOptions,
  HubRevokePermissionOptions,
  HubHasPermissionOptions,
  GenerateClientTokenOptions,
  GroupSendToAllOptions,
  GroupSendTextToAllOptions,
  GroupCloseAllConnectionsOptions,
  GroupListConnectionsOptions,
  WebPubSubGroupMember,
  ClientTokenResponse,
  WebPubSubClientProtocol,
  PagedAsyncIterableIterator,
  PageSettings,
  Permission,
  JSONTypes,
  MessageContentType,
  WebPubSubErrorDetails,
} from './client/index.js';
export { WebPubSubModule } from './module/web-pubsub.module.js';
export { WebPubSubService } from './core/web-pubsub.service.js';
export { InjectWebPubSub } from './core/web-pubsub.decorators.js';
export { getWebPubSubToken } from './core/web-pubsub.constants.js';
export type {
  WebPubSubModuleOptions,
  WebPubSubModuleAsyncOptions,
  WebPubSubModuleExtras,
  WebPubSubOptionsFactory,
} from './module/web-pubsub-module.options.js';
export type { WebPubSubInstanceOptions, HttpLoggingLevel, BroadcastDefaults } from './core/web-pubsub.options.js';
export { BroadcastToHub, BroadcastToGroup, SendToUser, SendToConnection } from './broadcast/broadcast.decorators.js';
export { WebPubSubBroadcastInterceptor } from './broadcast/broadcast.interceptor.js';
export type {
  BroadcastContext,
  BroadcastOptions,
  GroupBroadcastOptions,
  BroadcastDelivery,
  BroadcastErrorMode,
  Resolvable,
} from './broadcast/broadcast.options.js';
export {
  WebPubSubEventHandler,
  OnConnect,
  OnConnected,
  OnUserEvent,
  OnDisconnected,
  OnGroupJoined,
  OnGroupLeft,
} from './events/events.decorators.js';
export { MqttConnectError } from './events/events.mqtt.js';
export type { EventHandlerOptions } from './events/events.decorators.js';
export type { WebPubSubEventsOptions } from './core/events.settings.js';
export type {
  WebPubSubEventContext,
  ConnectRequest,
  ConnectResponse,
  ConnectedEvent,
  DisconnectedEvent,
  UserEventRequest,
  ConnectionStateAccess,
  GroupJoinedRequest,
  GroupLeftRequest,
  MqttConnectionContextProperties,
  MqttConnectProperties,
  MqttUserProperty,
  MqttConnectErrorResponse,
  MqttDisconnectedProperties,
} from './events/events.types.js';
export { AzureKeyCredential } from '@azure/core-auth';
export type { TokenCredential } from '@azure/core-auth';
