import type { INestApplicationContext, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DEFAULT_WEBPUBSUB_INSTANCE } from '../core/web-pubsub.constants.js';
import { EVENT_HANDLER_METHOD } from '../events/events.constants.js';
import type { EventHandlerMethod } from '../events/events.decorators.js';
import { isHubName } from '../protocol/rules.js';
import {
  GATEWAY_METADATA,
  GATEWAY_OPTIONS,
  MESSAGE_MAPPING_METADATA,
  MESSAGE_METADATA,
  PORT_METADATA,
} from './gateway.constants.js';
import { GatewayMessages } from './gateway.messages.js';

/** One `@WebSocketGateway` class of the app, as the adapter needs it. */
export interface GatewayDeclaration {
  type: Type;
  instance: Record<string, unknown>;
  isStatic: boolean;
  port: number;
  path?: string;
  hub: string;
  webPubSubInstance: string;
  /** Its `@SubscribeMessage` names. */
  messages: string[];
  /** The method with the library's `@OnConnect()`, if any. */
  connectMethod?: string;
  /** `maxSockets` of its options, checked. */
  maxSockets?: number;
}

/**
 * Every gateway of the app, read from Nest's module container before Nest connects the first one,
 * so the adapter can check them all at once and knows each hub's message names before any event.
 */
export function scanGateways(app: INestApplicationContext): GatewayDeclaration[] {
  const gateways: GatewayDeclaration[] = [];
  const seen = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype as Type | undefined;
      if (!type || typeof type !== 'function' || seen.has(wrapper) || !Reflect.getMetadata(GATEWAY_METADATA, type))
        continue;
      seen.add(wrapper);
      gateways.push(declarationOf(type, wrapper.instance as Record<string, unknown>, wrapper.isDependencyTreeStatic()));
    }
  }
  return gateways;
}

export function declarationOf(type: Type, instance: Record<string, unknown>, isStatic: boolean): GatewayDeclaration {
  const options = (Reflect.getMetadata(GATEWAY_OPTIONS, type) ?? {}) as {
    hub?: unknown;
    instance?: unknown;
    path?: string;
    maxSockets?: unknown;
  };
  const { maxSockets } = options;
  if (maxSockets !== undefined && !(Number.isSafeInteger(maxSockets) && (maxSockets as number) >= 1))
    throw new Error(GatewayMessages.invalidMaxSockets(type.name, maxSockets));
  if (options.hub === undefined) throw new Error(GatewayMessages.noHub(type.name));
  if (!isHubName(options.hub)) throw new Error(GatewayMessages.invalidHub(type.name, options.hub));
  const messages: string[] = [];
  let connectMethod: string | undefined;
  for (const name of methodNames(type.prototype)) {
    const method = type.prototype[name] as object;
    if (Reflect.getMetadata(MESSAGE_MAPPING_METADATA, method))
      messages.push(String(Reflect.getMetadata(MESSAGE_METADATA, method)));
    const declared = Reflect.getMetadata(EVENT_HANDLER_METHOD, method) as EventHandlerMethod | undefined;
    if (declared?.kind === 'connect') connectMethod = name;
  }
  return {
    type,
    instance,
    isStatic,
    port: Number(Reflect.getMetadata(PORT_METADATA, type) ?? 0),
    path: options.path,
    hub: options.hub,
    webPubSubInstance: typeof options.instance === 'string' ? options.instance : DEFAULT_WEBPUBSUB_INSTANCE,
    messages,
    connectMethod,
    maxSockets: maxSockets as number | undefined,
  };
}

/** The problems Web PubSub has with the gateways taken together: two hubs on one Nest server, two connect answers. */
export function checkTogether(gateways: readonly GatewayDeclaration[]): void {
  const byServer = new Map<string, GatewayDeclaration>();
  const connectByHub = new Map<string, GatewayDeclaration>();
  for (const gateway of gateways) {
    const key = `${gateway.port}\u0000${gateway.path ?? ''}`;
    const other = byServer.get(key);
    if (other && hubKey(other) !== hubKey(gateway))
      throw new Error(GatewayMessages.sharedServer(other.type.name, gateway.type.name, other.hub, gateway.hub));
    byServer.set(key, gateway);
    if (gateway.connectMethod) {
      const first = connectByHub.get(hubKey(gateway));
      if (first) throw new Error(GatewayMessages.twoConnectHandlers(gateway.hub, first.type.name, gateway.type.name));
      connectByHub.set(hubKey(gateway), gateway);
    }
    if (!gateway.isStatic && typeof gateway.type.prototype.handleConnection === 'function')
      throw new Error(GatewayMessages.requestScopedConnection(gateway.type.name));
  }
}

/** Gateways of one (instance, hub) share one server; hubs compare case-insensitively, as the service does. */
export function hubKey(gateway: Pick<GatewayDeclaration, 'webPubSubInstance' | 'hub'>): string {
  return `${gateway.webPubSubInstance}\u0000${gateway.hub.toLowerCase()}`;
}

function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (let current = prototype; current && current !== Object.prototype; current = Object.getPrototypeOf(current)) {
    for (const name of Object.getOwnPropertyNames(current)) {
      if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(current, name)?.value === 'function')
        names.add(name);
    }
  }
  return [...names];
}
