import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AzureKeyCredential,
  OnConnect,
  WebPubSubEventHandler,
  WebPubSubModule,
  WebPubSubService,
  type WebPubSubModuleOptions,
  type WebPubSubOptionsFactory,
} from '../../lib/index.js';
import { useCaptureServer } from '../support/capture-server.js';
import { withoutWebPubSubEnv } from '../support/env.js';
import { ceSignature } from '../support/upstream-events.js';
import { failureOf } from '../support/failure-of.js';
import { expectClearMessage, expectNoSecret, SECRET_KEY, watchForCrashes } from './bad-input-harness.js';

/*
 * Bad module configuration. README ("Bad configuration fails at startup"): one message naming the
 * option and the fix, never the key. test/module/di/bad-config.spec.ts covers the connection string
 * and hub forms; these rows add the broadcast defaults, the client options the module passes on,
 * credentials, and the forms of forRoot / forRootAsync. Expected texts are those of
 * lib/core/web-pubsub.messages.ts, lib/module/web-pubsub.messages.ts and lib/client/client.messages.ts.
 */

const crashes = watchForCrashes();
const peer = useCaptureServer();
let restoreEnv: () => void;
let good: string;

beforeAll(() => {
  restoreEnv = withoutWebPubSubEnv();
  good = peer.server.connectionString(SECRET_KEY);
});
// Declared after useCaptureServer, so it runs once the server is closed.
afterAll(async () => {
  restoreEnv();
  await crashes.check();
});

/** Starts an app around the module (compile and init, as NestFactory does), which must refuse to start. */
async function startupError(module: () => DynamicModule): Promise<Error> {
  const error = await failureOf(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [module()] }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    await app.close();
  });
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

const withOptions = (options: () => WebPubSubModuleOptions) => () =>
  WebPubSubModule.forRoot({ logger: false, ...options() });

@Injectable()
class NullOptions implements WebPubSubOptionsFactory {
  createWebPubSubOptions(): WebPubSubModuleOptions {
    return null as never;
  }
}

interface Row {
  name: string;
  module: () => DynamicModule;
  what: RegExp;
  fix: RegExp;
}

const rows: Row[] = [
  {
    name: 'broadcast.queueLimit 0',
    module: withOptions(() => ({ connectionString: good, hub: 'chat', broadcast: { queueLimit: 0 } })),
    what: /^WebPubSubModule: `broadcast\.queueLimit` 0 is invalid\./,
    fix: /Use a whole number of at least 1\.$/,
  },
  {
    name: 'broadcast.queueLimit Infinity (not printed as null)',
    module: withOptions(() => ({ connectionString: good, hub: 'chat', broadcast: { queueLimit: Infinity } })),
    what: /`broadcast\.queueLimit` Infinity is invalid/,
    fix: /Use a whole number of at least 1\.$/,
  },
  {
    name: 'broadcast.concurrency 2.5',
    module: withOptions(() => ({ connectionString: good, hub: 'chat', broadcast: { concurrency: 2.5 } })),
    what: /^WebPubSubModule: `broadcast\.concurrency` 2\.5 is invalid\./,
    fix: /Use a whole number of at least 1\.$/,
  },
  {
    name: 'broadcast.delivery "later"',
    module: withOptions(() => ({ connectionString: good, hub: 'chat', broadcast: { delivery: 'later' as never } })),
    what: /^WebPubSubModule: `broadcast\.delivery` "later" is invalid\./,
    fix: /Use "await" or "background"\.$/,
  },
  {
    name: 'broadcast.onError "ignore" from a forRootAsync factory, for a named instance',
    module: () =>
      WebPubSubModule.forRootAsync({
        name: 'alerts',
        useFactory: () => ({
          connectionString: good,
          hub: 'chat',
          logger: false,
          broadcast: { onError: 'ignore' as never },
        }),
      }),
    what: /^WebPubSubModule \(instance "alerts"\): `broadcast\.onError` "ignore" is invalid\./,
    fix: /Use "throw" or "log"\.$/,
  },
  {
    name: 'httpLogging true',
    module: withOptions(() => ({ connectionString: good, hub: 'chat', httpLogging: true as never })),
    what: /^WebPubSubModule: `httpLogging` true is invalid\./,
    fix: /Use "off", "errors", "debug" or "verbose"\.$/,
  },
  {
    name: 'an explicitly empty hub',
    module: withOptions(() => ({ connectionString: good, hub: '' })),
    what: /^WebPubSubModule: no hub is configured\./,
    fix: /Set WEBPUBSUB_HUB or pass `hub` \(e\.g\. "chat"\)\.$/,
  },
  {
    name: 'a connection string that is not a string',
    module: withOptions(() => ({ connectionString: 42 as never, hub: 'chat' })),
    what: /^WebPubSubModule: invalid `connectionString`\. The Web PubSub connection string must be a non-empty string\./,
    fix: /Copy it from the Azure portal \(Keys blade\) or set WEBPUBSUB_CONNECTION_STRING\.$/,
  },
  {
    name: 'a reverseProxyEndpoint that is not a URL',
    module: withOptions(() => ({ connectionString: good, hub: 'chat', reverseProxyEndpoint: 'apim gateway' })),
    what: /^WebPubSubModule: invalid `reverseProxyEndpoint`\. reverseProxyEndpoint "apim gateway" is not a valid http\(s\) URL\./,
    fix: /Pass the service URL, e\.g\. "https:\/\/<name>\.webpubsub\.azure\.com"\.$/,
  },
  {
    name: 'plain http:// to a host that is not loopback',
    module: withOptions(() => ({
      endpoint: 'http://contoso.example.com',
      credential: new AzureKeyCredential(SECRET_KEY),
      hub: 'chat',
    })),
    what: /^WebPubSubModule: invalid `endpoint`\. The endpoint http:\/\/contoso\.example\.com uses plain http:\/\/ on a host that is not loopback/,
    fix: /Use https:\/\/, or pass allowInsecureConnection: true if this is intended/,
  },
  {
    name: 'an AzureKeyCredential holding only spaces',
    module: withOptions(() => ({ endpoint: peer.server.url, credential: new AzureKeyCredential('   '), hub: 'chat' })),
    what: /^WebPubSubModule: invalid `credential`\. The access key is empty\./,
    fix: /Copy a key from the Azure portal \(Keys blade\) into your AzureKeyCredential or connection string\.$/,
  },
  {
    name: 'a credential that is neither kind',
    module: withOptions(() => ({
      endpoint: peer.server.url,
      credential: { secret: SECRET_KEY } as never,
      hub: 'chat',
    })),
    what: /^WebPubSubModule: `endpoint` needs a `credential` \(an AzureKeyCredential or a TokenCredential/,
    fix: /Pass one, or pass `connectionString` instead\.$/,
  },
  {
    name: 'emulator together with endpoint',
    module: withOptions(() => ({
      emulator: true,
      endpoint: peer.server.url,
      credential: new AzureKeyCredential(SECRET_KEY),
      hub: 'chat',
    })),
    what: /^WebPubSubModule: `emulator` is set together with `connectionString` or `endpoint`\./,
    fix: /drop one of them\.$/,
  },
  {
    name: 'a useClass factory returning null',
    module: () => WebPubSubModule.forRootAsync({ useClass: NullOptions }),
    what: /^WebPubSubModule: the options factory returned no object\./,
    fix: /Return the module options, e\.g\. \{ connectionString, hub \}\.$/,
  },
  {
    name: 'a logger that is not a LoggerService',
    module: () => WebPubSubModule.forRoot({ connectionString: good, hub: 'chat', logger: 'yes' as never }),
    what: /^WebPubSubModule: `logger` must be true, false or a LoggerService/,
    fix: /e\.g\. new Logger\('WebPubSub'\)\)\.$/,
  },
  {
    name: 'an emulator port out of range',
    module: withOptions(() => ({ emulator: { port: 70000 }, hub: 'chat' })),
    what: /^Invalid emulator option `port`/,
    fix: /a whole number from 0 to 65535 \(0 picks a free port\)\.$/,
  },
  {
    name: 'a malformed apiVersion',
    module: () => WebPubSubModule.forRoot({ connectionString: good, hub: 'chat', apiVersion: 'latest' }),
    what: /invalid `apiVersion`.*apiVersion "latest" is invalid/,
    fix: /or leave it out\.$/,
  },
  {
    name: 'an instance name that is not a string',
    module: () => WebPubSubModule.forRoot({ name: 42 as never, connectionString: good, hub: 'chat' }),
    what: /^WebPubSubModule: `name` 42 is invalid\./,
    fix: /Pass a non-empty string, or leave it out for the default instance\.$/,
  },
];

describe('bad module configuration fails at startup', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const error = await startupError(row.module);
    expectClearMessage(error.message, row.what, row.fix);
    expectNoSecret(error);
    expect(peer.server.requests).toHaveLength(0);
  });

  // The control: the same module with good options starts, and its service reaches the peer.server.
  it('a good configuration still starts and sends', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WebPubSubModule.forRoot({ connectionString: good, hub: 'chat', logger: false })],
    }).compile();
    await moduleRef.get(WebPubSubService).sendToAll({ ok: true });
    await moduleRef.close();
    expect(peer.server.requests.map((r) => r.path)).toEqual(['/api/hubs/chat/:send']);
  });
});

@WebPubSubEventHandler({ hub: 'chat' })
class ChatEvents {
  @OnConnect()
  connect() {
    return { userId: 'someone' };
  }
}

describe('findings: options of the wrong type', () => {
  const SECONDARY = 'SecondaryKeyForRotation0123456789abcdefghij=';

  // `[...service.accessKeys, ...settings.accessKeys]` spreads a string into its characters, so
  // every one-character key is accepted for ce-signature. A string is an easy mistake when the
  // secondary key comes from an environment variable.
  it('events.accessKeys given as a string is refused at startup, not split into one-character keys', async () => {
    let app;
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [
          WebPubSubModule.forRoot({
            connectionString: good,
            hub: 'chat',
            logger: false,
            events: { accessKeys: SECONDARY as never },
          }),
        ],
        providers: [ChatEvents],
      }).compile();
      app = await moduleRef.createNestApplication({ logger: false }).init();
    } catch (error) {
      expect((error as Error).message).toMatch(/events\.accessKeys/);
      return;
    }
    try {
      const forged = await request(app.getHttpServer())
        .post('/eventhandler')
        .set({
          'ce-awpsversion': '1.0',
          'ce-type': 'azure.webpubsub.sys.connect',
          'ce-hub': 'chat',
          'ce-connectionId': 'c1',
          'ce-eventName': 'connect',
          // Signed with the single character "S", the first of the secondary key.
          'ce-signature': ceSignature(SECONDARY[0], 'c1'),
          'webhook-request-origin': new URL(peer.server.url).host,
          'content-type': 'application/json',
        })
        .send('{}');
      expect(forged.status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it.each<[string, () => DynamicModule, RegExp]>([
    [
      'events.allowedOrigins given as a string',
      withOptions(() => ({
        connectionString: good,
        hub: 'chat',
        events: { allowedOrigins: 'contoso.webpubsub.azure.com' as never },
      })),
      /events\.allowedOrigins/,
    ],
    [
      'eventsPath given as a number',
      () => WebPubSubModule.forRoot({ connectionString: good, hub: 'chat', logger: false, eventsPath: 42 as never }),
      /eventsPath/,
    ],
    // The emulator's key goes into a connection string the user never wrote; the message then
    // sends them to the Azure portal for a connection string.
    ['emulator.accessKey empty', withOptions(() => ({ emulator: { accessKey: '' }, hub: 'chat' })), /emulator/],
  ])('%s fails at startup naming the option', async (_name, module, names) => {
    const error = await startupError(module);
    expectNoSecret(error);
    expect(error.message).toMatch(names);
  });
});
