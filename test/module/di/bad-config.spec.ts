import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  AzureKeyCredential,
  InjectWebPubSub,
  WebPubSubModule,
  WebPubSubService,
  type WebPubSubModuleOptions,
} from '../../../lib/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { setEnv, withoutWebPubSubEnv } from '../../support/env.js';

/*
 * Every bad configuration fails when the app starts, with one message that names the option and the
 * fix, and neither the message, the stack nor the cause ever shows the access key.
 */

const KEY = 'Sup3rSecretBadConfigKey+DoNotPrint/0123456789=';
const GOOD = `Endpoint=https://contoso.webpubsub.azure.com;AccessKey=${KEY};Version=1.0;`;

let restoreEnv: () => void;
beforeAll(() => {
  restoreEnv = withoutWebPubSubEnv();
});
afterAll(() => restoreEnv());

/** Compiles a testing module that must fail, and returns the error after checking it shows no key. */
async function startupError(metadata: ModuleMetadata): Promise<Error> {
  let moduleRef;
  try {
    moduleRef = await Test.createTestingModule(metadata).compile();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    // inspect() shows the message, the stack and the whole cause chain, as Node prints an uncaught error.
    expect(inspect(error, { depth: 10 })).not.toContain(KEY);
    return error as Error;
  }
  await moduleRef.close();
  throw new Error('The app started, but the test expected its configuration to be refused');
}

const withOptions = (options: WebPubSubModuleOptions & { name?: string }) =>
  startupError({ imports: [WebPubSubModule.forRoot({ logger: false, ...options })] });

describe('bad configuration fails at startup with a clear message and no key', () => {
  it.each<[string, WebPubSubModuleOptions & { name?: string }, RegExp]>([
    [
      'missing connection string',
      { hub: 'chat' },
      /^WebPubSubModule: no connection is configured\. Set WEBPUBSUB_CONNECTION_STRING or pass `connectionString`/,
    ],
    [
      'empty connection string',
      { connectionString: '', hub: 'chat' },
      /^WebPubSubModule: no connection is configured\./,
    ],
    [
      'malformed endpoint',
      { connectionString: `Endpoint=not a url;AccessKey=${KEY};Version=1.0;`, hub: 'chat' },
      /^WebPubSubModule: invalid `connectionString`\. .*"not a url" is not a valid http\(s\) URL\. Use the form Endpoint=https:\/\//,
    ],
    [
      'no Endpoint= part',
      { connectionString: `AccessKey=${KEY};Version=1.0;`, hub: 'chat' },
      /^WebPubSubModule: invalid `connectionString`\. .*no Endpoint= part.*Copy it again from the Azure portal/,
    ],
    [
      'only the key pasted',
      { connectionString: KEY, hub: 'chat' },
      /^WebPubSubModule: invalid `connectionString`\. .*no Endpoint= part/,
    ],
    [
      'no AccessKey= part',
      { connectionString: 'Endpoint=https://contoso.webpubsub.azure.com;Version=1.0;', hub: 'chat' },
      /^WebPubSubModule: invalid `connectionString`\. .*no AccessKey= part/,
    ],
    [
      'bad Port= part',
      { connectionString: `${GOOD}Port=99999;`, hub: 'chat' },
      /^WebPubSubModule: invalid `connectionString`\. .*Port "99999" is not a valid port number\. Use a whole number/,
    ],
    [
      'invalid hub name',
      { connectionString: GOOD, hub: 'my hub' },
      /^WebPubSubModule: invalid `hub`\. Hub name "my hub" is invalid: it must start with a letter.*Rename the hub/,
    ],
    [
      'both connectionString and endpoint',
      {
        connectionString: GOOD,
        endpoint: 'https://contoso.webpubsub.azure.com',
        credential: new AzureKeyCredential(KEY),
        hub: 'chat',
      },
      /^WebPubSubModule: both `connectionString` and `endpoint` are set\. Pass only one/,
    ],
    [
      'endpoint without credential',
      { endpoint: 'https://contoso.webpubsub.azure.com', hub: 'chat' },
      /^WebPubSubModule: `endpoint` needs a `credential`.*Pass one, or pass `connectionString` instead\./,
    ],
    [
      'the key itself as credential',
      {
        endpoint: 'https://contoso.webpubsub.azure.com',
        credential: KEY as unknown as AzureKeyCredential,
        hub: 'chat',
      },
      /^WebPubSubModule: `endpoint` needs a `credential` \(an AzureKeyCredential/,
    ],
    [
      'a connection string as endpoint',
      { endpoint: GOOD, credential: new AzureKeyCredential(KEY), hub: 'chat' },
      /^WebPubSubModule: invalid `endpoint`\. endpoint looks like a connection string, not a URL/,
    ],
    [
      'credential without endpoint',
      { credential: new AzureKeyCredential(KEY), hub: 'chat' },
      /^WebPubSubModule: `credential` needs an `endpoint`/,
    ],
    [
      'emulator with a connection string',
      { emulator: true, connectionString: GOOD, hub: 'chat' },
      /^WebPubSubModule: `emulator` is set together with `connectionString` or `endpoint`\..*drop one of them/,
    ],
    [
      'invalid httpLogging',
      { connectionString: GOOD, hub: 'chat', httpLogging: 'everything' as never },
      /^WebPubSubModule: `httpLogging` "everything" is invalid\. Use "off", "errors", "debug" or "verbose"\./,
    ],
    [
      'a named instance says which one',
      { name: 'alerts', connectionString: GOOD, hub: '9lives' },
      /^WebPubSubModule \(instance "alerts"\): invalid `hub`\. Hub name "9lives" is invalid/,
    ],
  ])('%s', async (_case, options, expected) => {
    const error = await withOptions(options);
    expect(error.message).toMatch(expected);
  });

  it('a missing hub names WEBPUBSUB_HUB and `hub`', async () => {
    expect((await withOptions({ connectionString: GOOD })).message).toBe(
      'WebPubSubModule: no hub is configured. Set WEBPUBSUB_HUB or pass `hub` (e.g. "chat").',
    );
  });

  it('values read from WEBPUBSUB_CONNECTION_STRING / WEBPUBSUB_HUB say so', async () => {
    const restore = setEnv({
      WEBPUBSUB_CONNECTION_STRING: `Endpoint=not a url;AccessKey=${KEY};`,
      WEBPUBSUB_HUB: 'chat',
    });
    try {
      expect((await withOptions({})).message).toMatch(
        /^WebPubSubModule: invalid `connectionString` \(read from WEBPUBSUB_CONNECTION_STRING\)\. /,
      );
      process.env.WEBPUBSUB_CONNECTION_STRING = GOOD;
      process.env.WEBPUBSUB_HUB = 'bad hub';
      expect((await withOptions({})).message).toMatch(
        /^WebPubSubModule: invalid `hub` \(read from WEBPUBSUB_HUB\)\. Hub name "bad hub" is invalid/,
      );
    } finally {
      restore();
    }
  });

  it('forRootAsync checks the options its factory returns the same way', async () => {
    const error = await startupError({
      imports: [
        WebPubSubModule.forRootAsync({
          useFactory: async () => ({ connectionString: `Endpoint=;AccessKey=${KEY}`, hub: 'chat', logger: false }),
        }),
      ],
    });
    expect(error.message).toMatch(
      /^WebPubSubModule: invalid `connectionString`\. The Web PubSub connection string has no Endpoint= part/,
    );
  });

  it('forRootAsync whose factory returns nothing', async () => {
    const error = await startupError({
      imports: [WebPubSubModule.forRootAsync({ useFactory: () => undefined as never })],
    });
    expect(error.message).toMatch(
      /^WebPubSubModule: the options factory returned no object\. Return the module options/,
    );
  });

  it('forRootAsync without useFactory, useClass or useExisting', () => {
    expect(() => WebPubSubModule.forRootAsync({ imports: [], inject: [] })).toThrow(
      'WebPubSubModule.forRootAsync: pass one of `useFactory`, `useClass` or `useExisting`.',
    );
    expect(() => WebPubSubModule.forRootAsync({ name: 'alerts' })).toThrow(
      /^WebPubSubModule\.forRootAsync \(instance "alerts"\): pass one of `useFactory`/,
    );
  });

  it('an empty instance name', () => {
    expect(() => WebPubSubModule.forRoot({ name: ' ', connectionString: GOOD, hub: 'chat' })).toThrow(
      /^WebPubSubModule: `name` " " is invalid\. Pass a non-empty string/,
    );
  });

  describe('emulator with NODE_ENV=production', () => {
    let restore: () => void;
    beforeAll(() => {
      restore = setEnv({ NODE_ENV: 'production' });
    });
    afterAll(() => restore());

    it('is refused before any emulator starts', async () => {
      const error = await withOptions({ emulator: true, hub: 'chat' });
      expect(error.message).toBe(
        'WebPubSubModule: `emulator` is refused because NODE_ENV=production. The emulator is for local development and tests: configure a real Web PubSub service for production.',
      );
    });
  });
});

describe('injecting an instance that was never registered', () => {
  @Injectable()
  class NeedsGhost {
    constructor(@InjectWebPubSub('ghost') readonly ghost: WebPubSubService) {}
  }

  it("Nest's resolution error names the instance and how to register it", async () => {
    const error = await startupError({
      imports: [
        WebPubSubModule.forRoot({ connectionString: GOOD, hub: 'chat', logger: false }),
        WebPubSubModule.forRoot({ name: 'alerts', connectionString: GOOD, hub: 'alerts', logger: false }),
      ],
      providers: [NeedsGhost],
    });
    expect(error.message).toContain(`Nest can't resolve dependencies of the NeedsGhost (?).`);
    expect(error.message).toContain(
      `"WebPubSubService "ghost" (register it with WebPubSubModule.forRoot({ name: 'ghost', … }) or forRootAsync({ name: 'ghost', … }))" at index [0]`,
    );
  });
});

describe('a real app (NestFactory.create)', () => {
  it('refuses to start, and what Nest logs about it shows no key', async () => {
    const logger = new CapturingLogger();
    @Module({
      imports: [
        WebPubSubModule.forRoot({
          connectionString: `Endpoint=https://contoso.webpubsub.azure.com;AccessKey=${KEY};Port=0;`,
          hub: 'chat',
        }),
      ],
    })
    class AppModule {}
    const creating = NestFactory.create(AppModule, { logger, abortOnError: false });
    await expect(creating).rejects.toThrow(
      /^WebPubSubModule: invalid `connectionString`\. The connection string's Port "0" is not a valid port number/,
    );
    expect(logger.text()).toContain('invalid `connectionString`');
    expect(logger.text()).not.toContain(KEY);
  });
});
