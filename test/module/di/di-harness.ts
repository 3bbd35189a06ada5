import net from 'node:net';
import { WebPubSubClient, type GroupDataMessage, type ServerDataMessage } from '@azure/web-pubsub-client';
import { until } from '../../emulator/clients/client-harness.js';
import type { WebPubSubService } from '../../../lib/index.js';
import { CapturingLogger as CaptureLogger } from '../../support/capturing-logger.js';

export { until };

/** One line a logger received: level, message, and the other arguments (the context last). */
export interface LoggedLine {
  level: string;
  message: string;
  params: unknown[];
}

export { CaptureLogger };

/**
 * Sets (or, with `undefined`, removes) environment variables and returns a function that puts the
 * previous values back. The module reads them when the app starts, so tests must restore them.
 */
export function setEnv(values: Record<string, string | undefined>): () => void {
  const previous = new Map(Object.keys(values).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Removes the module's environment fallbacks, so a test sees only the options it passes. */
export function withoutWebPubSubEnv(): () => void {
  return setEnv({ WEBPUBSUB_CONNECTION_STRING: undefined, WEBPUBSUB_HUB: undefined });
}

/** An official @azure/web-pubsub-client receiver recording what it gets. */
export interface Receiver {
  client: WebPubSubClient;
  connectionId: string;
  server: ServerDataMessage[];
  group: GroupDataMessage[];
  stop(): Promise<void>;
}

/**
 * Connects an official client to a client URL (with its access token). Keep-alive timers are off:
 * the SDK cannot cancel them on stop(), and they would hold the test process open.
 */
export async function connectUrl(url: string, label: string): Promise<Receiver> {
  const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, messageRetryOptions: { maxRetries: 0 } });
  let stopped = false;
  const receiver: Receiver = {
    client, connectionId: '', server: [], group: [],
    stop: async () => {
      if (stopped) return;
      client.stop();
      await until(() => stopped, `the official client of ${label} to stop`);
    },
  };
  client.on('connected', (event) => (receiver.connectionId = event.connectionId));
  client.on('server-message', (event) => receiver.server.push(event.message));
  client.on('group-message', (event) => receiver.group.push(event.message));
  client.on('stopped', () => (stopped = true));
  try {
    await client.start();
    await until(() => receiver.connectionId, `the connected event of ${label}`);
  } catch (error) {
    client.stop();
    throw error;
  }
  return receiver;
}

/** Connects an official client with a token from the service, so it goes wherever the service points. */
export async function connectReceiver(service: WebPubSubService, userId: string, roles: string[] = []): Promise<Receiver> {
  const { url } = await service.getClientAccessToken({ userId, roles });
  return connectUrl(url, userId);
}

/** Resolves with the error code of a TCP connect to the port (`ECONNREFUSED` once nothing listens). */
export function connectOutcome(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** The port of an `http://host:port` endpoint. */
export function portOf(endpoint: string): number {
  return Number(new URL(endpoint).port);
}
