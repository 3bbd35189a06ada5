import type { INestApplicationContext, WebSocketAdapter, WsMessageHandler } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { getWebPubSubContextToken, getWebPubSubToken } from '../core/web-pubsub.constants.js';
import type { WebPubSubInstanceContext } from '../core/web-pubsub.context.js';
import type { WebPubSubService } from '../core/web-pubsub.service.js';
import { eventConsumersToken, type EventConsumers } from '../events/events.consumers.js';
import type { BoundHandler } from '../events/events.explorer.js';
import type { ConnectRequest, UserEventRequest } from '../events/events.types.js';
import { guardHandleConnection } from './nest-binds-handlers-only-on-connection.patch.js';
import { HubChannel } from './gateway.channel.js';
import { MAX_SOCKETS_PER_HUB } from './gateway.constants.js';
import { HubBinding } from './gateway.hub-binding.js';
import { GatewayMessages } from './gateway.messages.js';
import { checkTogether, hubKey, scanGateways, type GatewayDeclaration } from './gateway.scan.js';
import { WebPubSubServer } from './web-pubsub.server.js';
import type { WebPubSubSocket } from './web-pubsub.socket.js';

/**
 * Runs `@WebSocketGateway` classes on Azure Web PubSub: `app.useWebSocketAdapter(new WebPubSubAdapter(app))`.
 * Clients connect to the service; their events reach the app through the module's event route
 * (same checks as `@WebPubSubEventHandler` classes get), and each gateway is one more consumer of
 * its hub's events. Nothing listens on a port of its own.
 */
export class WebPubSubAdapter implements WebSocketAdapter<WebPubSubServer, WebPubSubSocket> {
  private gateways?: GatewayDeclaration[];
  private readonly hubs = new Map<string, { server: WebPubSubServer; binding: HubBinding }>();
  private readonly bindings = new WeakMap<WebPubSubServer, HubBinding>();

  constructor(private readonly app: INestApplicationContext) {}

  /** Called by Nest once per port and path: returns the server of the gateway's (instance, hub). */
  create(port: number, options: Record<string, unknown> = {}): WebPubSubServer {
    const gateways = this.prepare();
    const gateway = gateways.find((candidate) => candidate.port === port && candidate.path === options.path);
    // Nest reads the same metadata to call create(), so a gateway matches; the lookup is by hub otherwise.
    if (!gateway) throw new Error(GatewayMessages.noHub('A @WebSocketGateway'));
    return this.hubFor(gateway).server;
  }

  bindClientConnect(server: WebPubSubServer, callback: (...args: unknown[]) => unknown): void {
    this.bindings.get(server)?.addConnectionCallback(callback);
  }

  bindClientDisconnect(client: WebPubSubSocket, callback: (reason?: string) => void): void {
    this.bindingOf(client)?.bindDisconnect(client, callback);
  }

  bindMessageHandlers(
    client: WebPubSubSocket,
    handlers: WsMessageHandler[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    this.bindingOf(client)?.bindMessageHandlers(client, handlers, transform);
  }

  /**
   * Connections belong to the service: closing the app closes none of them. Their Observable
   * replies end, and the gateway sends already started get what is left of `broadcast.shutdownTimeoutInMs` (one bound for all of app.close()) to finish.
   */
  async close(server: WebPubSubServer): Promise<void> {
    await this.bindings.get(server)?.close();
  }

  dispose(): void {}

  /** Once, before Nest subscribes the first gateway: check them all, and guard handleConnection (nest-binds-handlers-only-on-connection.patch.ts). */
  private prepare(): GatewayDeclaration[] {
    if (this.gateways) return this.gateways;
    const gateways = scanGateways(this.app);
    checkTogether(gateways);
    for (const gateway of gateways) {
      this.contextOf(gateway);
      if (gateway.isStatic)
        guardHandleConnection(gateway.instance, (client, method, error) =>
          this.bindingOf(client)?.callbackFailed(client as WebPubSubSocket, gateway.type.name, method, error),
        );
    }
    return (this.gateways = gateways);
  }

  private hubFor(gateway: GatewayDeclaration): { server: WebPubSubServer; binding: HubBinding } {
    const key = hubKey(gateway);
    let hub = this.hubs.get(key);
    if (hub) return hub;
    const context = this.contextOf(gateway);
    const consumers = this.consumersOf(gateway);
    const service = this.app.get<WebPubSubService>(getWebPubSubToken(gateway.webPubSubInstance), { strict: false });
    const sameHub = this.gateways!.filter((other) => hubKey(other) === key);
    const bounds = sameHub.flatMap((other) => (other.maxSockets === undefined ? [] : [other.maxSockets]));
    const channel = new HubChannel(service, context.client.hub(gateway.hub), context);
    const binding = new HubBinding(channel, bounds.length > 0 ? Math.max(...bounds) : MAX_SOCKETS_PER_HUB);
    const server = new WebPubSubServer(channel);
    hub = { server, binding };
    this.hubs.set(key, hub);
    this.bindings.set(server, binding);
    for (const other of sameHub)
      if (other.port !== 0) context.log('warn', GatewayMessages.portIgnored(other.type.name, other.port));
    consumers.add(consumerOf(gateway.hub, sameHub, binding));
    return hub;
  }

  private bindingOf(client: object): HubBinding | undefined {
    for (const { binding } of this.hubs.values()) if (binding.owns(client)) return binding;
    return undefined;
  }

  private contextOf(gateway: GatewayDeclaration): WebPubSubInstanceContext {
    try {
      return this.app.get<WebPubSubInstanceContext>(getWebPubSubContextToken(gateway.webPubSubInstance), {
        strict: false,
      });
    } catch {
      if (!this.hasAnyInstance()) throw new Error(GatewayMessages.noModule());
      throw new Error(GatewayMessages.unknownInstance(gateway.type.name, gateway.webPubSubInstance));
    }
  }

  private consumersOf(gateway: GatewayDeclaration): EventConsumers {
    try {
      return this.app.get<EventConsumers>(eventConsumersToken(gateway.webPubSubInstance), { strict: false });
    } catch {
      throw new Error(GatewayMessages.noEventRoute(gateway.type.name, gateway.webPubSubInstance));
    }
  }

  private hasAnyInstance(): boolean {
    try {
      this.app.get(getWebPubSubContextToken(), { strict: false });
      return true;
    } catch {
      return false;
    }
  }
}

/** The hub's gateways as one consumer of its upstream events. */
function consumerOf(hub: string, gateways: GatewayDeclaration[], binding: HubBinding) {
  const names = gateways.map((gateway) => gateway.type.name).join(', ');
  const user = new Map<string, BoundHandler<UserEventRequest>>();
  for (const gateway of gateways) {
    for (const message of gateway.messages)
      user.set(message, {
        name: `${gateway.type.name} @SubscribeMessage('${message}')`,
        run: (event, state, request) => binding.dispatch(event, state, request),
      });
  }
  const withConnect = gateways.find((gateway) => gateway.connectMethod);
  const connect: BoundHandler<ConnectRequest> | undefined = withConnect && {
    name: `${withConnect.type.name}.${withConnect.connectMethod}`,
    run: (event, state) =>
      (withConnect.instance[withConnect.connectMethod!] as (...args: unknown[]) => unknown).call(
        withConnect.instance,
        event,
        state,
      ),
  };
  return {
    hub,
    name: names,
    connect,
    connected: {
      name: `${names} handleConnection`,
      run: (event: Parameters<HubBinding['connected']>[0]) => binding.connected(event),
    },
    disconnected: {
      name: `${names} handleDisconnect`,
      run: (event: Parameters<HubBinding['disconnected']>[0]) => binding.disconnected(event),
    },
    user,
    otherUserEvents: {
      name: `${names} (no @SubscribeMessage)`,
      run: (event: UserEventRequest) => binding.unknown(event),
    },
  };
}
