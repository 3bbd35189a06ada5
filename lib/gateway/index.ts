/**
 * nestjs-web-pubsub/gateway: run `@WebSocketGateway` classes on Azure Web PubSub. A separate entry,
 * so apps without gateways never load this (nor need @nestjs/websockets).
 */
export { WebPubSubAdapter } from './web-pubsub.adapter.js';
export { WebPubSubServer, BroadcastOperator } from './web-pubsub.server.js';
export { WebPubSubSocket } from './web-pubsub.socket.js';
export type { WebPubSubGatewayOptions } from './gateway.options.js';
export type { GatewayMessage } from './gateway.channel.js';
