import { beforeAll } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import type { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { JsonClient } from '../../support/json-client.js';

/**
 * Shared pieces of the REST suites: the official server client pointed at the emulator, real
 * `json.webpubsub.azure.v1` WebSocket clients connected with its tokens, and a flush that proves
 * what did not arrive without sleeping.
 */

export const HUB = 'chat';

/** The official server client for the emulator; `maxRetries: 0` shows each failure as it is answered. */
export function officialClient(
  emulator: WebPubSubEmulator,
  hub = HUB,
  options: { maxRetries?: number; retryDelayInMs?: number; connectionString?: string } = {},
): WebPubSubServiceClient {
  const { connectionString = emulator.connectionString, ...retryOptions } = options;
  return new WebPubSubServiceClient(connectionString, hub, { allowInsecureConnection: true, retryOptions });
}

export interface ClientSpec {
  name: string;
  userId?: string;
  groups?: string[];
  roles?: string[];
}

/** Connects named JSON clients with tokens from the official client's getClientAccessToken. */
export async function connectClients(
  service: WebPubSubServiceClient,
  specs: ClientSpec[],
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

/** The emulator of a file, the official client for one hub of it, and JSON clients connected before the first test. */
export interface RestStage<Name extends string> {
  readonly emulator: WebPubSubEmulator;
  readonly service: WebPubSubServiceClient;
  readonly clients: Record<Name, JsonClient>;
}

/**
 * A RestStage: the emulator starts, `specs` connect with tokens for `hub` (no retries on the
 * official client) before the first test, and they close after the last one; faults are cleared
 * after every test.
 */
export function useRestStage<Name extends string>(
  hub: string,
  specs: Array<ClientSpec & { name: Name }>,
): RestStage<Name> {
  const stage = useEmulator();
  let service: WebPubSubServiceClient | undefined;
  let clients = {} as Record<Name, JsonClient>;
  beforeAll(async () => {
    service = officialClient(stage.emulator, hub, { maxRetries: 0 });
    stage.defer(() => closeClients(clients));
    clients = (await connectClients(service, specs)) as Record<Name, JsonClient>;
  });
  return {
    get emulator() {
      return stage.emulator;
    },
    get service() {
      return service!;
    },
    get clients() {
      return clients;
    },
  };
}

/**
 * Proves a message did not reach a client without sleeping: a marker sent afterwards to each
 * connection arrives in order, so once every marker is in, anything earlier has arrived too.
 */
export async function flush(service: WebPubSubServiceClient, clients: JsonClient[]): Promise<void> {
  const marker = { marker: Math.random().toString(36).slice(2) };
  const open = clients.filter((client) => client.raw.isOpen);
  await Promise.all(open.map((client) => service.sendToConnection(client.connectionId, marker)));
  await Promise.all(open.map((client) => client.waitData(marker)));
}

/** Data received by a client, without flush markers. */
export function payloads(client: JsonClient): unknown[] {
  return client.received.filter((data) => !(typeof data === 'object' && data !== null && 'marker' in data));
}
