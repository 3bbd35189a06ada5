import type { INestApplication, ModuleMetadata, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import request from 'supertest';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { getWebPubSubToken, WebPubSubModule, WebPubSubService, type WebPubSubModuleOptions, type WebPubSubRestClient } from '../../../lib/index.js';
import { CaptureLogger } from '../../module/di/di-harness.js';
import { waitFor } from '../../support/wait-for.js';

export { CaptureLogger, waitFor };

/*
 * Shared by the broadcast e2e suites: a Nest app on Express or Fastify wired to a real emulator,
 * official @azure/web-pubsub-client receivers, and `inbox()`, which proves what each receiver got
 * (and did not get) by sending a final marker to everyone and reading up to it, without sleeping.
 */

export type AdapterName = 'express' | 'fastify';
/** For `describe.each(adapters)`. */
export const adapters: AdapterName[] = ['express', 'fastify'];

/** One message as a receiver saw it: `group` is absent for server (hub, user, connection) messages. */
export interface Received {
  group?: string;
  dataType: string;
  /** JSON parsed, text as string, binary as a Buffer. */
  data: unknown;
}

export interface Receiver {
  label: string;
  connectionId: string;
  messages: Received[];
  /** The REST client of the receiver's instance and hub, which sends its marker. */
  markerClient: WebPubSubRestClient;
  stop(): Promise<void>;
}

export interface StartOptions extends Pick<ModuleMetadata, 'imports' | 'providers'> {
  controllers: Type[];
  /** Extra options of the default instance (its connection and hub are set here). */
  module?: Partial<WebPubSubModuleOptions>;
}

/** A running app, its emulator, and the receivers it opened (all stopped by `close()`). */
export class BroadcastApp {
  readonly logs = new CaptureLogger();
  private readonly receivers: Receiver[] = [];
  app!: INestApplication;
  service!: WebPubSubService;

  private constructor(readonly adapter: AdapterName, readonly emulator: WebPubSubEmulator) {}

  static async start(adapter: AdapterName, options: StartOptions): Promise<BroadcastApp> {
    const harness = new BroadcastApp(adapter, await WebPubSubEmulator.start());
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [
          WebPubSubModule.forRoot({ connectionString: harness.emulator.connectionString, hub: 'chat', httpLogging: 'off', ...options.module }),
          ...(options.imports ?? []),
        ],
        controllers: options.controllers,
        providers: options.providers,
      }).compile();
      const nestOptions = { logger: harness.logs };
      harness.app = adapter === 'fastify'
        ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), nestOptions)
        : moduleRef.createNestApplication(nestOptions);
      await harness.app.init();
      if (adapter === 'fastify') await (harness.app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
      harness.service = harness.app.get(WebPubSubService);
    } catch (error) {
      await harness.emulator.stop();
      throw error;
    }
    return harness;
  }

  http() {
    return request(this.app.getHttpServer());
  }

  /** A named instance's service (`instance` option). */
  instance(name: string): WebPubSubService {
    return this.app.get<WebPubSubService>(getWebPubSubToken(name));
  }

  /**
   * Connects an official client with a token from `service` (default: the default instance) for
   * `hub` (default: the service's hub), as `userId` and in `groups`.
   */
  async receiver(label: string, token: { userId?: string; groups?: string[] } = {}, hub?: string, service: WebPubSubService = this.service): Promise<Receiver> {
    const client = hub ? service.hub(hub) : service.client;
    const { url } = await client.getClientAccessToken(token);
    // Keep-alive timers cannot be cancelled by stop() and would keep jest alive; no retries either.
    const sdk = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, messageRetryOptions: { maxRetries: 0 } });
    let stopped = false;
    const receiver: Receiver = {
      label, connectionId: '', messages: [], markerClient: client,
      stop: async () => {
        if (stopped) return;
        sdk.stop();
        await waitFor(() => stopped, `${label} to stop`);
      },
    };
    sdk.on('connected', (event) => (receiver.connectionId = event.connectionId));
    sdk.on('stopped', () => (stopped = true));
    sdk.on('server-message', ({ message }) => receiver.messages.push({ dataType: message.dataType, data: normalise(message.data) }));
    sdk.on('group-message', ({ message }) => receiver.messages.push({ group: message.group, dataType: message.dataType, data: normalise(message.data) }));
    this.receivers.push(receiver);
    await sdk.start();
    await waitFor(() => receiver.connectionId, `${label} to connect`);
    return receiver;
  }

  /** Stops the receivers opened so far (between tests). */
  async stopReceivers(): Promise<void> {
    await Promise.all(this.receivers.splice(0).map((receiver) => receiver.stop()));
  }

  async close(): Promise<void> {
    await this.stopReceivers();
    await this.app?.close();
    await this.emulator.stop();
  }

  /** The emulator's REST calls (`operation status`) made while `action` ran. */
  async restCallsDuring(action: () => Promise<unknown>, emulator: WebPubSubEmulator = this.emulator): Promise<string[]> {
    const before = emulator.restCalls.length;
    await action();
    return emulator.restCalls.slice(before).map((call) => `${call.operation} ${call.status}`);
  }

  /** Warnings logged by the broadcast feature. */
  warnings(): string[] {
    return this.logs.lines.filter((line) => line.level === 'warn').map((line) => line.message);
  }
}

let markers = 0;

/**
 * What each receiver got before a marker sent afterwards to every hub involved: since the marker
 * travels the same path, anything a broadcast would have delivered has arrived by then. Consumes
 * what it returns, so the next call sees only newer messages.
 */
export async function inbox(...receivers: Receiver[]): Promise<Received[][]> {
  const marker = `marker-${++markers}`;
  const clients = new Set(receivers.map((receiver) => receiver.markerClient));
  const sent = new Set<string>();
  for (const client of clients) {
    // Two clients for the same endpoint and hub would deliver the marker twice: send once per hub.
    const key = `${client.endpoint}|${client.hubName}`;
    if (sent.has(key)) continue;
    sent.add(key);
    await client.sendToAll({ marker });
  }
  return Promise.all(receivers.map(async (receiver) => {
    const end = await waitFor(() => {
      const index = receiver.messages.findIndex((message) => (message.data as { marker?: string } | null)?.marker === marker);
      return index >= 0 ? index + 1 : undefined;
    }, `the marker at ${receiver.label}`);
    return receiver.messages.splice(0, end).slice(0, -1);
  }));
}

/** Just the data of what each receiver got. */
export async function dataAt(...receivers: Receiver[]): Promise<unknown[][]> {
  return (await inbox(...receivers)).map((messages) => messages.map((message) => message.data));
}

/** A supertest parser reading the whole body as text (e.g. an event stream, which it would not buffer). */
export function readText(response: unknown, done: (error: Error | null, body: string) => void): void {
  readBytes(response, (error, body) => done(error, body.toString('utf8')));
}

/** A supertest parser reading the whole body as bytes. */
export function readBytes(response: unknown, done: (error: Error | null, body: Buffer) => void): void {
  const stream = response as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('error', (error: Error) => done(error, Buffer.alloc(0)));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

function normalise(data: unknown): unknown {
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}
