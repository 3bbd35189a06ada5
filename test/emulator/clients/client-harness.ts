import { afterEach } from '@jest/globals';
import { SendMessageError, type WebPubSubClientOptions } from '@azure/web-pubsub-client';
import { WebPubSubRestClient, type GenerateClientTokenOptions } from '../../../lib/index.js';
import type { EmulatorStage } from '../../support/emulator-stage.js';
import { startOfficialClient, type OfficialClient } from '../../support/official-client.js';
import { RawClient, refusalStatus } from '../../support/raw-client.js';

let hubCounter = 0;
/** A fresh hub per test keeps tests independent on one emulator. */
export function freshHub(prefix = 'hub'): string {
  return `${prefix}${++hubCounter}`;
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
  async official(
    hub: string,
    token: GenerateClientTokenOptions,
    options: WebPubSubClientOptions = {},
  ): Promise<OfficialClient> {
    const client = await startOfficialClient(await this.url(hub, token), options);
    this.officials.push(client);
    return client;
  }

  /** Opens a raw WebSocket; rejects with HandshakeRefused if the upgrade is refused. */
  async raw(url: string, protocols?: string | string[], headers?: Record<string, string>): Promise<RawClient> {
    const raw = await RawClient.open(url, protocols, headers);
    this.raws.push(raw);
    return raw;
  }

  /** The HTTP status of a refused upgrade (fails if the upgrade succeeds). */
  refusal(url: string, protocols?: string | string[], headers?: Record<string, string>): Promise<number> {
    return refusalStatus(url, protocols, headers);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.officials.map((client) => client.stop()), ...this.raws.map((raw) => raw.close())]);
    this.officials.length = 0;
    this.raws.length = 0;
  }
}

/** A ClientSession on the stage's emulator whose clients are closed after each test. */
export function useClientSession(stage: EmulatorStage): ClientSession {
  const session = new ClientSession(() => stage.emulator.connectionString);
  afterEach(() => session.closeAll());
  return session;
}

/** Bytes of an ArrayBuffer / Buffer as a plain array, for exact comparison. */
export function bytesOf(data: unknown): number[] {
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]')
    return [...new Uint8Array(data as ArrayBuffer)];
  if (Buffer.isBuffer(data)) return [...data];
  throw new Error(`Expected binary data, got ${Object.prototype.toString.call(data)}`);
}

/** The service's answer to a rejected join, leave or send: the ack's error name. */
export async function ackError(operation: Promise<unknown>): Promise<string | undefined> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof SendMessageError) return error.errorDetail?.name;
    throw error;
  }
  throw new Error('The operation succeeded, but the test expected the service to reject it');
}
