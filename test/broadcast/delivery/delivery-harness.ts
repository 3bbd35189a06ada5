import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { WebPubSubClient, type GroupDataMessage, type ServerDataMessage } from '@azure/web-pubsub-client';
import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebPubSubModule, WebPubSubService, type WebPubSubModuleOptions } from '../../../lib/index.js';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { waitFor } from '../../support/wait-for.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import type { WebPubSubInstanceContext } from '../../../lib/core/webpubsub.context.js';
import { instanceContext } from '../../support/instance-context.js';

export { waitFor };

export interface LogEntry {
  level: string;
  message: string;
  context?: string;
}

export { CapturingLogger };

export interface TestApp {
  app: INestApplication;
  service: WebPubSubService;
  /** The instance's internal context: its background queue and broadcast defaults. */
  context: WebPubSubInstanceContext;
  logs: CapturingLogger;
}

/**
 * A Nest app with the module pointed at `emulator` (hub `chat`, REST retries 1 ms apart) and the given
 * controllers. The module's own HTTP logging is off; broadcast log lines go to `logs`.
 */
export async function startApp(emulator: WebPubSubEmulator, controllers: Type[], options: Partial<WebPubSubModuleOptions> = {}): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      WebPubSubModule.forRoot({
        connectionString: emulator.connectionString,
        hub: 'chat',
        httpLogging: 'off',
        retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 1 },
        ...options,
      }),
    ],
    controllers,
  }).compile();
  const logs = new CapturingLogger();
  const app = moduleRef.createNestApplication<INestApplication>({ logger: false });
  app.useLogger(logs);
  await app.init();
  return { app, service: app.get(WebPubSubService), context: instanceContext(app), logs };
}

/** An official @azure/web-pubsub-client receiver, with what it received recorded in order. */
export interface Receiver {
  connectionId: string;
  server: ServerDataMessage[];
  group: GroupDataMessage[];
  stop(): Promise<void>;
}

/** Connects a receiver to `hub` of the emulator and puts it in `groups` (server-side). */
export async function connectReceiver(service: WebPubSubService, userId: string, groups: string[] = []): Promise<Receiver> {
  const { url } = await service.getClientAccessToken({ userId });
  // Keep-alive off: its timers outlive stop() and would hold the test process open.
  const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
  let connectionId = '';
  let stopped = false;
  const receiver: Receiver = {
    get connectionId() {
      return connectionId;
    },
    server: [],
    group: [],
    stop: async () => {
      if (stopped) return;
      client.stop();
      await waitFor(() => stopped, `receiver ${userId} to stop`);
    },
  };
  client.on('connected', (event) => (connectionId = event.connectionId));
  client.on('server-message', (event) => receiver.server.push(event.message));
  client.on('group-message', (event) => receiver.group.push(event.message));
  client.on('stopped', () => (stopped = true));
  await client.start();
  await waitFor(() => connectionId, `receiver ${userId} to connect`);
  for (const group of groups) await service.group(group).addConnection(connectionId);
  return receiver;
}

/** Successful sends the emulator served for an operation (e.g. `sendToAll`). */
export function accepted(emulator: WebPubSubEmulator, operation: string): number {
  return emulator.restCalls.filter((call) => call.operation === operation && call.status === 202).length;
}

/**
 * One emulator per test file, and what each test starts on it: after every test the emulator's
 * faults are cleared and the test's receivers and apps (those it did not close itself) are closed.
 * Create it at the top of a `describe`.
 */
export class DeliveryStage {
  emulator!: WebPubSubEmulator;
  private apps: TestApp[] = [];
  private receivers: Receiver[] = [];

  constructor() {
    beforeAll(async () => {
      this.emulator = await WebPubSubEmulator.start();
    });
    afterEach(async () => {
      this.emulator.faults.clear();
      for (const receiver of this.receivers.splice(0)) await receiver.stop();
      for (const { app } of this.apps.splice(0)) await app.close();
    });
    afterAll(() => this.emulator.stop());
  }

  async startApp(controllers: Type[], options: Partial<WebPubSubModuleOptions> = {}): Promise<TestApp> {
    const started = await startApp(this.emulator, controllers, options);
    this.apps.push(started);
    return started;
  }

  async connectReceiver(service: WebPubSubService, userId: string, groups: string[] = []): Promise<Receiver> {
    const receiver = await connectReceiver(service, userId, groups);
    this.receivers.push(receiver);
    return receiver;
  }

  /** Closes an app now (to test shutdown, or to start another); it is not closed again after the test. */
  async closeApp(app: INestApplication): Promise<void> {
    this.apps = this.apps.filter((started) => started.app !== app);
    await app.close();
  }
}
