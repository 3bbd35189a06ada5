import { randomUUID } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsAdapter } from '@nestjs/platform-ws';
import { WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import WebSocket, { type WebSocketServer } from 'ws';
import {
  getWebPubSubToken,
  WebPubSubModule,
  type WebPubSubModuleExtras,
  type WebPubSubModuleOptions,
  type WebPubSubService,
} from '../../lib/index.js';
import { WebPubSubEmulator, type WebPubSubEmulatorOptions } from '../../lib/emulator/index.js';
import { WebPubSubAdapter } from '../../lib/gateway/index.js';
import { CapturingLogger } from './capturing-logger.js';
import { acceptEveryEventBody } from './event-bodies.js';
import { freePort } from './free-port.js';
import { createAdapterApp, initAdapterApp, type AdapterName } from './http-adapters.js';
import { startOfficialClient, type OfficialClient } from './official-client.js';
import { waitFor } from './wait-for.js';

/** A gateway message as both adapters deliver it. */
export interface Frame {
  event: string;
  data: unknown;
}

/** One connected client, whichever adapter serves it. */
export interface DriverClient {
  /** Every `{ event, data }` the client received, in order. */
  readonly frames: Frame[];
  /** Sends an event and resolves with the first frame named `reply` or `exception` that arrives after it. */
  request(event: string, data: unknown, reply: string): Promise<Frame & { rejected?: unknown }>;
  close(): Promise<void>;
}

/** Runs a gateway class on one adapter and connects clients to it. */
export interface GatewayDriver {
  readonly name: string;
  readonly logs: CapturingLogger;
  start(gateway: Type): Promise<void>;
  connect(userId: string): Promise<DriverClient>;
  stop(): Promise<void>;
}

/**
 * Nest's `ws` adapter with socket.io-style rooms (an id, join/leave on clients, `to(room).except(id)
 * .emit` on the server, kept in memory), the shape a portable gateway codes against.
 */
class RoomsWsAdapter extends WsAdapter {
  private readonly rooms = new Map<string, Set<WebSocket & { id: string }>>();

  override create(port: number, options?: Record<string, unknown>): WebSocketServer {
    const server = super.create(port, options) as WebSocketServer & Record<string, unknown>;
    const operator = (room: string, excluded: string[]): unknown => ({
      except: (id: string) => operator(room, [...excluded, id]),
      emit: (event: string, data: unknown) => {
        for (const client of this.rooms.get(room) ?? [])
          if (!excluded.includes(client.id)) client.send(JSON.stringify({ event, data }));
      },
    });
    server.to = (room: string) => operator(room, []);
    return server;
  }

  override bindClientConnect(server: WebSocketServer, callback: (...args: unknown[]) => void): void {
    server.on('connection', (client: WebSocket & Record<string, unknown>, request: unknown) => {
      const socket = client as unknown as WebSocket & { id: string };
      socket.id = randomUUID();
      client.join = (room: string) => this.rooms.set(room, (this.rooms.get(room) ?? new Set()).add(socket));
      client.leave = (room: string) => this.rooms.get(room)?.delete(socket);
      client.on('close', () => this.rooms.forEach((members) => members.delete(socket)));
      callback(client, request);
    });
  }
}

function awaitFrame(frames: Frame[], from: number, reply: string): Promise<Frame> {
  return waitFor(
    () => frames.slice(from).find((frame) => frame.event === reply || frame.event === 'exception'),
    `a "${reply}" or "exception" frame`,
  );
}

export class WsDriver implements GatewayDriver {
  readonly name = 'ws (WsAdapter)';
  readonly logs = new CapturingLogger();
  private app?: INestApplication;
  private port = 0;
  private readonly clients: DriverClient[] = [];

  async start(gateway: Type): Promise<void> {
    const moduleRef = await Test.createTestingModule({ providers: [gateway] }).compile();
    this.app = moduleRef.createNestApplication({ logger: this.logs });
    this.app.useWebSocketAdapter(new RoomsWsAdapter(this.app));
    this.port = await freePort();
    await this.app.listen(this.port, '127.0.0.1');
  }

  async connect(): Promise<DriverClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${this.port}`);
    const frames: Frame[] = [];
    socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as Frame));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const client: DriverClient = {
      frames,
      request: async (event, data, reply) => {
        const from = frames.length;
        socket.send(JSON.stringify({ event, data }));
        return awaitFrame(frames, from, reply);
      },
      close: async () => {
        if (socket.readyState === WebSocket.CLOSED) return;
        socket.close();
        await new Promise((resolve) => socket.once('close', resolve));
      },
    };
    this.clients.push(client);
    return client;
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
    await this.app?.close();
  }
}

/** The same gateway on WebPubSubAdapter, behind the embedded emulator, with official clients. */
export class WebPubSubDriver implements GatewayDriver {
  readonly logs = new CapturingLogger();
  emulator?: WebPubSubEmulator;
  app?: INestApplication;
  private readonly clients: OfficialClient[] = [];

  /** `moduleOptions` add to (or override) what WebPubSubModule.forRoot gets. */
  constructor(
    private readonly http: AdapterName = 'express',
    private readonly moduleOptions: Partial<WebPubSubModuleOptions> & WebPubSubModuleExtras = {},
    /** Adds to (or overrides) what the emulator starts with (by default: no upstream retries). */
    private readonly emulatorOptions: Partial<WebPubSubEmulatorOptions> = {},
  ) {}

  get name(): string {
    return `Web PubSub (WebPubSubAdapter, ${this.http})`;
  }

  /** The service of the module instance the driver registers (`moduleOptions.name`, else the default). */
  get service(): WebPubSubService {
    return this.app!.get<WebPubSubService>(getWebPubSubToken(this.moduleOptions.name));
  }

  private get eventsPath(): string {
    return typeof this.moduleOptions.eventsPath === 'string' ? this.moduleOptions.eventsPath : '/eventhandler';
  }

  /** `others`: more providers beside the gateway (event handler classes, other gateways). */
  async start(gateway: Type, ...others: Type[]): Promise<void> {
    const port = await freePort();
    this.emulator = await WebPubSubEmulator.start({
      hubs: {
        chat: {
          eventHandlers: [
            {
              urlTemplate: `http://127.0.0.1:${port}${this.eventsPath}`,
              userEventPattern: '*',
              systemEvents: ['connect', 'connected', 'disconnected'],
            },
          ],
        },
      },
      upstreamRetryDelaysMs: [],
      ...this.emulatorOptions,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WebPubSubModule.forRoot({
          connectionString: this.emulator.connectionString,
          hub: 'chat',
          httpLogging: 'off',
          ...this.moduleOptions,
        } as WebPubSubModuleOptions),
      ],
      providers: [gateway, ...others],
    }).compile();
    this.app = createAdapterApp(moduleRef, this.http, { logger: this.logs });
    this.app.useWebSocketAdapter(new WebPubSubAdapter(this.app));
    acceptEveryEventBody(this.app);
    await initAdapterApp(this.app);
    await this.app.listen(port, '127.0.0.1');
  }

  /** The DriverClient, and the official client under it (`official`). */
  async connect(userId: string): Promise<DriverClient & { official: OfficialClient }> {
    const { url } = await this.service.getClientAccessToken({ userId });
    const official = await startOfficialClient(url, { protocol: WebPubSubJsonProtocol(), autoReconnect: false });
    this.clients.push(official);
    const frames: Frame[] = [];
    official.client.on('server-message', ({ message }) => frames.push(message.data as Frame));
    official.client.on('group-message', ({ message }) => frames.push(message.data as Frame));
    return {
      official,
      frames,
      request: async (event, data, reply) => {
        const from = frames.length;
        let rejected: unknown;
        await official.client.sendEvent(event, data as never, 'json').catch((error: unknown) => (rejected = error));
        return { ...(await awaitFrame(frames, from, reply)), ...(rejected !== undefined && { rejected }) };
      },
      close: () => official.stop(),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.stop()));
    await this.app?.close();
    await this.emulator?.stop();
  }
}
