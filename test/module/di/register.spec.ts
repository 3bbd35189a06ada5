import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module, type ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import {
  AzureKeyCredential,
  getWebPubSubToken,
  WebPubSubModule,
  WebPubSubRestClient,
  WebPubSubRestError,
  WebPubSubService,
  type WebPubSubModuleOptions,
  type WebPubSubOptionsFactory,
} from '../../../lib/index.js';
import { getWebPubSubContextToken } from '../../../lib/core/web-pubsub.constants.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { StubTokenCredential } from '../../support/stub-token-credential.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { setEnv, withoutWebPubSubEnv } from '../../support/env.js';

/*
 * Every way to register the module (forRoot, forRootAsync with useFactory / useClass / useExisting,
 * extraProviders, isGlobal, the environment fallback), each proven by a REST call that reaches a
 * real emulator through the injected service.
 */

const ACCESS_KEY = 'register-spec-access-key';
const stage = useEmulator({ accessKey: ACCESS_KEY });
let restoreEnv: () => void;

async function compile(metadata: ModuleMetadata): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  stage.defer(() => moduleRef.close());
  return moduleRef;
}

/** The calls the emulator served for one hub since `from` (its index in restCalls). */
const callsSince = (from: number) =>
  stage.emulator.restCalls.slice(from).map((call) => `${call.operation} ${call.path} ${call.status}`);

/** Sends through the service and returns what the emulator saw. */
async function sendThrough(service: WebPubSubService): Promise<string[]> {
  const from = stage.emulator.restCalls.length;
  await service.sendToAll({ hello: service.hubName });
  return callsSince(from);
}

const SETTINGS = Symbol('SETTINGS');
/** A module standing in for an app's own configuration module. */
@Module({
  providers: [
    {
      provide: SETTINGS,
      useFactory: () => ({ connectionString: stage.emulator.connectionString, hub: 'fromsettings' }),
    },
  ],
  exports: [SETTINGS],
})
class SettingsModule {}

@Injectable()
class ClassFactory implements WebPubSubOptionsFactory {
  static calls = 0;
  static constructed = 0;
  constructor(@Inject(SETTINGS) private readonly settings: { connectionString: string }) {
    ClassFactory.constructed++;
  }
  createWebPubSubOptions(): WebPubSubModuleOptions {
    ClassFactory.calls++;
    return { connectionString: this.settings.connectionString, hub: 'fromclass', logger: false };
  }
}

@Module({ imports: [SettingsModule], providers: [ClassFactory], exports: [ClassFactory] })
class FactoryModule {}

/** A feature module that injects the service without importing WebPubSubModule itself. */
@Injectable()
class Notifier {
  constructor(readonly webPubSub: WebPubSubService) {}
}
@Module({ providers: [Notifier], exports: [Notifier] })
class FeatureModule {}

beforeAll(() => {
  restoreEnv = withoutWebPubSubEnv();
});
afterAll(() => restoreEnv());

describe('WebPubSubModule.forRoot', () => {
  it("provides WebPubSubService by class: a WebPubSubRestClient for its hub, with the client's own members (none copied)", async () => {
    const moduleRef = await compile({
      imports: [
        WebPubSubModule.forRoot({ connectionString: stage.emulator.connectionString, hub: 'chat', logger: false }),
      ],
    });
    const service = moduleRef.get(WebPubSubService);
    expect(service).toBeInstanceOf(WebPubSubRestClient);
    expect(service).toMatchObject({
      instanceName: 'default',
      hubName: 'chat',
      endpoint: stage.emulator.endpoint,
      apiVersion: '2024-12-01',
    });
    const clientMembers = Object.getOwnPropertyNames(WebPubSubRestClient.prototype).filter(
      (name) => name !== 'constructor',
    );
    expect(clientMembers).toEqual(
      expect.arrayContaining([
        'sendToAll',
        'sendToUser',
        'group',
        'hub',
        'getClientAccessToken',
        'closeUserConnections',
        'grantPermission',
        'removeConnectionsFromGroups',
        'pipeline',
      ]),
    );
    // Inherited, not re-declared: an editor shows the client's docs, and no overload list is copied.
    expect(Object.getOwnPropertyNames(WebPubSubService.prototype).sort()).toEqual(['client', 'constructor']);
    // The instance's pipeline (its logging and retries), shared with the client the features send through.
    const context = moduleRef.get<{ client: WebPubSubRestClient }>(getWebPubSubContextToken('default'));
    expect(service.pipeline).toBe(context.client.pipeline);
    expect(service.client).toBe(service);
    await expect(service.getServiceStatus()).resolves.toBe(true);
    expect(await sendThrough(service)).toEqual(['sendToAll /api/hubs/chat/:send 202']);
  });

  it('exposes the raw client (service.client) and clients for other hubs (service.hub)', async () => {
    const moduleRef = await compile({
      imports: [
        WebPubSubModule.forRoot({ connectionString: stage.emulator.connectionString, hub: 'chat', logger: false }),
      ],
    });
    const service = moduleRef.get(WebPubSubService);
    expect(service.client).toBeInstanceOf(WebPubSubRestClient);
    expect(service.client.hubName).toBe('chat');
    const from = stage.emulator.restCalls.length;
    await service.client.group('room').sendToAll('text', { contentType: 'text/plain' });
    await service.hub('lobby').sendToUser('alice', { n: 1 });
    expect(service.hub('lobby').hubName).toBe('lobby');
    expect(service.hubName).toBe('chat');
    expect(callsSince(from)).toEqual([
      'sendToGroup /api/hubs/chat/groups/room/:send 202',
      'sendToUser /api/hubs/lobby/users/alice/:send 202',
    ]);
  });

  it('endpoint with an AzureKeyCredential, or with a TokenCredential', async () => {
    const entra = new StubTokenCredential();
    const moduleRef = await compile({
      imports: [
        WebPubSubModule.forRoot({
          endpoint: stage.emulator.endpoint,
          credential: new AzureKeyCredential(ACCESS_KEY),
          hub: 'keyed',
          logger: false,
        }),
        WebPubSubModule.forRoot({
          name: 'entra',
          endpoint: stage.emulator.endpoint,
          credential: entra,
          hub: 'entra',
          logger: false,
          retryOptions: { maxRetries: 0 },
        }),
      ],
    });
    expect(await sendThrough(moduleRef.get(WebPubSubService))).toEqual(['sendToAll /api/hubs/keyed/:send 202']);
    // There is no Entra ID on loopback: the pipeline refuses a bearer token over plain http, which shows
    // the TokenCredential (not a key) is what this instance signs with.
    const entraService = moduleRef.get<WebPubSubService>(getWebPubSubToken('entra'));
    expect(entraService.endpoint).toBe(stage.emulator.endpoint);
    await expect(entraService.sendToAll({})).rejects.toThrow(/Bearer token authentication/);
  });

  it('passes apiVersion, retryOptions and reverseProxyEndpoint to the client', async () => {
    const proxy = await WebPubSubEmulator.start();
    try {
      const moduleRef = await compile({
        imports: [
          WebPubSubModule.forRoot({
            connectionString: stage.emulator.connectionString,
            hub: 'chat',
            logger: false,
            apiVersion: '2024-01-01',
            retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
          }),
          WebPubSubModule.forRoot({
            name: 'once',
            connectionString: stage.emulator.connectionString,
            hub: 'chat',
            logger: false,
            retryOptions: { maxRetries: 0 },
          }),
          WebPubSubModule.forRoot({
            name: 'proxied',
            connectionString: stage.emulator.connectionString,
            hub: 'chat',
            logger: false,
            reverseProxyEndpoint: proxy.endpoint,
            retryOptions: { maxRetries: 0 },
          }),
        ],
      });
      const service = moduleRef.get(WebPubSubService);
      expect(service.apiVersion).toBe('2024-01-01');
      // One 500 is retried by the default instance, not by the one with maxRetries: 0.
      stage.emulator.faults.failNext(1, { status: 500, operation: 'sendToAll' });
      expect(await sendThrough(service)).toEqual([
        'sendToAll /api/hubs/chat/:send 500',
        'sendToAll /api/hubs/chat/:send 202',
      ]);
      stage.emulator.faults.failNext(1, { status: 500, operation: 'sendToAll' });
      await expect(moduleRef.get<WebPubSubService>(getWebPubSubToken('once')).sendToAll({})).rejects.toMatchObject({
        status: 500,
      });
      // The proxy host gets the request (its token names the service, so the emulator refuses it).
      const proxied = moduleRef.get<WebPubSubService>(getWebPubSubToken('proxied'));
      const from = stage.emulator.restCalls.length;
      await expect(proxied.sendToAll({})).rejects.toBeInstanceOf(WebPubSubRestError);
      expect(proxy.restCalls.map((call) => `${call.operation} ${call.path}`)).toEqual([
        'sendToAll /api/hubs/chat/:send',
      ]);
      expect(callsSince(from)).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});

describe('WebPubSubModule.forRootAsync', () => {
  it('useFactory with imports and inject', async () => {
    const moduleRef = await compile({
      imports: [
        WebPubSubModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SETTINGS],
          useFactory: async (settings: WebPubSubModuleOptions) => ({ ...settings, logger: false }),
        }),
      ],
    });
    const service = moduleRef.get(WebPubSubService);
    expect(service.hubName).toBe('fromsettings');
    expect(await sendThrough(service)).toEqual(['sendToAll /api/hubs/fromsettings/:send 202']);
  });

  it('useClass, with the class dependencies from imports', async () => {
    ClassFactory.calls = ClassFactory.constructed = 0;
    const moduleRef = await compile({
      imports: [WebPubSubModule.forRootAsync({ imports: [SettingsModule], useClass: ClassFactory })],
    });
    const service = moduleRef.get(WebPubSubService);
    expect([ClassFactory.constructed, ClassFactory.calls]).toEqual([1, 1]);
    expect(await sendThrough(service)).toEqual(['sendToAll /api/hubs/fromclass/:send 202']);
  });

  it('useExisting, with the class provided (once) by an imported module', async () => {
    ClassFactory.calls = ClassFactory.constructed = 0;
    const moduleRef = await compile({
      imports: [FactoryModule, WebPubSubModule.forRootAsync({ imports: [FactoryModule], useExisting: ClassFactory })],
    });
    // The app's own instance was used: no second ClassFactory was built for the module.
    expect([ClassFactory.constructed, ClassFactory.calls]).toEqual([1, 1]);
    expect(await sendThrough(moduleRef.get(WebPubSubService))).toEqual(['sendToAll /api/hubs/fromclass/:send 202']);
  });

  it('extraProviders supply what the factory or class needs', async () => {
    ClassFactory.calls = 0;
    const HUB = 'HUB_NAME';
    const moduleRef = await compile({
      imports: [
        WebPubSubModule.forRootAsync({
          extraProviders: [{ provide: HUB, useValue: 'extra' }],
          inject: [HUB],
          useFactory: (hub: string) => ({ connectionString: stage.emulator.connectionString, hub, logger: false }),
        }),
        WebPubSubModule.forRootAsync({
          name: 'byClass',
          extraProviders: [{ provide: SETTINGS, useValue: { connectionString: stage.emulator.connectionString } }],
          useClass: ClassFactory,
        }),
      ],
    });
    expect(await sendThrough(moduleRef.get(WebPubSubService))).toEqual(['sendToAll /api/hubs/extra/:send 202']);
    expect(ClassFactory.calls).toBe(1);
  });
});

describe('isGlobal', () => {
  it.each([
    [
      'forRoot',
      () =>
        WebPubSubModule.forRoot({
          connectionString: stage.emulator.connectionString,
          hub: 'global',
          logger: false,
          isGlobal: true,
        }),
    ],
    [
      'forRootAsync',
      () =>
        WebPubSubModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({ connectionString: stage.emulator.connectionString, hub: 'global', logger: false }),
        }),
    ],
  ])(
    '%s({ isGlobal: true }) makes the service injectable in a feature module that does not import it',
    async (_name, register) => {
      const moduleRef = await compile({ imports: [register(), FeatureModule] });
      const notifier = moduleRef.get(Notifier);
      expect(notifier.webPubSub).toBe(moduleRef.get(WebPubSubService));
      expect(await sendThrough(notifier.webPubSub)).toEqual(['sendToAll /api/hubs/global/:send 202']);
    },
  );

  it('without isGlobal, a feature module that does not import it cannot inject the service', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        WebPubSubModule.forRoot({ connectionString: stage.emulator.connectionString, hub: 'local', logger: false }),
        FeatureModule,
      ],
    }).compile();
    await expect(compiling).rejects.toThrow(
      /can't resolve dependencies of the Notifier \(\?\)[\s\S]*WebPubSubService[\s\S]*FeatureModule/,
    );
  });
});

describe('environment fallback', () => {
  it('forRoot() reads WEBPUBSUB_CONNECTION_STRING and WEBPUBSUB_HUB when the app starts', async () => {
    const restore = setEnv({ WEBPUBSUB_CONNECTION_STRING: stage.emulator.connectionString, WEBPUBSUB_HUB: 'fromenv' });
    try {
      const moduleRef = await compile({ imports: [WebPubSubModule.forRoot({ logger: false })] });
      expect(await sendThrough(moduleRef.get(WebPubSubService))).toEqual(['sendToAll /api/hubs/fromenv/:send 202']);
    } finally {
      restore();
    }
  });

  it('explicit options win over the environment', async () => {
    const other = await WebPubSubEmulator.start();
    const restore = setEnv({ WEBPUBSUB_CONNECTION_STRING: other.connectionString, WEBPUBSUB_HUB: 'fromenv' });
    try {
      const moduleRef = await compile({
        imports: [
          WebPubSubModule.forRoot({
            connectionString: stage.emulator.connectionString,
            hub: 'explicit',
            logger: false,
          }),
        ],
      });
      expect(await sendThrough(moduleRef.get(WebPubSubService))).toEqual(['sendToAll /api/hubs/explicit/:send 202']);
      expect(other.restCalls).toEqual([]);
    } finally {
      restore();
      await other.stop();
    }
  });

  it('only the missing one falls back: an explicit hub with the connection string from the environment', async () => {
    const restore = setEnv({ WEBPUBSUB_CONNECTION_STRING: stage.emulator.connectionString, WEBPUBSUB_HUB: 'fromenv' });
    try {
      const moduleRef = await compile({
        imports: [WebPubSubModule.forRootAsync({ useFactory: () => ({ hub: 'mixed', logger: false }) })],
      });
      expect(await sendThrough(moduleRef.get(WebPubSubService))).toEqual(['sendToAll /api/hubs/mixed/:send 202']);
    } finally {
      restore();
    }
  });
});

describe('registering an instance twice', () => {
  /** A feature module that registers the default instance again, as a copied events sample would. */
  const featureRegistering = (logger: CapturingLogger) => {
    @Module({
      imports: [WebPubSubModule.forRoot({ connectionString: stage.emulator.connectionString, hub: 'events', logger })],
    })
    class EventsFeatureModule {}
    return EventsFeatureModule;
  };
  const warnings = (logger: CapturingLogger) =>
    logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);

  it('warns once at startup, naming the count and the fix, when the default instance is registered twice', async () => {
    const logger = new CapturingLogger();
    await compile({
      imports: [
        WebPubSubModule.forRoot({ connectionString: stage.emulator.connectionString, hub: 'chat', logger }),
        featureRegistering(logger),
      ],
    });
    expect(warnings(logger)).toEqual([
      expect.stringMatching(
        /^WebPubSubModule: the default instance is registered 2 times .*Register it once .*isGlobal: true.*or give the other registrations a `name`\.$/,
      ),
    ]);
    expect(logger.text()).not.toContain(ACCESS_KEY);
  });

  it('warns for a named instance registered twice too, and not for distinct instances', async () => {
    const logger = new CapturingLogger();
    const named = () =>
      WebPubSubModule.forRoot({
        name: 'alerts',
        connectionString: stage.emulator.connectionString,
        hub: 'alerts',
        logger,
      });
    @Module({ imports: [named()] })
    class AlertsFeatureModule {}
    await compile({
      imports: [
        WebPubSubModule.forRoot({ connectionString: stage.emulator.connectionString, hub: 'chat', logger }),
        named(),
        AlertsFeatureModule,
      ],
    });
    expect(warnings(logger)).toEqual([
      expect.stringMatching(/^WebPubSubModule \(instance "alerts"\): the instance is registered 2 times/),
    ]);
  });

  it('says nothing when each instance is registered once, however many modules inject it', async () => {
    const logger = new CapturingLogger();
    await compile({
      imports: [
        WebPubSubModule.forRoot({
          connectionString: stage.emulator.connectionString,
          hub: 'chat',
          logger,
          isGlobal: true,
        }),
        FeatureModule,
      ],
    });
    expect(warnings(logger)).toEqual([]);
  });
});
