import {
  Body,
  Controller,
  Param,
  Post,
  type INestApplication,
  type NestApplicationOptions,
  type Type,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { BroadcastToGroup, WebPubSubModule, WebPubSubService, type WebPubSubModuleOptions } from '../../lib/index.js';
import { parseConnectionString } from '../../lib/client/index.js';
import type { WebPubSubEmulator } from '../../lib/emulator/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import type { EmulatorApp } from '../support/emulator-app.js';
import { useEmulator } from '../support/emulator-stage.js';
import { instanceContext } from '../support/instance-context.js';
import { connectOfficialClient, type OfficialClient } from '../support/official-client.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Shared parts of the reliability suite: a Nest app listening on a real loopback port (so requests
 * go through TCP, and a closed app refuses them rather than being re-opened by supertest), a pool of
 * concurrent HTTP requests, and the exactly-once accounting of what a receiver got.
 */

/** The route under test everywhere: its result, `{ id, room }`, is broadcast to the room (the module decides how). */
@Controller('rooms')
export class RoomsController {
  @Post(':room/messages')
  @BroadcastToGroup((ctx) => ctx.params.room)
  create(@Param('room') room: string, @Body() body: { id: string }) {
    return { id: body.id, room };
  }
}

/** An EmulatorApp listening on loopback; its `logs` are the module's `logger` (every line the module and the interceptor wrote). */
export interface ReliabilityApp extends EmulatorApp {
  /** `http://127.0.0.1:<port>` of the app. */
  url: string;
}

/** The module (hub `chat`) pointed at `emulator`, with the given controllers, listening on loopback. */
export async function startListeningApp(
  emulator: WebPubSubEmulator,
  controllers: Type[],
  options: Partial<WebPubSubModuleOptions>,
  appOptions: NestApplicationOptions = {},
): Promise<ReliabilityApp> {
  const logs = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      WebPubSubModule.forRoot({ connectionString: emulator.connectionString, hub: 'chat', logger: logs, ...options }),
    ],
    controllers,
  }).compile();
  const app = moduleRef.createNestApplication<INestApplication>({ logger: false, ...appOptions });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    service: app.get(WebPubSubService),
    context: instanceContext(app),
    logs,
    url: `http://127.0.0.1:${port}`,
  };
}

/** One emulator for a describe block, and the listening apps and receivers its tests (or hooks) start. */
export interface ReliabilityStage {
  readonly emulator: WebPubSubEmulator;
  /** startListeningApp on the stage's emulator; closed after the test, or after the block from a beforeAll. */
  startApp(
    controllers: Type[],
    options: Partial<WebPubSubModuleOptions>,
    appOptions?: NestApplicationOptions,
  ): Promise<ReliabilityApp>;
  /** An official client as `userId` in `groups` (outside the app, so it outlives the app's close()); stopped like the app. */
  connectReceiver(service: WebPubSubService, userId: string, groups: string[]): Promise<OfficialClient>;
}

/** A ReliabilityStage: call at the top of a `describe`; faults are cleared after every test. */
export function useReliabilityStage(): ReliabilityStage {
  const stage = useEmulator();
  return {
    get emulator() {
      return stage.emulator;
    },
    async startApp(controllers, options, appOptions) {
      const started = await startListeningApp(stage.emulator, controllers, options, appOptions);
      stage.defer(() => started.app.close());
      return started;
    },
    async connectReceiver(service, userId, groups) {
      const receiver = await connectOfficialClient(service, { userId, groups });
      stage.defer(() => receiver.stop());
      return receiver;
    },
  };
}

export interface Outcome {
  /** The HTTP status, or undefined when no response came (refused, reset). */
  status?: number;
  body?: unknown;
  /** Milliseconds from sending the request to its response (or error). */
  ms: number;
}

/** POSTs JSON and reads the answer; a network failure is an outcome, not a throw. */
export async function postJson(url: string, body: unknown): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json');
    return { status: response.status, body: json && text ? JSON.parse(text) : text, ms: performance.now() - started };
  } catch {
    return { ms: performance.now() - started };
  }
}

/** Runs `task(0) … task(count - 1)` with at most `inFlight` running at once; outcomes in index order. */
export async function runPool<T>(count: number, inFlight: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return results;
}

/** How often each id occurs: what an exactly-once check compares. */
export function countIds(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Ids that occur more than once (a duplicate delivery shows up here, with its count). */
export function duplicates(ids: readonly string[]): Array<[string, number]> {
  return [...countIds(ids)].filter(([, count]) => count > 1);
}

/** The `id` field of each group message a receiver got (markers and other shapes left out). */
export function groupIds(receiver: Pick<OfficialClient, 'group'>): string[] {
  return receiver.group
    .map((message) => (message.data as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === 'string');
}

/**
 * Sends a marker to `group` and waits until `receiver` has it. The emulator delivers one connection's
 * messages in order, so everything accepted before the marker has then arrived.
 */
export async function awaitMarker(
  service: WebPubSubService,
  receiver: OfficialClient,
  group: string,
  label: string,
): Promise<void> {
  const marker = `marker ${label}`;
  await service.group(group).sendToAll(marker, { contentType: 'text/plain' });
  await waitFor(() => receiver.group.some((message) => message.data === marker), `the ${label} marker`);
}

/** Secrets that must never appear in a log: the access key, JWTs, `access_token` query values. */
export function secretsIn(text: string, connectionString: string): string[] {
  const { accessKey } = parseConnectionString(connectionString);
  const found: string[] = [];
  if (text.includes(accessKey)) found.push('the access key');
  if (/AccessKey=/i.test(text)) found.push('a connection string');
  if (/eyJ[\w-]+\.eyJ[\w-]+\./.test(text)) found.push('a JWT');
  if (/access_token=(?!REDACTED)/i.test(text)) found.push('an access_token value');
  return found;
}

/** Reads `read()` on every turn of the event loop and keeps the highest value of each field, until stopped. */
export function watchPeaks<K extends string>(
  read: () => Record<K, number>,
): { peaks: Record<K, number>; stop: () => Promise<void> } {
  const peaks = read();
  let running = true;
  const loop = (async () => {
    while (running) {
      const now = read();
      for (const key of Object.keys(now) as K[]) peaks[key] = Math.max(peaks[key], now[key]);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return {
    peaks,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
