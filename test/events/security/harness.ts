import { createHmac } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { OnConnect, OnConnected, OnDisconnected, OnUserEvent, WebPubSubEventHandler, WebPubSubModule } from '../../../lib/index.js';
import type { WebPubSubModuleOptions } from '../../../lib/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { acceptEveryEventBody } from '../../support/event-bodies.js';

/** Distinctive keys, so a leak into a log or a response is easy to spot. */
export const PRIMARY_KEY = 'PrimaryKeyZq7XvL0Wm3Nn9Rt2SECRETprimaryBase64Value=';
export const SECONDARY_KEY = 'SecondaryKeyHp4Yk8Uq1Bb6Cc5SECRETsecondaryBase64Value=';
export const CONNECTION_STRING = `Endpoint=https://contoso.webpubsub.azure.com;AccessKey=${PRIMARY_KEY};Version=1.0;`;
export const SERVICE_HOST = 'contoso.webpubsub.azure.com';

/** Independent of lib: hex(HMAC-SHA256(key, connectionId)) as the service computes it. */
export function sign(key: string, connectionId: string): string {
  return `sha256=${createHmac('sha256', key).update(connectionId).digest('hex')}`;
}

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

export { CapturingLogger };

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

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
  const app = adapter === 'fastify' ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter()) : moduleRef.createNestApplication();
  app.useLogger(logger);
  if (setUpBodies) acceptEveryEventBody(app);
  await app.init();
  if (adapter === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

export const CONNECTION_ID = 'conn-sec-1';
export const OTHER_KEY = 'SomeoneElsesKeyXx9Yy8Zz7NotOurs0000000000000000000=';
export const FORGED = `sha256=${'ab'.repeat(32)}`;

/** Headers of a well-formed, correctly signed connect, as the service sends it. */
export function connectHeaders(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    'ce-specversion': '1.0',
    'ce-awpsversion': '1.0',
    'ce-type': 'azure.webpubsub.sys.connect',
    'ce-source': `/hubs/chat/client/${CONNECTION_ID}`,
    'ce-id': '0',
    'ce-hub': 'chat',
    'ce-connectionId': CONNECTION_ID,
    'ce-userId': 'u1',
    'ce-eventName': 'connect',
    'ce-signature': sign(PRIMARY_KEY, CONNECTION_ID),
    'webhook-request-origin': SERVICE_HOST,
    'content-type': 'application/json; charset=utf-8',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export const userEvent = (contentType: string) =>
  connectHeaders({ 'ce-type': 'azure.webpubsub.user.message', 'ce-eventName': 'message', 'content-type': contentType });
