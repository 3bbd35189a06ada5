import { afterEach } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  OnConnect,
  OnConnected,
  OnDisconnected,
  OnUserEvent,
  WebPubSubEventHandler,
  WebPubSubModule,
} from '../../../lib/index.js';
import type { WebPubSubModuleOptions } from '../../../lib/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { acceptEveryEventBody } from '../../support/event-bodies.js';
import { createAdapterApp, initAdapterApp, type AdapterName } from '../../support/http-adapters.js';
import { upstreamEventHeaders, type UpstreamEventSource } from '../../support/upstream-events.js';

/** Distinctive keys, so a leak into a log or a response is easy to spot. */
export const PRIMARY_KEY = 'PrimaryKeyZq7XvL0Wm3Nn9Rt2SECRETprimaryBase64Value=';
export const SECONDARY_KEY = 'SecondaryKeyHp4Yk8Uq1Bb6Cc5SECRETsecondaryBase64Value=';
export const CONNECTION_STRING = `Endpoint=https://contoso.webpubsub.azure.com;AccessKey=${PRIMARY_KEY};Version=1.0;`;
export const SERVICE_HOST = 'contoso.webpubsub.azure.com';

/** Calls per handler; any non-zero count after a rejected request means a check was bypassed. */
export const calls = { connect: 0, connected: 0, disconnected: 0, user: 0 };
export function resetCalls(): void {
  for (const name of Object.keys(calls) as (keyof typeof calls)[]) calls[name] = 0;
}
export const totalCalls = (): number => calls.connect + calls.connected + calls.disconnected + calls.user;

@WebPubSubEventHandler({ hub: 'chat' })
export class CountingChatEvents {
  @OnConnect()
  connect() {
    calls.connect++;
  }

  @OnConnected()
  connected() {
    calls.connected++;
  }

  @OnDisconnected()
  disconnected() {
    calls.disconnected++;
  }

  @OnUserEvent('*')
  user() {
    calls.user++;
  }
}

/**
 * A Nest app serving the event route on the chosen adapter, initialised and ready for supertest; with
 * the README's body setup lines unless `setUpBodies` is false.
 */
export async function createApp(
  adapter: AdapterName,
  options: WebPubSubModuleOptions = { connectionString: CONNECTION_STRING, hub: 'chat' },
  logger = new CapturingLogger(),
  setUpBodies = true,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [WebPubSubModule.forRoot(options)],
    providers: [CountingChatEvents],
  }).compile();
  const app = createAdapterApp(moduleRef, adapter);
  app.useLogger(logger);
  if (setUpBodies) acceptEveryEventBody(app);
  await initAdapterApp(app);
  return app;
}

/** One app per test (set `slot.app`): closed after the test, with the logger emptied and the handler counts reset. */
export function useAppPerTest(): { app?: INestApplication; logger: CapturingLogger } {
  const slot: { app?: INestApplication; logger: CapturingLogger } = { logger: new CapturingLogger() };
  afterEach(async () => {
    await slot.app?.close();
    slot.app = undefined;
    slot.logger.lines.length = 0;
    resetCalls();
  });
  return slot;
}

/** For specs whose tests start their own apps: each test's apps are closed, and the handler counts reset, after it. */
export function useEventApps(): { start: typeof createApp } {
  const started: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.close()));
    resetCalls();
  });
  return {
    start: async (...args) => {
      const app = await createApp(...args);
      started.push(app);
      return app;
    },
  };
}

export const CONNECTION_ID = 'conn-sec-1';
export const OTHER_KEY = 'SomeoneElsesKeyXx9Yy8Zz7NotOurs0000000000000000000=';
export const FORGED = `sha256=${'ab'.repeat(32)}`;

/** The connection the well-formed events come from, signed with the primary key. */
export const SOURCE: UpstreamEventSource = {
  hub: 'chat',
  connectionId: CONNECTION_ID,
  userId: 'u1',
  key: PRIMARY_KEY,
  origin: SERVICE_HOST,
};

/** Headers of a well-formed, correctly signed connect, as the service sends it. */
export const connectHeaders = (overrides: Record<string, string | undefined> = {}) =>
  upstreamEventHeaders('connect', SOURCE, overrides);

/** Headers of a `message` user event with the given content type. */
export const userEvent = (contentType: string) =>
  upstreamEventHeaders('message', SOURCE, { 'content-type': contentType });
