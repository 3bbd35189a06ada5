import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatConnectionString } from '../protocol/connection-string.js';
import { ClientEndpoint } from './client-endpoint.js';
import { EmulatorCore } from './emulator-core.js';
import { EmulatorMessages } from './emulator.messages.js';
import { GroupPattern } from '../protocol/group-pattern.js';
import {
  GROUP_PRESENCE_EVENT_NAMES,
  type EmulatorLogger,
  type EventHandlerSettings,
  type WebPubSubEmulatorOptions,
} from './emulator.options.js';
import { FaultInjector } from './fault-injector.js';
import type { Delivery } from './hub-state.js';
import { RestApi, type RestCallRecord } from './rest-api.js';

/** Upstream requests in flight at once, by default. */
const DEFAULT_UPSTREAM_CONCURRENCY = 64;
/** Bytes waiting to be sent to one client, by default, past which it is closed as too slow. */
const DEFAULT_CLIENT_BUFFER_LIMIT_BYTES = 16 * 1024 * 1024;

const SILENT: EmulatorLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** What a test or tool can see of one connected client. */
export interface EmulatorConnectionInfo {
  hub: string;
  connectionId: string;
  userId?: string;
  subprotocol?: string;
  groups: string[];
  /** False while a dropped reliable connection waits to be recovered. */
  open: boolean;
}

/**
 * A local, Azure Web PubSub-compatible server: the data-plane REST API, the client WebSocket
 * endpoint (plain, `json.webpubsub.azure.v1` and `json.reliable.webpubsub.azure.v1`) and upstream
 * CloudEvents to event handlers. Runs in-process (`WebPubSubEmulator.start()`) or from the
 * `web-pubsub-emulator` CLI; binds to loopback by default.
 *
 * @example
 * const emulator = await WebPubSubEmulator.start({ hubs: { chat: { eventHandlers: [...] } } });
 * const client = new WebPubSubRestClient(emulator.connectionString, 'chat');
 * await emulator.stop();
 */
export class WebPubSubEmulator {
  private constructor(
    private readonly server: http.Server,
    private readonly core: EmulatorCore,
    private readonly clients: ClientEndpoint,
    private readonly rest: RestApi,
    /** Fault injection for tests: failing REST calls, latency, dropped client sockets. */
    readonly faults: FaultInjector,
    readonly port: number,
  ) {}

  static async start(options: WebPubSubEmulatorOptions = {}): Promise<WebPubSubEmulator> {
    checkOptions(options);
    const host = options.host ?? '127.0.0.1';
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = endpointHost(host);
    const keys = [
      options.accessKey ?? randomBytes(32).toString('base64'),
      ...(options.secondaryAccessKey ? [options.secondaryAccessKey] : []),
    ];
    const core = new EmulatorCore({
      endpoint: `http://${urlHost}:${port}`,
      keys,
      hubs: options.hubs ?? {},
      logger: options.logger ?? SILENT,
      recoveryWindowMs: options.recoveryWindowMs ?? 30_000,
      upstreamTimeoutMs: options.upstreamTimeoutMs ?? 100_000,
      upstreamRetryDelaysMs: options.upstreamRetryDelaysMs ?? [1000, 3000, 5000],
      upstreamConcurrency: options.upstreamConcurrency ?? DEFAULT_UPSTREAM_CONCURRENCY,
      clientBufferLimitBytes: options.clientBufferLimitBytes ?? DEFAULT_CLIENT_BUFFER_LIMIT_BYTES,
      deliveryHistoryLimit: options.deliveryHistoryLimit ?? 10_000,
    });
    const clients = new ClientEndpoint(core);
    const faults = new FaultInjector(core);
    const rest = new RestApi(core, faults);
    server.on('request', (request, response) => {
      rest.handle(request, response).catch((error: Error) => {
        core.logger.error(`REST request failed: ${error.message}`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    server.on('upgrade', (request, socket, head) => {
      socket.on('error', () => socket.destroy());
      if (!clients.matches(request.url ?? '')) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      clients.handleUpgrade(request, socket, head).catch((error: Error) => {
        core.logger.error(`Client upgrade failed: ${error.message}`);
        socket.destroy();
      });
    });
    return new WebPubSubEmulator(server, core, clients, rest, faults, port);
  }

  /** `http://127.0.0.1:<port>` */
  get endpoint(): string {
    return this.core.options.endpoint;
  }

  /** A connection string for this emulator, as the Azure portal formats it. */
  get connectionString(): string {
    return formatConnectionString(this.endpoint, this.core.options.keys[0]);
  }

  /** Messages delivered to clients, most recent last (bounded by `deliveryHistoryLimit` and about 64 MiB of data). */
  get deliveries(): readonly Delivery[] {
    return this.core.deliveries;
  }

  /** How many deliveries happened in total (not bounded). */
  get deliveryCount(): number {
    return this.core.deliveryCount;
  }

  /** REST calls served, with their operation and status. */
  get restCalls(): readonly RestCallRecord[] {
    return this.rest.calls;
  }

  /** Calls `listener` for every delivery; returns a function that stops it. */
  onDelivery(listener: (delivery: Delivery) => void): () => void {
    return this.core.onDelivery(listener);
  }

  /** The connected clients (of one hub, or all). */
  connections(hub?: string): EmulatorConnectionInfo[] {
    return this.core
      .allConnections()
      .filter((connection) => hub === undefined || connection.hub.toLowerCase() === hub.toLowerCase())
      .map((connection) => ({
        hub: connection.hub,
        connectionId: connection.connectionId,
        userId: connection.userId,
        subprotocol: connection.subprotocol,
        groups: [...connection.groups],
        open: connection.isOpen(),
      }));
  }

  /**
   * Lets the process exit while this emulator's listening socket is all that is left (connected
   * clients still keep it alive). An emulator embedded in an app must not outlive a failed startup.
   */
  unref(): this {
    this.server.unref();
    return this;
  }

  /** Stops accepting, closes every client and the server. Safe to call twice. */
  async stop(): Promise<void> {
    this.clients.close();
    for (const connection of this.core.allConnections()) connection.cancelRecoveryTimer();
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/**
 * The host of the endpoint it prints: a bind-all address is no place to connect to, so `0.0.0.0`
 * becomes 127.0.0.1 and `::` (which takes IPv4 and IPv6) `localhost`: clients whose HTTP stack
 * cannot resolve a bracketed `[::1]` (@azure/core-rest-pipeline's, for one) reach it either way.
 * Other IPv6 addresses get brackets.
 */
function endpointHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (/^(::|::0|0:0:0:0:0:0:0:0|\[::\])$/.test(host)) return 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Options a typo would otherwise turn into a confusing failure later (an empty key, a bad port). */
function checkOptions(options: WebPubSubEmulatorOptions): void {
  for (const option of ['accessKey', 'secondaryAccessKey'] as const) {
    const value = options[option];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === ''))
      throw new TypeError(
        EmulatorMessages.invalidOption(option, 'a non-empty string (leave accessKey out for a random key)'),
      );
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    throw new TypeError(EmulatorMessages.invalidOption('port', 'a whole number from 0 to 65535 (0 picks a free port)'));
  }
  for (const option of ['upstreamConcurrency', 'clientBufferLimitBytes'] as const) {
    const value = options[option];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1))
      throw new TypeError(
        EmulatorMessages.invalidOption(option, 'a whole number of at least 1 (leave it out for the default)'),
      );
  }
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host.trim() === '')) {
    throw new TypeError(EmulatorMessages.invalidOption('host', 'an address to bind, e.g. "127.0.0.1"'));
  }
  for (const [hub, settings] of Object.entries(options.hubs ?? {})) {
    (settings?.eventHandlers ?? []).forEach((handler, index) =>
      checkGroupPresenceEvents(`hubs.${hub}.eventHandlers[${index}].groupPresenceEvents`, handler.groupPresenceEvents),
    );
  }
}

/** As the service's management API would refuse them: unknown event names and unreadable filters. */
function checkGroupPresenceEvents(option: string, settings: EventHandlerSettings['groupPresenceEvents']): void {
  if (settings === undefined) return;
  const names = settings?.eventNames;
  if (!Array.isArray(names) || names.some((name) => !GROUP_PRESENCE_EVENT_NAMES.includes(name))) {
    throw new TypeError(EmulatorMessages.invalidOption(`${option}.eventNames`, 'a list of "joined" and "left"'));
  }
  const filters = settings.groupFilters;
  if (filters === undefined) return;
  if (!Array.isArray(filters))
    throw new TypeError(
      EmulatorMessages.invalidOption(`${option}.groupFilters`, 'a list of group patterns, e.g. ["room.*"]'),
    );
  for (const filter of filters) {
    const parsed = typeof filter === 'string' ? GroupPattern.parse(filter) : { invalid: 'it is not a string' };
    if ('invalid' in parsed)
      throw new TypeError(
        EmulatorMessages.invalidOption(
          `${option}.groupFilters`,
          `a list of group patterns ("${String(filter)}": ${parsed.invalid})`,
        ),
      );
  }
}
