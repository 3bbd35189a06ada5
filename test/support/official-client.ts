import {
  WebPubSubClient,
  type GroupDataMessage,
  type OnConnectedArgs,
  type OnDisconnectedArgs,
  type ServerDataMessage,
  type WebPubSubClientOptions,
} from '@azure/web-pubsub-client';
import type { GenerateClientTokenOptions } from '../../lib/index.js';
import type { ClientAccessUrlSource } from '../../lib/testing/index.js';
import { waitFor } from './wait-for.js';

/**
 * What every test gives the official client: its keep-alive tasks await a 20 s / 40 s delay that
 * stop() cannot cancel and would hold jest open, so they are off; a rejected send or join fails at
 * once instead of after the SDK's retries.
 */
export const OFFICIAL_CLIENT_TEST_OPTIONS: WebPubSubClientOptions = {
  keepAliveIntervalInMs: 0,
  keepAliveTimeoutInMs: 0,
  messageRetryOptions: { maxRetries: 0 },
};

/** A started official @azure/web-pubsub-client and everything it emitted, in order. */
export interface OfficialClient {
  readonly client: WebPubSubClient;
  /** From its first `connected` event. */
  readonly connectionId: string;
  readonly userId: string;
  readonly connected: OnConnectedArgs[];
  readonly disconnected: OnDisconnectedArgs[];
  readonly server: ServerDataMessage[];
  readonly group: GroupDataMessage[];
  /** Server and group messages together, in the order they arrived (`kind` tells them apart). */
  readonly messages: Array<ServerDataMessage | GroupDataMessage>;
  /** How many `stopped` events it emitted. */
  readonly stops: number;
  /** Stops it and waits for `stopped` (at once if it already stopped). */
  stop(): Promise<void>;
}

class RecordedClient implements OfficialClient {
  readonly connected: OnConnectedArgs[] = [];
  readonly disconnected: OnDisconnectedArgs[] = [];
  readonly server: ServerDataMessage[] = [];
  readonly group: GroupDataMessage[] = [];
  readonly messages: Array<ServerDataMessage | GroupDataMessage> = [];
  stops = 0;

  constructor(
    readonly client: WebPubSubClient,
    private readonly label: string,
  ) {
    // Listening before start(): a message may arrive in the same turn as `connected`.
    client.on('connected', (event) => this.connected.push(event));
    client.on('disconnected', (event) => this.disconnected.push(event));
    client.on('server-message', ({ message }) => {
      this.server.push(message);
      this.messages.push(message);
    });
    client.on('group-message', ({ message }) => {
      this.group.push(message);
      this.messages.push(message);
    });
    client.on('stopped', () => this.stops++);
  }

  get connectionId(): string {
    return this.connected[0].connectionId;
  }

  get userId(): string {
    return this.connected[0].userId;
  }

  async stop(): Promise<void> {
    if (this.stops > 0) return;
    this.client.stop();
    await waitFor(() => this.stops > 0, `${this.label} to stop`);
  }
}

/**
 * Starts an official client on a client access URL and waits for its `connected` event; `options`
 * add to (or override) OFFICIAL_CLIENT_TEST_OPTIONS. Rejects, with the client stopped, when the
 * service refuses it.
 */
export async function startOfficialClient(
  url: string,
  options: WebPubSubClientOptions = {},
  label = 'the official client',
): Promise<OfficialClient> {
  const client = new WebPubSubClient(url, { ...OFFICIAL_CLIENT_TEST_OPTIONS, ...options });
  const recorded = new RecordedClient(client, label);
  try {
    await client.start();
    await waitFor(() => recorded.connected[0], `the connected event of ${label}`);
  } catch (error) {
    client.stop();
    throw error;
  }
  return recorded;
}

/** Starts an official client with a token `source` (a WebPubSubService or REST client) mints with `token`. */
export async function connectOfficialClient(
  source: ClientAccessUrlSource,
  token: GenerateClientTokenOptions = {},
  options: WebPubSubClientOptions = {},
): Promise<OfficialClient> {
  const { url } = await source.getClientAccessToken(token);
  return startOfficialClient(url, options, `the official client of ${token.userId ?? 'an anonymous user'}`);
}
