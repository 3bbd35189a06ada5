import { Injectable, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { isTokenCredential } from '@azure/core-auth';
import { parseConnectionString, WebPubSubRestClient, type WebPubSubRestClientOptions } from '../client/index.js';
import { BackgroundQueue } from './background-queue.js';
import type { LogWriter } from './nest-log-writer.js';
import type { WebPubSubSettings } from './webpubsub.settings.js';

/** What the service needs beyond the client: its instance name and what to stop at shutdown. */
export interface WebPubSubServiceInit {
  settings: WebPubSubSettings;
  /** The connection string of the embedded emulator, when `emulator` is set. */
  emulatorConnectionString?: string;
  clientOptions: WebPubSubRestClientOptions;
  /** Writes to the instance's logger (`logger` option) with the `WebPubSub` context; a no-op when `logger: false`. */
  log: LogWriter;
  /** Stops what the module started for this instance (the embedded emulator). */
  onShutdown?: () => Promise<void>;
}

/**
 * The injectable Web PubSub service of one module instance: every operation of
 * `WebPubSubRestClient` for the configured hub (`sendToAll`, `group(name)`, `getClientAccessToken`, …),
 * `hub(name)` for other hubs, and `client` for the raw client.
 *
 * @example
 * constructor(private readonly webPubSub: WebPubSubService) {}
 * await this.webPubSub.group('room1').sendToAll({ text: 'hi' });
 */
@Injectable()
export class WebPubSubService extends WebPubSubRestClient implements BeforeApplicationShutdown, OnApplicationShutdown {
  /** The module instance this service belongs to (`default` unless registered with a `name`). */
  readonly instanceName: string;
  /**
   * Background broadcasts of this instance waiting to be sent (bounded; see `broadcast.queueLimit`).
   * Flushed when the app shuts down, and drained once its HTTP server has stopped taking requests.
   */
  readonly backgroundQueue: BackgroundQueue;
  /**
   * Writes to this instance's logger (the module's `logger` option) with the `WebPubSub` context;
   * silent with `logger: false`. The broadcast and event features log through it.
   */
  readonly log: LogWriter;
  /** The access key(s) this instance signs with (none with a TokenCredential); upstream events are checked against them. */
  readonly accessKeys: readonly string[];
  /** The instance's broadcast defaults (`delivery`, `onError`, …), validated at startup. */
  readonly broadcastDefaults: WebPubSubSettings['broadcast'];
  private readonly shutdown?: () => Promise<void>;

  constructor(init: WebPubSubServiceInit) {
    const { settings, clientOptions } = init;
    const { connection } = settings;
    if (connection.kind === 'credential') super(connection.endpoint, connection.credential, settings.hub, clientOptions);
    else super(connection.kind === 'emulator' ? init.emulatorConnectionString! : connection.connectionString, settings.hub, clientOptions);
    this.instanceName = settings.instance;
    this.shutdown = init.onShutdown;
    this.log = init.log;
    this.broadcastDefaults = settings.broadcast;
    if (connection.kind === 'credential') this.accessKeys = isTokenCredential(connection.credential) ? [] : [connection.credential.key];
    else this.accessKeys = [parseConnectionString(connection.kind === 'emulator' ? init.emulatorConnectionString : connection.connectionString).accessKey];
    const { queueLimit, concurrency } = settings.broadcast;
    // Every task logs its own failure; this only catches what slipped through.
    this.backgroundQueue = new BackgroundQueue(queueLimit, concurrency, (error) => this.log('error', String(error)));
  }

  /** The underlying REST client (the service is one; this reads better where a client is expected). */
  get client(): WebPubSubRestClient {
    return this;
  }

  /** Sends what background broadcasts queued, before anything (such as an embedded emulator) stops. */
  /**
   * Sends what was queued when shutdown began. Nest closes the HTTP server only after this hook, so
   * requests may still arrive: waiting for an idle queue here would never end under steady traffic.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.backgroundQueue.flush();
  }

  /** Once the HTTP server is closed: sends what arrived meanwhile, then stops the embedded emulator. */
  async onApplicationShutdown(): Promise<void> {
    await this.backgroundQueue.drain();
    await this.shutdown?.();
  }
}
