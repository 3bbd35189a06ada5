import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigModule, ConfigService, registerAs, type ConfigType } from '@nestjs/config';
import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { getWebPubSubToken, WebPubSubModule, WebPubSubService } from '../../../lib/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { setEnv } from '../../support/env.js';

/*
 * @nestjs/config as apps use it: a real ConfigModule reading a .env file, feeding forRootAsync through
 * ConfigService, through a typed registerAs namespace, or through the documented
 * WEBPUBSUB_CONNECTION_STRING / WEBPUBSUB_HUB variables that forRoot falls back to.
 */

const ENV_NAMES = [
  'WEBPUBSUB_CONNECTION_STRING',
  'WEBPUBSUB_HUB',
  'CHAT_PUBSUB_CONNECTION',
  'CHAT_PUBSUB_HUB',
  'OTHER_SECRET',
];

const stage = useEmulator({ accessKey: 'config-spec-access-key' });
let dir: string;
let restoreEnv: () => void;

/** Writes a .env file (values quoted, as a connection string has `=` and `;`) and returns its path. */
function envFile(name: string, values: Record<string, string>): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    Object.entries(values)
      .map(([key, value]) => `${key}="${value}"`)
      .join('\n') + '\n',
  );
  return file;
}

async function compile(metadata: ModuleMetadata): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  stage.defer(() => moduleRef.close());
  return moduleRef;
}

/** Sends through the service and returns the emulator's record of it. */
async function sendThrough(service: WebPubSubService): Promise<string[]> {
  const from = stage.emulator.restCalls.length;
  await service.sendToAll({ from: 'config' });
  return stage.emulator.restCalls.slice(from).map((call) => `${call.path} ${call.status}`);
}

/** The typed namespace an app would declare next to its other configuration. */
const webpubsubConfig = registerAs('webpubsub', () => ({
  connectionString: process.env.CHAT_PUBSUB_CONNECTION,
  hub: process.env.CHAT_PUBSUB_HUB ?? 'chat',
  logger: false as const,
}));

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'web-pubsub-config-'));
});
beforeEach(() => {
  // ConfigModule copies the .env values into process.env: every test starts and ends without them.
  restoreEnv = setEnv(Object.fromEntries(ENV_NAMES.map((name) => [name, undefined])));
});
afterEach(() => restoreEnv());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WebPubSubModule with @nestjs/config', () => {
  it('forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory }) reads the .env file', async () => {
    const envFilePath = envFile('service.env', {
      CHAT_PUBSUB_CONNECTION: stage.emulator.connectionString,
      CHAT_PUBSUB_HUB: 'fromdotenv',
    });
    const moduleRef = await compile({
      imports: [
        ConfigModule.forRoot({ envFilePath }),
        WebPubSubModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            connectionString: config.getOrThrow<string>('CHAT_PUBSUB_CONNECTION'),
            hub: config.getOrThrow<string>('CHAT_PUBSUB_HUB'),
            logger: false,
          }),
        }),
      ],
    });
    const service = moduleRef.get(WebPubSubService);
    expect(service.hubName).toBe('fromdotenv');
    expect(await sendThrough(service)).toEqual(['/api/hubs/fromdotenv/:send 202']);
  });

  it('a typed registerAs namespace with ConfigModule.forFeature and inject: [webpubsubConfig.KEY]', async () => {
    const envFilePath = envFile('namespace.env', {
      CHAT_PUBSUB_CONNECTION: stage.emulator.connectionString,
      CHAT_PUBSUB_HUB: 'namespaced',
    });
    const moduleRef = await compile({
      imports: [
        ConfigModule.forRoot({ envFilePath }),
        WebPubSubModule.forRootAsync({
          imports: [ConfigModule.forFeature(webpubsubConfig)],
          inject: [webpubsubConfig.KEY],
          useFactory: (config: ConfigType<typeof webpubsubConfig>) => config,
        }),
      ],
    });
    expect(await sendThrough(moduleRef.get(WebPubSubService))).toEqual(['/api/hubs/namespaced/:send 202']);
    // The namespace is also readable through ConfigService, as the config docs describe.
    expect(moduleRef.get(ConfigService).get('webpubsub.hub')).toBe('namespaced');
  });

  it('the namespace loaded globally with ConfigModule.forRoot({ load, isGlobal }) for a named instance', async () => {
    const envFilePath = envFile('global.env', { CHAT_PUBSUB_CONNECTION: stage.emulator.connectionString });
    const moduleRef = await compile({
      imports: [
        ConfigModule.forRoot({ envFilePath, load: [webpubsubConfig], isGlobal: true }),
        WebPubSubModule.forRootAsync({
          name: 'chat',
          inject: [webpubsubConfig.KEY],
          useFactory: (config: ConfigType<typeof webpubsubConfig>) => ({ ...config, hub: `${config.hub}global` }),
        }),
      ],
    });
    const service = moduleRef.get<WebPubSubService>(getWebPubSubToken('chat'));
    expect(service.instanceName).toBe('chat');
    expect(await sendThrough(service)).toEqual(['/api/hubs/chatglobal/:send 202']);
  });

  it('WEBPUBSUB_CONNECTION_STRING and WEBPUBSUB_HUB from the .env file reach forRoot() without options', async () => {
    const envFilePath = envFile('documented.env', {
      WEBPUBSUB_CONNECTION_STRING: stage.emulator.connectionString,
      WEBPUBSUB_HUB: 'documented',
    });
    const moduleRef = await compile({
      imports: [ConfigModule.forRoot({ envFilePath }), WebPubSubModule.forRoot({ logger: false })],
    });
    expect(await sendThrough(moduleRef.get(WebPubSubService))).toEqual(['/api/hubs/documented/:send 202']);
  });

  it('a variable missing from the .env file fails at startup naming the option and the variable, without the key', async () => {
    const envFilePath = envFile('incomplete.env', {
      CHAT_PUBSUB_HUB: 'chat',
      OTHER_SECRET: stage.emulator.connectionString,
    });
    const compiling = Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ envFilePath }),
        WebPubSubModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            connectionString: config.get<string>('CHAT_PUBSUB_CONNECTION'),
            hub: config.get<string>('CHAT_PUBSUB_HUB'),
          }),
        }),
      ],
    }).compile();
    const error = (await compiling.catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(
      /^WebPubSubModule: no connection is configured\. Set WEBPUBSUB_CONNECTION_STRING or pass `connectionString`/,
    );
    expect(`${error.message}\n${error.stack}`).not.toContain('config-spec-access-key');
  });
});
