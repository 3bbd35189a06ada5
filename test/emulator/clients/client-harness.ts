import {
  WebPubSubClient,
  type GroupDataMessage,
  type OnConnectedArgs,
  type OnDisconnectedArgs,
  type ServerDataMessage,
  type WebPubSubClientOptions,
} from '@azure/web-pubsub-client';
import { WebSocket } from 'ws';
import { WebPubSubRestClient } from '../../../lib/index.js';
import type { GenerateClientTokenOptions } from '../../../lib/index.js';
import { waitFor as until } from '../../support/wait-for.js';

export const JSON_PROTOCOL = 'json.webpubsub.azure.v1';
export const RELIABLE_PROTOCOL = 'json.reliable.webpubsub.azure.v1';

export { until };

let hubCounter = 0;
/** A fresh hub per test keeps tests independent on one emulator. */
export function freshHub(prefix = 'hub'): string {
  return `${prefix}${++hubCounter}`;
}

/** An official @azure/web-pubsub-client with everything it emitted recorded. */
export interface OfficialClient {
  client: WebPubSubClient;
  connectionId: string;
  connected: OnConnectedArgs[];
  disconnected: OnDisconnectedArgs[];
  server: ServerDataMessage[];
  group: GroupDataMessage[];
  stops: number;
  stop(): Promise<void>;
}

/** Raw frames as `ws` hands them over: text as string, binary as Buffer. */
export interface Frame {
  data: string | Buffer;
  isBinary: boolean;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

/** A raw `ws` client: frames are read in order with `next()`, so a test can assert exactly what came. */
export class RawClient {
  readonly frames: Frame[] = [];
  closeEvent?: CloseEvent;
  private read = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.frames.push({ data: isBinary ? bytes : bytes.toString('utf8'), isBinary });
    });
    ws.on('close', (code, reason) => (this.closeEvent = { code, reason: reason.toString('utf8') }));
    ws.on('error', () => undefined);
  }

  /** The next unread frame. */
  async next(what = 'the next frame'): Promise<Frame> {
    const frame = await until(() => this.frames[this.read], what);
    this.read++;
    return frame;
  }

  /** The next unread frame, parsed as a JSON-subprotocol message. */
  async nextJson(what = 'the next JSON frame'): Promise<Record<string, unknown>> {
    const frame = await this.next(what);
    if (frame.isBinary) throw new Error(`Expected a text frame for ${what}, got a binary one`);
    return JSON.parse(frame.data as string) as Record<string, unknown>;
  }

  /** Frames received but not yet read. */
  unread(): Frame[] {
    return this.frames.slice(this.read);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  /** Sends `ping` and waits for `pong`: every frame sent before has then been processed. */
  async roundTrip(): Promise<void> {
    this.send({ type: 'ping' });
    const frame = await this.nextJson('pong');
    if (frame.type !== 'pong') throw new Error(`Expected pong, got ${JSON.stringify(frame)}`);
  }

  async closed(what = 'the socket to close'): Promise<CloseEvent> {
    return until(() => this.closeEvent, what);
  }

  async close(): Promise<void> {
    if (this.closeEvent) return;
    this.ws.close();
    await until(() => this.closeEvent, 'the raw client to close', 2000).catch(() => this.ws.terminate());
  }
}

/** Opens and closes clients for a test file, so no socket or SDK client outlives it. */
export class ClientSession {
  private readonly officials: OfficialClient[] = [];
  private readonly raws: RawClient[] = [];

  constructor(private readonly connectionString: () => string) {}

  rest(hub: string): WebPubSubRestClient {
    return new WebPubSubRestClient(this.connectionString(), hub);
  }

  async url(hub: string, token: GenerateClientTokenOptions = {}): Promise<string> {
    return (await this.rest(hub).getClientAccessToken(token)).url;
  }

  /** Starts an official client with a token from our REST client and waits for its `connected` event. */
  async official(hub: string, token: GenerateClientTokenOptions, options: WebPubSubClientOptions = {}): Promise<OfficialClient> {
    // The SDK's keep-alive tasks await a 20 s / 40 s delay that stop() cannot cancel, which would
    // hold the test process open: switch them off (raw tests cover ping/pong). No retries either,
    // so a rejected operation fails at once.
    const client = new WebPubSubClient(await this.url(hub, token), {
      keepAliveIntervalInMs: 0,
      keepAliveTimeoutInMs: 0,
      messageRetryOptions: { maxRetries: 0 },
      ...options,
    });
    const recorded: OfficialClient = {
      client, connectionId: '', connected: [], disconnected: [], server: [], group: [], stops: 0,
      stop: async () => {
        if (recorded.stops > 0) return;
        client.stop();
        await until(() => recorded.stops > 0, 'the official client to stop');
      },
    };
    client.on('connected', (event) => recorded.connected.push(event));
    client.on('disconnected', (event) => recorded.disconnected.push(event));
    client.on('server-message', (event) => recorded.server.push(event.message));
    client.on('group-message', (event) => recorded.group.push(event.message));
    client.on('stopped', () => recorded.stops++);
    this.officials.push(recorded);
    await client.start();
    recorded.connectionId = (await until(() => recorded.connected[0], 'the connected event')).connectionId;
    return recorded;
  }

  /** Opens a raw WebSocket; rejects with the HTTP status if the upgrade is refused. */
  async raw(url: string, protocols?: string | string[], headers?: Record<string, string>): Promise<RawClient> {
    const ws = new WebSocket(url, protocols, { headers });
    const raw = new RawClient(ws);
    this.raws.push(raw);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (request, response) => {
        reject(new HandshakeRefused(response.statusCode ?? 0));
        request.destroy();
      });
      ws.once('error', reject);
    });
    return raw;
  }

  /** The HTTP status of a refused upgrade (fails if the upgrade succeeds). */
  async refusal(url: string, protocols?: string | string[], headers?: Record<string, string>): Promise<number> {
    try {
      await this.raw(url, protocols, headers);
    } catch (error) {
      if (error instanceof HandshakeRefused) return error.status;
      throw error;
    }
    throw new Error(`The upgrade of ${url.replace(/access_token=[^&]*/, 'access_token=…')} was accepted`);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.officials.map((client) => client.stop()), ...this.raws.map((raw) => raw.close())]);
    this.officials.length = 0;
    this.raws.length = 0;
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`The WebSocket upgrade was refused with HTTP ${status}`);
  }
}

/** Bytes of an ArrayBuffer / Buffer as a plain array, for exact comparison. */
export function bytesOf(data: unknown): number[] {
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return [...new Uint8Array(data as ArrayBuffer)];
  if (Buffer.isBuffer(data)) return [...data];
  throw new Error(`Expected binary data, got ${Object.prototype.toString.call(data)}`);
}
