import type { INestApplication, Provider } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { WebPubSubClient, type OnServerDataMessageArgs } from '@azure/web-pubsub-client';
import { WebPubSubModule, WebPubSubService } from '../../../lib/index.js';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import type { HubSettings } from '../../../lib/emulator/emulator.options.js';
import { waitFor } from '../../support/wait-for.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { freePort } from '../../support/free-port.js';
import { acceptEveryEventBody } from '../../support/event-bodies.js';

export type AdapterKind = 'express' | 'fastify';
export const ADAPTERS: AdapterKind[] = ['express', 'fastify'];

export { CapturingLogger };

export interface StackOptions {
  adapter: AdapterKind;
  /** Hubs whose events go to the app; `template` is appended to the app's base URL. */
  hubs: Record<string, { template: string; userEventPattern?: string }>;
  providers: Provider[];
  /** The module's `eventsPath` extra (default route `/eventhandler` when omitted). */
  eventsPath?: string;
  /** The module's default hub (for tokens and REST calls). */
  hub: string;
}

/** One emulator + one Nest app serving the upstream route on a pre-picked port, and the clients opened against them. */
export class Stack {
  private readonly clients: WebPubSubClient[] = [];

  private constructor(readonly emulator: WebPubSubEmulator, readonly app: INestApplication, readonly logs: CapturingLogger) {}

  static async start(options: StackOptions): Promise<Stack> {
    const port = await freePort();
    const hubs: Record<string, HubSettings> = {};
    for (const [hub, { template, userEventPattern }] of Object.entries(options.hubs)) {
      hubs[hub] = {
        eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}${template}`, userEventPattern: userEventPattern ?? '*', systemEvents: ['connect', 'connected', 'disconnected'] }],
      };
    }
    // No retries: a failing non-blocking event should surface at once, not after seconds.
    const emulator = await WebPubSubEmulator.start({ hubs, upstreamRetryDelaysMs: [] });
    const logs = new CapturingLogger();
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [WebPubSubModule.forRoot({ connectionString: emulator.connectionString, hub: options.hub, httpLogging: 'off', eventsPath: options.eventsPath })],
        providers: options.providers,
      }).compile();
      const app: INestApplication =
        options.adapter === 'fastify' ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: logs }) : moduleRef.createNestApplication({ logger: logs });
      acceptEveryEventBody(app, options.eventsPath);
      await app.init();
      if (options.adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
      await app.listen(port, '127.0.0.1');
      return new Stack(emulator, app, logs);
    } catch (error) {
      await emulator.stop();
      throw error;
    }
  }

  get service(): WebPubSubService {
    return this.app.get(WebPubSubService);
  }

  /** An official client with a token for `hub` (the default hub when omitted); not started. */
  async client(options: { userId?: string; roles?: string[]; hub?: string } = {}): Promise<TestClient> {
    const service = options.hub ? this.service.hub(options.hub) : this.service;
    const { url } = await service.getClientAccessToken({ userId: options.userId, roles: options.roles });
    const client = new WebPubSubClient(url, {
      keepAliveIntervalInMs: 0,
      keepAliveTimeoutInMs: 0,
      autoReconnect: false,
      // A rejected send or join fails at once instead of after the SDK's retries.
      messageRetryOptions: { maxRetries: 0 },
    });
    this.clients.push(client);
    return new TestClient(client);
  }

  errorLines(): string[] {
    return this.logs.lines.filter((line) => line.level === 'error').map((line) => line.message);
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.stop();
    await this.app.close();
    await this.emulator.stop();
  }
}

/** What a started client has seen: server messages, group messages, its connected/disconnected events. */
export class TestClient {
  readonly server: OnServerDataMessageArgs['message'][] = [];
  readonly group: Array<{ group: string; data: unknown }> = [];
  userId?: string;
  connectionId?: string;
  disconnected?: string;

  constructor(readonly client: WebPubSubClient) {
    client.on('server-message', (event) => this.server.push(event.message));
    client.on('group-message', (event) => this.group.push({ group: event.message.group, data: event.message.data }));
    client.on('connected', (event) => {
      this.userId = event.userId;
      this.connectionId = event.connectionId;
    });
    client.on('disconnected', (event) => {
      this.disconnected = event.message?.message ?? '';
    });
  }

  async start(): Promise<this> {
    await this.client.start();
    await waitFor(() => this.connectionId, 'the connected event');
    return this;
  }

  /** Waits for the n-th (1-based) server message and returns it. */
  async serverMessage(n: number, what: string): Promise<OnServerDataMessageArgs['message']> {
    return waitFor(() => this.server[n - 1], what);
  }

  stop(): void {
    this.client.stop();
  }
}
