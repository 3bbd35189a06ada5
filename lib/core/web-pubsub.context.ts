import type { BeforeApplicationShutdown, OnApplicationShutdown } from '@nestjs/common';
import { isTokenCredential } from '@azure/core-auth';
import { parseConnectionString, type WebPubSubRestClient } from '../client/index.js';
import { BackgroundQueue } from './background-queue.js';
import type { EventsSettings } from './events.settings.js';
import type { LogWriter } from './nest-log-writer.js';
import { InstanceMessages } from './web-pubsub.messages.js';
import type { WebPubSubSettings } from './web-pubsub.settings.js';

/** What a context is made of; see WebPubSubInstanceContext. */
export interface WebPubSubContextInit {
  settings: WebPubSubSettings;
  client: WebPubSubRestClient;
  events: EventsSettings;
  log: LogWriter;
  /** Runs last at shutdown, after the queue is drained (e.g. stops an embedded emulator). */
  onShutdown?: () => Promise<void>;
}

/**
 * Internal, one per module instance: what the features (broadcast, events, health) share: the
 * instance's settings, client, logger, signature keys and background queue. Not public API; the
 * features inject it with `getWebPubSubContextToken(instance)`.
 */
export class WebPubSubInstanceContext implements BeforeApplicationShutdown, OnApplicationShutdown {
  readonly instance: string;
  readonly settings: WebPubSubSettings;
  /** The instance's REST client (also provided by `getWebPubSubClientToken`; the service is a client on its transport). */
  readonly client: WebPubSubRestClient;
  readonly events: EventsSettings;
  /** Writes to the instance's logger with the `WebPubSub` context; silent with `logger: false`. */
  readonly log: LogWriter;
  /**
   * Background broadcasts waiting to be sent (bounded; see `broadcast.queueLimit`). Flushed when the
   * app shuts down, and drained once its HTTP server has stopped taking requests.
   */
  readonly backgroundQueue: BackgroundQueue;
  private readonly onShutdown?: () => Promise<void>;
  /** The key of a connection string, parsed on first use (it cannot change). */
  private connectionStringKey?: string;
  /** Resolves when `broadcast.shutdownTimeoutInMs` has passed since shutdown began. */
  private shutdownDeadline?: Promise<'timeout'>;
  private shutdownTimer?: NodeJS.Timeout;
  /** When the first shutdown hook ran (Date.now()): the start of the one wait all of app.close() shares. */
  private shutdownStartedAt?: number;
  private inFlightReported = false;

  constructor(init: WebPubSubContextInit) {
    this.instance = init.settings.instance;
    this.settings = init.settings;
    this.client = init.client;
    this.events = init.events;
    this.log = init.log;
    this.onShutdown = init.onShutdown;
    const { queueLimit, concurrency } = init.settings.broadcast;
    // Every task logs its own failure; this only catches what slipped through.
    this.backgroundQueue = new BackgroundQueue(queueLimit, concurrency, (error) => this.log('error', String(error)));
  }

  /** The instance's broadcast defaults (`delivery`, `onError`, …), validated at startup. */
  get broadcastDefaults(): WebPubSubSettings['broadcast'] {
    return this.settings.broadcast;
  }

  /**
   * The keys upstream event signatures are checked with: the instance's own key, read now (an
   * AzureKeyCredential may have been rotated with `update()`), then `events.accessKeys`. None with a
   * TokenCredential and no extra keys.
   */
  signatureKeys(): readonly string[] {
    const { connection } = this.settings;
    if (connection.kind === 'connectionString') {
      this.connectionStringKey ??= parseConnectionString(connection.connectionString).accessKey;
      return [this.connectionStringKey, ...this.events.accessKeys];
    }
    return isTokenCredential(connection.credential)
      ? this.events.accessKeys
      : [connection.credential.key, ...this.events.accessKeys];
  }

  /**
   * What is left of `broadcast.shutdownTimeoutInMs` for the whole app.close() (the full bound before
   * shutdown began), so the gateway's wait after the instance's flush adds nothing to it;
   * `undefined` when there is no limit (0).
   */
  shutdownTimeLeftMs(): number | undefined {
    const limit = this.settings.broadcast.shutdownTimeoutInMs;
    if (limit === 0) return undefined;
    if (this.shutdownStartedAt === undefined) return limit;
    return Math.max(0, this.shutdownStartedAt + limit - Date.now());
  }

  /**
   * Sends what was queued when shutdown began. Nest closes the HTTP server only after this hook, so
   * requests may still arrive: waiting for an idle queue here would never end under steady traffic.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdownStartedAt ??= Date.now();
    await this.withinShutdownTimeout(this.backgroundQueue.flush());
  }

  /** Once the HTTP server is closed: sends what arrived meanwhile, then stops what the instance started. */
  async onApplicationShutdown(): Promise<void> {
    this.shutdownStartedAt ??= Date.now();
    await this.withinShutdownTimeout(this.backgroundQueue.drain());
    clearTimeout(this.shutdownTimer);
    await this.onShutdown?.();
  }

  /**
   * Waits for `done`, but both shutdown hooks together no longer than `broadcast.shutdownTimeoutInMs`:
   * a service that never answers must not hold `app.close()` forever. What is still queued then is
   * dropped, and each message is logged, so nothing is lost silently.
   */
  private async withinShutdownTimeout(done: Promise<void>): Promise<void> {
    const limit = this.settings.broadcast.shutdownTimeoutInMs;
    if (limit === 0) return done;
    this.shutdownDeadline ??= new Promise((resolve) => {
      this.shutdownTimer = setTimeout(() => resolve('timeout'), limit);
    });
    if ((await Promise.race([done, this.shutdownDeadline])) !== 'timeout') return;
    const { dropped, inFlight } = this.backgroundQueue.abandon();
    for (const label of dropped) this.log('error', InstanceMessages.broadcastDroppedAtShutdown(label, limit));
    // Once: the second hook finds the same sends still in flight.
    if (inFlight > 0 && !this.inFlightReported)
      this.log('warn', InstanceMessages.broadcastsInFlightAtShutdown(inFlight, limit));
    this.inFlightReported ||= inFlight > 0;
  }
}
