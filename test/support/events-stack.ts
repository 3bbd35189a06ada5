import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { INestApplication, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebPubSubModule, WebPubSubService, type GenerateClientTokenOptions } from '../../lib/index.js';
import { WebPubSubEmulator, type GroupPresenceEventSettings, type HubSettings } from '../../lib/emulator/index.js';
import { WebPubSubTestClient } from '../../lib/testing/index.js';
import { CapturingLogger } from './capturing-logger.js';
import { acceptEveryEventBody } from './event-bodies.js';
import { freePort } from './free-port.js';
import { createAdapterApp, initAdapterApp, type AdapterName } from './http-adapters.js';
import { startOfficialClient, type OfficialClient } from './official-client.js';

export interface EventsStackOptions {
  adapter: AdapterName;
  /** Hubs whose events go to the app; `template` is appended to the app's base URL. */
  hubs: Record<
    string,
    { template: string; userEventPattern?: string; groupPresenceEvents?: GroupPresenceEventSettings }
  >;
  providers: Provider[];
  /** The module's `eventsPath` (default route `/eventhandler` when omitted). */
  eventsPath?: string;
  /** The module's default hub (for tokens and REST calls). */
  hub: string;
  /** The emulator's upstream timeout (ms), for tests of events the service gives up on. */
  upstreamTimeoutMs?: number;
}

/** Which token a client connects with: the default hub's unless `hub` names another. */
export type ClientToken = Pick<GenerateClientTokenOptions, 'userId' | 'roles'> & { hub?: string };

/**
 * One emulator and one Nest app whose event route it calls (on a port picked before the emulator
 * starts, so the hubs' URL templates can name it), and the clients connected through them.
 */
export class EventsStack {
  emulator!: WebPubSubEmulator;
  app!: INestApplication;
  readonly logs = new CapturingLogger();
  private readonly clients: Array<{ close(): Promise<void> }> = [];

  constructor(private readonly options: EventsStackOptions) {}

  async start(): Promise<this> {
    const port = await freePort();
    const hubs: Record<string, HubSettings> = {};
    for (const [hub, { template, userEventPattern, groupPresenceEvents }] of Object.entries(this.options.hubs)) {
      hubs[hub] = {
        eventHandlers: [
          {
            urlTemplate: `http://127.0.0.1:${port}${template}`,
            userEventPattern: userEventPattern ?? '*',
            systemEvents: ['connect', 'connected', 'disconnected'],
            groupPresenceEvents,
          },
        ],
      };
    }
    // No retries: a failing non-blocking event should surface at once, not after seconds.
    this.emulator = await WebPubSubEmulator.start({
      hubs,
      upstreamRetryDelaysMs: [],
      upstreamTimeoutMs: this.options.upstreamTimeoutMs,
    });
    try {
      const { hub, eventsPath, providers, adapter } = this.options;
      const moduleRef = await Test.createTestingModule({
        imports: [
          WebPubSubModule.forRoot({
            connectionString: this.emulator.connectionString,
            hub,
            httpLogging: 'off',
            eventsPath,
          }),
        ],
        providers,
      }).compile();
      this.app = createAdapterApp(moduleRef, adapter, { logger: this.logs });
      acceptEveryEventBody(this.app);
      await initAdapterApp(this.app);
      await this.app.listen(port, '127.0.0.1');
    } catch (error) {
      await this.emulator.stop();
      throw error;
    }
    return this;
  }

  get service(): WebPubSubService {
    return this.app.get(WebPubSubService);
  }

  /** The library's test client, connected with a token for `token.hub` (default: the module's hub). */
  async connect(token: ClientToken = {}): Promise<WebPubSubTestClient> {
    const { hub, ...options } = token;
    const client = await WebPubSubTestClient.connect(hub ? this.service.hub(hub) : this.service, options);
    this.clients.push(client);
    return client;
  }

  /** The official client instead, for what only it shows (its `disconnected` event); no reconnecting. */
  async connectOfficial(token: ClientToken = {}): Promise<OfficialClient> {
    const { hub, ...options } = token;
    const { url } = await (hub ? this.service.hub(hub) : this.service).getClientAccessToken(options);
    const client = await startOfficialClient(url, { autoReconnect: false });
    this.clients.push({ close: () => client.stop() });
    return client;
  }

  /** Error lines the app logged. */
  errorLines(): string[] {
    return this.logs.lines.filter((line) => line.level === 'error').map((line) => line.message);
  }

  /** Closes the clients connected so far. */
  async closeClients(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }

  async close(): Promise<void> {
    await this.closeClients();
    await this.app?.close();
    await this.emulator?.stop();
  }
}

/** An EventsStack for the enclosing describe block: started before it, each test's clients closed after the test. */
export function useEventsStack(options: EventsStackOptions): EventsStack {
  const stack = new EventsStack(options);
  beforeAll(() => stack.start());
  afterEach(() => stack.closeClients());
  afterAll(() => stack.close());
  return stack;
}
