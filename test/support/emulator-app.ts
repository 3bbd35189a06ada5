import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebPubSubModule, WebPubSubService, type WebPubSubModuleOptions } from '../../lib/index.js';
import type { WebPubSubEmulator } from '../../lib/emulator/index.js';
import type { WebPubSubInstanceContext } from '../../lib/core/web-pubsub.context.js';
import { CapturingLogger } from './capturing-logger.js';
import { instanceContext } from './instance-context.js';

/** A started app whose module talks to an emulator. */
export interface EmulatorApp {
  app: INestApplication;
  service: WebPubSubService;
  /** The instance's internal context: its background queue and broadcast defaults. */
  context: WebPubSubInstanceContext;
  /** Every line the app logged (the module's included, as it logs through Nest's Logger here). */
  logs: CapturingLogger;
}

/**
 * A Nest app with the module pointed at `emulator` (hub `chat`, REST retries 1 ms apart, its own HTTP
 * logging off) and the given controllers, initialised; `options` override any of that.
 */
export async function startEmulatorApp(
  emulator: WebPubSubEmulator,
  controllers: Type[],
  options: Partial<WebPubSubModuleOptions> = {},
): Promise<EmulatorApp> {
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
