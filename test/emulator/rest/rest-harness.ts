import { WebPubSubServiceClient } from '@azure/web-pubsub';
import WebSocket from 'ws';
import { signJwt, nowInSeconds } from '../../../lib/protocol/jwt.js';
import type { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * Shared pieces of the REST suites: the official server client pointed at the emulator, real
 * `json.webpubsub.azure.v1` WebSocket clients, and bounded waits with clear failure messages.
 */

export const HUB = 'chat';

/**
 * Options for `@azure/web-pubsub-client` in tests: its keep-alive loops wait out their interval
 * (20 s) even after `stop()`, which would keep jest from exiting, so they are turned off.
 */
export const SDK_TEST_OPTIONS = { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 } as const;

/** The official server client for the emulator; `maxRetries: 0` shows each failure as it is answered. */
export function officialClient(
  emulator: WebPubSubEmulator,
  hub = HUB,
  options: { maxRetries?: number; retryDelayInMs?: number; connectionString?: string } = {},
): WebPubSubServiceClient {
  const { connectionString = emulator.connectionString, ...retryOptions } = options;
  return new WebPubSubServiceClient(connectionString, hub, { allowInsecureConnection: true, retryOptions });
}

/** The emulator's access key, read back from its connection string. */
export function accessKeyOf(emulator: WebPubSubEmulator): string {
  return /AccessKey=([^;]+)/.exec(emulator.connectionString)![1];
}

export { waitFor };

export interface Frame {
  type: string;
  event?: string;
  from?: string;
  group?: string;
  dataType?: string;
  data?: unknown;
  message?: string;
  connectionId?: string;
  userId?: string;
}

/** A real WebSocket client speaking `json.webpubsub.azure.v1`, recording every frame it gets. */
export class JsonClient {
  readonly frames: Frame[] = [];
  closeCode?: number;
  private constructor(
    readonly socket: WebSocket,
    readonly name: string,
  ) {}

  static async connect(url: string, name: string): Promise<JsonClient> {
    const socket = new WebSocket(url, 'json.webpubsub.azure.v1');
    const client = new JsonClient(socket, name);
    socket.on('message', (data) => client.frames.push(JSON.parse(data.toString()) as Frame));
    socket.on('close', (code) => (client.closeCode = code));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await client.waitFrame((frame) => frame.type === 'system' && frame.event === 'connected', 'the connected message');
    return client;
  }

  get connectionId(): string {
    return this.frames.find((frame) => frame.event === 'connected')!.connectionId!;
  }

  /** Data of every `message` frame, in order. */
  get received(): unknown[] {
    return this.frames.filter((frame) => frame.type === 'message').map((frame) => frame.data);
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends a frame with an ackId and waits for its ack. */
  async request(frame: Record<string, unknown>, ackId: number): Promise<{ success?: boolean; error?: { name: string } }> {
    this.send({ ...frame, ackId });
    return (await this.waitFrame((f) => f.type === 'ack' && (f as { ackId?: number }).ackId === ackId, `ack ${ackId}`)) as never;
  }

  waitFrame(match: (frame: Frame) => boolean, what: string): Promise<Frame> {
    return waitFor(() => this.frames.find(match), `${this.name} to receive ${what}`);
  }

  /** Waits for a message whose data equals `data`. */
  waitData(data: unknown): Promise<Frame> {
    return this.waitFrame((frame) => frame.type === 'message' && JSON.stringify(frame.data) === JSON.stringify(data), JSON.stringify(data));
  }

  waitClosed(): Promise<number> {
    return waitFor(() => this.closeCode, `${this.name} to be closed`);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.socket.close();
    await closed;
  }
}

/** Connects named JSON clients with tokens from the official client's getClientAccessToken. */
export async function connectClients(
  service: WebPubSubServiceClient,
  specs: Array<{ name: string; userId?: string; groups?: string[]; roles?: string[] }>,
): Promise<Record<string, JsonClient>> {
  const clients: Record<string, JsonClient> = {};
  for (const spec of specs) {
    const { url } = await service.getClientAccessToken({ userId: spec.userId, groups: spec.groups, roles: spec.roles });
    clients[spec.name] = await JsonClient.connect(url, spec.name);
  }
  return clients;
}

export async function closeClients(clients: Record<string, JsonClient> | JsonClient[]): Promise<void> {
  await Promise.all(Object.values(clients).map((client: JsonClient) => client.close()));
}

/**
 * Proves a message did not reach a client without sleeping: a marker sent afterwards to each
 * connection arrives in order, so once every marker is in, anything earlier has arrived too.
 */
export async function flush(service: WebPubSubServiceClient, clients: JsonClient[]): Promise<void> {
  const marker = { marker: Math.random().toString(36).slice(2) };
  const open = clients.filter((client) => client.socket.readyState === WebSocket.OPEN);
  await Promise.all(open.map((client) => service.sendToConnection(client.connectionId, marker)));
  await Promise.all(open.map((client) => client.waitData(marker)));
}

/** Data received by a client, without flush markers. */
export function payloads(client: JsonClient): unknown[] {
  return client.received.filter((data) => !(typeof data === 'object' && data !== null && 'marker' in data));
}

/** A REST JWT as the SDKs sign it (aud = full request URL), with overrides for the 401 cases. */
export function restToken(key: string, url: string, claims: Record<string, unknown> = {}): string {
  return signJwt({ aud: url, iat: nowInSeconds(), exp: nowInSeconds() + 3600, ...claims }, key);
}

/** A raw REST call with a valid token unless `authorization` is given. */
export async function rawCall(
  emulator: WebPubSubEmulator,
  method: string,
  pathAndQuery: string,
  init: { body?: string | Buffer; contentType?: string; authorization?: string | null } = {},
): Promise<{ status: number; headers: Headers; text: string; json?: { code?: string; message?: string } }> {
  const url = `${emulator.endpoint}${pathAndQuery}`;
  const headers: Record<string, string> = {};
  if (init.authorization !== null) headers.authorization = init.authorization ?? `Bearer ${restToken(accessKeyOf(emulator), url)}`;
  if (init.contentType) headers['content-type'] = init.contentType;
  const response = await fetch(url, { method, headers, body: init.body });
  const text = await response.text();
  let json: { code?: string; message?: string } | undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
