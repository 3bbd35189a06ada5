import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { INestApplication, ModuleMetadata, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import {
  getWebPubSubToken,
  WebPubSubModule,
  WebPubSubService,
  type WebPubSubModuleOptions,
  type WebPubSubRestClient,
} from '../../../lib/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { createAdapterApp, initAdapterApp, type AdapterName } from '../../support/http-adapters.js';
import { startOfficialClient, type OfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';

/*
 * Shared by the broadcast e2e suites: a Nest app on Express or Fastify wired to a real emulator,
 * official @azure/web-pubsub-client receivers, and `inbox()`, which proves what each receiver got
 * (and did not get) by sending a final marker to everyone and reading up to it, without sleeping.
 */

/** One message as a receiver saw it: `group` is absent for server (hub, user, connection) messages. */
export interface Received {
  group?: string;
  dataType: string;
  /** JSON parsed, text as string, binary as a Buffer. */
  data: unknown;
}

export interface Receiver {
  label: string;
  official: OfficialClient;
  connectionId: string;
  /** The REST client of the receiver's instance and hub, which sends its marker. */
  markerClient: WebPubSubRestClient;
  /** How many of its messages `inbox()` has consumed. */
  read: number;
}

export interface StartOptions extends Pick<ModuleMetadata, 'imports' | 'providers'> {
  controllers: Type[];
  /** Extra options of the default instance (its connection and hub are set here). */
  module?: Partial<WebPubSubModuleOptions>;
}

/** A running app, its emulator, and the receivers it opened (all stopped by `close()`). */
export class BroadcastApp {
  readonly logs = new CapturingLogger();
  private readonly receivers: Receiver[] = [];
  emulator!: WebPubSubEmulator;
  app!: INestApplication;
  service!: WebPubSubService;

  constructor(readonly adapter: AdapterName) {}

  async start(options: StartOptions): Promise<this> {
    this.emulator = await WebPubSubEmulator.start();
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [
          WebPubSubModule.forRoot({
            connectionString: this.emulator.connectionString,
            hub: 'chat',
            httpLogging: 'off',
            ...options.module,
          }),
          ...(options.imports ?? []),
        ],
        controllers: options.controllers,
        providers: options.providers,
      }).compile();
      this.app = createAdapterApp(moduleRef, this.adapter, { logger: this.logs });
      await initAdapterApp(this.app);
      this.service = this.app.get(WebPubSubService);
    } catch (error) {
      await this.emulator.stop();
      throw error;
    }
    return this;
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
  async receiver(
    label: string,
    token: { userId?: string; groups?: string[] } = {},
    hub?: string,
    service: WebPubSubService = this.service,
  ): Promise<Receiver> {
    const markerClient = hub ? service.hub(hub) : service.client;
    const { url } = await markerClient.getClientAccessToken(token);
    const official = await startOfficialClient(url, {}, label);
    const receiver: Receiver = { label, official, connectionId: official.connectionId, markerClient, read: 0 };
    this.receivers.push(receiver);
    return receiver;
  }

  /** Stops the receivers opened so far (between tests). */
  async stopReceivers(): Promise<void> {
    await Promise.all(this.receivers.splice(0).map((receiver) => receiver.official.stop()));
  }

  async close(): Promise<void> {
    await this.stopReceivers();
    await this.app?.close();
    await this.emulator?.stop();
  }

  /** The emulator's REST calls (`operation status`) made while `action` ran. */
  async restCallsDuring(
    action: () => Promise<unknown>,
    emulator: WebPubSubEmulator = this.emulator,
  ): Promise<string[]> {
    const before = emulator.restCalls.length;
    await action();
    return emulator.restCalls.slice(before).map((call) => `${call.operation} ${call.status}`);
  }

  /** Warnings logged by the broadcast feature. */
  warnings(): string[] {
    return this.logs.lines.filter((line) => line.level === 'warn').map((line) => line.message);
  }
}

/**
 * A BroadcastApp for the enclosing describe block: started before it (with `options()` evaluated
 * then, so they can name what earlier hooks started), its receivers stopped after each test.
 */
export function useBroadcastApp(adapter: AdapterName, options: () => StartOptions): BroadcastApp {
  const harness = new BroadcastApp(adapter);
  beforeAll(() => harness.start(options()));
  afterEach(() => harness.stopReceivers());
  afterAll(() => harness.close());
  return harness;
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
  return Promise.all(
    receivers.map(async (receiver) => {
      const unread = () => receiver.official.messages.slice(receiver.read);
      const end = await waitFor(() => {
        const index = unread().findIndex((message) => (message.data as { marker?: string } | null)?.marker === marker);
        return index >= 0 ? index + 1 : undefined;
      }, `the marker at ${receiver.label}`);
      const got = unread().slice(0, end - 1);
      receiver.read += end;
      return got.map((message) => ({
        ...(message.kind === 'groupData' ? { group: message.group } : {}),
        dataType: message.dataType,
        data: message.data instanceof ArrayBuffer ? Buffer.from(message.data) : message.data,
      }));
    }),
  );
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
