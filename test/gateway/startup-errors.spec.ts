import { describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Scope, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebSocketGateway, SubscribeMessage } from '@nestjs/websockets';
import { WebPubSubModule } from '../../lib/index.js';
import { WebPubSubAdapter } from '../../lib/gateway/index.js';

const connectionString =
  'Endpoint=http://127.0.0.1:1;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;';

async function startWith(gateway: Type, imports: unknown[]): Promise<unknown> {
  const moduleRef = await Test.createTestingModule({ imports: imports as never[], providers: [gateway] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(new WebPubSubAdapter(app));
  try {
    await app.init();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await app.close().catch(() => undefined);
  }
}

@WebSocketGateway()
class NoHubGateway {
  @SubscribeMessage('x') x(): void {}
}

@WebSocketGateway({ hub: '9chat' })
class BadHubGateway {}

@WebSocketGateway({ hub: 'chat', instance: 'alerts' })
class UnknownInstanceGateway {}

@WebSocketGateway({ hub: 'chat' })
class ChatOnlyGateway {}

@WebSocketGateway({ hub: 'news' })
class NewsGateway {}

@WebSocketGateway({ hub: 'chat' })
class EchoGateway {
  @SubscribeMessage('echo') echo(): void {}
}

/** Request-scoped by its dependency. */
@Injectable({ scope: Scope.REQUEST })
class PerRequest {}

@WebSocketGateway({ hub: 'chat' })
class RequestScopedGateway {
  constructor(@Inject(PerRequest) readonly perRequest: PerRequest) {}
  handleConnection(): void {}
  @SubscribeMessage('x') x(): void {}
}

@WebSocketGateway({ hub: 'chat' })
class RequestScopedWithoutConnection {
  constructor(@Inject(PerRequest) readonly perRequest: PerRequest) {}
  @SubscribeMessage('x') x(): void {}
}

describe('WebPubSubAdapter startup errors name the problem and the fix', () => {
  const module = WebPubSubModule.forRoot({ connectionString, hub: 'chat', httpLogging: 'off' });

  it('a gateway without a hub', async () => {
    expect(String(await startWith(NoHubGateway, [module]))).toMatch(
      /NoHubGateway is a @WebSocketGateway without a hub.*Name it: @WebSocketGateway\(\{ hub: 'chat' \}\)/,
    );
  });

  it('an invalid hub name', async () => {
    expect(String(await startWith(BadHubGateway, [module]))).toMatch(
      /BadHubGateway names hub "9chat", which Web PubSub does not accept.*Rename it/,
    );
  });

  it('an instance that is not registered', async () => {
    expect(String(await startWith(UnknownInstanceGateway, [module]))).toMatch(
      /instance "alerts", which is not registered\. Register it with WebPubSubModule\.forRoot\(\{ name: 'alerts'/,
    );
  });

  it('an instance without an event route', async () => {
    const noRoute = WebPubSubModule.forRoot({ connectionString, hub: 'chat', httpLogging: 'off', eventsPath: false });
    expect(String(await startWith(ChatOnlyGateway, [noRoute]))).toMatch(/serves no event route.*Give the instance one/);
  });

  it('the adapter without WebPubSubModule', async () => {
    expect(String(await startWith(ChatOnlyGateway, []))).toMatch(
      /found no WebPubSubModule.*Import WebPubSubModule\.forRoot/,
    );
  });

  it('a request-scoped gateway with handleConnection (and none without it)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [module],
      providers: [PerRequest, RequestScopedGateway],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WebPubSubAdapter(app));
    const error = await app.init().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await app.close().catch(() => undefined);
    expect(String(error)).toMatch(
      /RequestScopedGateway is request-scoped and has handleConnection: .*Make the gateway a singleton/,
    );
    const fine = await Test.createTestingModule({
      imports: [module],
      providers: [PerRequest, RequestScopedWithoutConnection],
    }).compile();
    const other = fine.createNestApplication({ logger: false });
    other.useWebSocketAdapter(new WebPubSubAdapter(other));
    await expect(other.init()).resolves.toBe(other);
    await other.close();
  });

  it('two hubs that Nest would put on one socket server', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [module],
      providers: [ChatOnlyGateway, NewsGateway],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WebPubSubAdapter(app));
    const error = await app.init().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await app.close().catch(() => undefined);
    expect(String(error)).toMatch(
      /ChatOnlyGateway \(hub 'chat'\) and NewsGateway \(hub 'news'\) have the same port and path.*Give one of them its own `path`/,
    );
  });

  it('no error: two apps built in turn from one module object (as a test file does), each with the gateway', async () => {
    for (let round = 0; round < 2; round += 1) expect(await startWith(EchoGateway, [module])).toBeUndefined();
    // Both at once, as two instances of the app in one process.
    const apps = await Promise.all(
      [0, 1].map(async () =>
        (
          await Test.createTestingModule({ imports: [module], providers: [EchoGateway] }).compile()
        ).createNestApplication({ logger: false }),
      ),
    );
    for (const app of apps) app.useWebSocketAdapter(new WebPubSubAdapter(app));
    const results = await Promise.all(
      apps.map((app) =>
        app.init().then(
          () => 'started',
          (error: unknown) => String(error),
        ),
      ),
    );
    await Promise.all(apps.map((app) => app.close()));
    expect(results).toEqual(['started', 'started']);
  });
});
