import { afterEach, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module, Scope, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { OnUserEvent, WebPubSubEventHandler, WebPubSubModule, type UserEventRequest } from '../../../lib/index.js';
import { acceptEveryEventBody } from '../../support/event-bodies.js';
import { upstreamEventHeaders } from '../../support/upstream-events.js';

/**
 * How handlers are found (like @nestjs/bull's explorer): whatever the provider form, whatever its
 * scope, and per (instance, hub), each instance on its own route with its own keys.
 */
const KEY_A = 'KeyOfInstanceA0000000000000000000000000000000=';
const KEY_B = 'KeyOfInstanceB1111111111111111111111111111111=';
const SERVICE_HOST = 'contoso.webpubsub.azure.com';
const connectionString = (key: string) => `Endpoint=https://${SERVICE_HOST};AccessKey=${key};Version=1.0;`;

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(metadata: ModuleMetadata): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  app = moduleRef.createNestApplication({ logger: false });
  acceptEveryEventBody(app);
  await app.init();
  return app;
}

/** Sends a signed `echo` user event for `hub` to `path`, as connection `connectionId`. */
function sendEvent(path: string, hub: string, key: string, connectionId = 'conn-1') {
  const headers = upstreamEventHeaders(
    'echo',
    { hub, connectionId, userId: 'u1', key, origin: SERVICE_HOST },
    { 'content-type': 'application/json' },
  );
  return request(app!.getHttpServer()).post(path).set(headers).send('{"n":1}');
}

@WebPubSubEventHandler({ hub: 'chat' })
class NamedEvents {
  label = 'from a class';

  @OnUserEvent('echo')
  echo(): string {
    return this.label;
  }
}

describe('handler discovery', () => {
  it.each([
    ['useClass', { provide: 'Handler', useClass: NamedEvents }, 'from a class'],
    [
      'useFactory',
      { provide: 'Handler', useFactory: () => Object.assign(new NamedEvents(), { label: 'from a factory' }) },
      'from a factory',
    ],
    [
      'useValue',
      { provide: 'Handler', useValue: Object.assign(new NamedEvents(), { label: 'from a value' }) },
      'from a value',
    ],
  ])('finds a handler provided with %s', async (_, provider, label) => {
    await start({
      imports: [WebPubSubModule.forRoot({ connectionString: connectionString(KEY_A), hub: 'chat', logger: false })],
      providers: [provider],
    });
    expect((await sendEvent('/eventhandler', 'chat', KEY_A).expect(200)).text).toBe(label);
  });

  it("resolves a request-scoped handler per event, with that event's request", async () => {
    const made: object[] = [];
    @Injectable({ scope: Scope.REQUEST })
    @WebPubSubEventHandler({ hub: 'chat' })
    class PerEventHandler {
      constructor(@Inject(REQUEST) private readonly upstream: { headers: Record<string, string> }) {
        made.push(this);
      }

      @OnUserEvent('echo')
      echo(event: UserEventRequest): string {
        return `${event.context.connectionId} via ${this.upstream.headers['ce-connectionid']}`;
      }
    }
    await start({
      imports: [WebPubSubModule.forRoot({ connectionString: connectionString(KEY_A), hub: 'chat', logger: false })],
      providers: [PerEventHandler],
    });
    expect((await sendEvent('/eventhandler', 'chat', KEY_A, 'first').expect(200)).text).toBe('first via first');
    expect((await sendEvent('/eventhandler', 'chat', KEY_A, 'second').expect(200)).text).toBe('second via second');
    expect(made).toHaveLength(2);
    expect(made[0]).not.toBe(made[1]);
  });

  it('two named instances, each with its own route and a hub called chat, dispatch to their own classes and check their own keys', async () => {
    @WebPubSubEventHandler({ hub: 'chat', instance: 'a' })
    class ChatOfA {
      @OnUserEvent('echo')
      echo(): string {
        return 'a';
      }
    }
    @WebPubSubEventHandler({ hub: 'chat', instance: 'b' })
    class ChatOfB {
      @OnUserEvent('echo')
      echo(): string {
        return 'b';
      }
    }
    @Module({ providers: [ChatOfB] })
    class FeatureB {}
    await start({
      imports: [
        WebPubSubModule.forRoot({
          name: 'a',
          eventsPath: '/a/events',
          connectionString: connectionString(KEY_A),
          hub: 'chat',
          logger: false,
        }),
        WebPubSubModule.forRoot({
          name: 'b',
          eventsPath: '/b/events',
          connectionString: connectionString(KEY_B),
          hub: 'chat',
          logger: false,
        }),
        FeatureB,
      ],
      providers: [ChatOfA],
    });
    expect((await sendEvent('/a/events', 'chat', KEY_A).expect(200)).text).toBe('a');
    expect((await sendEvent('/b/events', 'chat', KEY_B).expect(200)).text).toBe('b');
    // Each route checks signatures with its own instance's key only.
    await sendEvent('/a/events', 'chat', KEY_B).expect(401);
    await sendEvent('/b/events', 'chat', KEY_A).expect(401);
  });

  it('refuses at startup a handler whose instance serves no route, naming the class and the fix', async () => {
    @WebPubSubEventHandler({ hub: 'chat', instance: 'quiet' })
    class Orphan {}
    await expect(
      start({
        imports: [
          WebPubSubModule.forRoot({ connectionString: connectionString(KEY_A), hub: 'chat', logger: false }),
          WebPubSubModule.forRoot({
            name: 'quiet',
            connectionString: connectionString(KEY_B),
            hub: 'chat',
            logger: false,
          }),
        ],
        providers: [Orphan],
      }),
    ).rejects.toThrow(
      /Orphan is @WebPubSubEventHandler\(\{ hub: 'chat', instance: 'quiet' \}\), but instance "quiet" serves no event route.*eventsPath/,
    );
  });

  it('still refuses two classes for one hub of one instance', async () => {
    @WebPubSubEventHandler({ hub: 'chat' })
    class Second {}
    await expect(
      start({
        imports: [WebPubSubModule.forRoot({ connectionString: connectionString(KEY_A), hub: 'chat', logger: false })],
        providers: [{ provide: 'First', useClass: NamedEvents }, Second],
      }),
    ).rejects.toThrow("Two classes are @WebPubSubEventHandler({ hub: 'chat' }). Use one class per hub and instance.");
  });
});
