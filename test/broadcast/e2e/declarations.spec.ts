import { describe, expect, it } from '@jest/globals';
import { Body, Controller, Post } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { concatMap, from } from 'rxjs';
import {
  BroadcastToGroup,
  BroadcastToHub,
  odata,
  type BroadcastContext,
  SendToConnection,
  SendToUser,
  WebPubSubBroadcastInterceptor,
  WebPubSubModule,
} from '../../../lib/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { DEFAULT_ADAPTER, type AdapterName } from '../../support/http-adapters.js';
import { instanceContext } from '../../support/instance-context.js';
import { dataAt, inbox, useBroadcastApp } from './broadcast-harness.js';

/*
 * How broadcasts are declared and tuned: stacked decorators, class-level declarations and method
 * precedence, the interceptor also bound globally (APP_INTERCEPTOR) without double sends, and each
 * option (map, hub, instance, filter, excluded, messageTtlSeconds, delivery, onError).
 */

type Fields = Record<string, string>;

@Controller('stacked')
class StackedController {
  @Post()
  @BroadcastToGroup('crew')
  @SendToUser('erin')
  @SendToConnection((ctx) => (ctx.body as Fields).connectionId!)
  create() {
    return { stacked: true };
  }
}

@Controller('classy')
@BroadcastToGroup('class-group')
class ClassLevelController {
  @Post('inherits')
  inherits() {
    return { from: 'class' };
  }

  @Post('own')
  @SendToUser('frank')
  own() {
    return { from: 'method' };
  }
}

/** No declaration at all: the global interceptor must leave it alone. */
@Controller('plain')
class PlainController {
  @Post()
  plain() {
    return { plain: true };
  }
}

@Controller('options')
class OptionsController {
  @Post('map')
  @BroadcastToHub({ map: (order: { id: number }) => ({ id: order.id }) })
  map() {
    return { id: 7, secret: 'stays in the response' };
  }

  @Post('map-nothing')
  @BroadcastToHub({ map: () => undefined })
  mapNothing() {
    return { sent: false };
  }

  @Post('other-hub')
  @BroadcastToHub({ hub: 'audit' })
  otherHub() {
    return { hub: 'audit' };
  }

  @Post('other-instance')
  @BroadcastToGroup('ops', { instance: 'second' })
  otherInstance() {
    return { instance: 'second' };
  }

  @Post('filter')
  @BroadcastToHub({
    filter: (ctx: BroadcastContext<unknown, unknown, { except: string }>) => odata`userId ne ${ctx.body.except}`,
  })
  filter() {
    return { filtered: true };
  }

  @Post('excluded')
  @BroadcastToGroup('team', { excluded: (ctx) => [(ctx.body as Fields).self!] })
  excluded() {
    return { excluded: true };
  }

  @Post('ttl')
  @SendToUser('gina', { messageTtlSeconds: 30 })
  ttl() {
    return { ttl: 30 };
  }

  @Post('background')
  @BroadcastToHub({ delivery: 'background' })
  background() {
    return from([1, 2, 3, 4, 5]).pipe(concatMap(async (n) => ({ n })));
  }

  @Post('fails')
  @BroadcastToGroup('doomed')
  fails(@Body() body: unknown) {
    return body;
  }

  @Post('fails-logged')
  @BroadcastToGroup('doomed', { onError: 'log' })
  failsLogged(@Body() body: unknown) {
    return body;
  }
}

describe.each(DEFAULT_ADAPTER)(
  'broadcast declarations on %s (interceptor also bound globally)',
  (adapter: AdapterName) => {
    /** The emulator of the named instance 'second'. */
    const second = useEmulator();
    /** URLs of the default instance's REST calls, as they left the pipeline. */
    const urls: string[] = [];
    const recordUrls: PipelinePolicy = {
      name: 'record-urls',
      sendRequest: (request, next) => (urls.push(request.url), next(request)),
    };
    const harness = useBroadcastApp(adapter, () => ({
      controllers: [StackedController, ClassLevelController, PlainController, OptionsController],
      imports: [
        WebPubSubModule.forRoot({
          name: 'second',
          connectionString: second.emulator.connectionString,
          hub: 'chat',
          httpLogging: 'off',
        }),
      ],
      providers: [{ provide: APP_INTERCEPTOR, useClass: WebPubSubBroadcastInterceptor }],
      module: { clientOptions: { additionalPolicies: [{ policy: recordUrls, position: 'perCall' }] } },
    }));

    it('stacked decorators each send once, in the order written, even with the global binding', async () => {
      const crew = await harness.receiver('crew', { groups: ['crew'] });
      const erin = await harness.receiver('erin', { userId: 'erin' });
      const target = await harness.receiver('target');
      const bystander = await harness.receiver('bystander', { userId: 'zed', groups: ['other'] });
      const calls = await harness.restCallsDuring(() =>
        harness.http().post('/stacked').send({ connectionId: target.connectionId }).expect(201, { stacked: true }),
      );
      expect(calls).toEqual(['sendToGroup 202', 'sendToUser 202', 'sendToConnection 202']);
      expect(await dataAt(crew, erin, target, bystander)).toEqual([
        [{ stacked: true }],
        [{ stacked: true }],
        [{ stacked: true }],
        [],
      ]);
    });

    it('a class-level decorator covers undecorated routes; a method with its own uses only those', async () => {
      const member = await harness.receiver('class-group member', { groups: ['class-group'] });
      const frank = await harness.receiver('frank', { userId: 'frank' });
      expect(await harness.restCallsDuring(() => harness.http().post('/classy/inherits').expect(201))).toEqual([
        'sendToGroup 202',
      ]);
      expect(await harness.restCallsDuring(() => harness.http().post('/classy/own').expect(201))).toEqual([
        'sendToUser 202',
      ]);
      expect(await dataAt(member, frank)).toEqual([[{ from: 'class' }], [{ from: 'method' }]]);
    });

    it('the global interceptor sends nothing for routes without declarations', async () => {
      const everyone = await harness.receiver('everyone');
      expect(await harness.restCallsDuring(() => harness.http().post('/plain').expect(201, { plain: true }))).toEqual(
        [],
      );
      expect(await inbox(everyone)).toEqual([[]]);
    });

    it('map changes what is sent, not the HTTP response; a map giving undefined sends nothing', async () => {
      const receiver = await harness.receiver('receiver');
      await harness.http().post('/options/map').expect(201, { id: 7, secret: 'stays in the response' });
      await harness.http().post('/options/map-nothing').expect(201, { sent: false });
      expect(await dataAt(receiver)).toEqual([[{ id: 7 }]]);
    });

    it('hub sends to another hub of the instance', async () => {
      const audit = await harness.receiver('audit', {}, 'audit');
      const chat = await harness.receiver('chat');
      await harness.http().post('/options/other-hub').expect(201);
      expect(await dataAt(audit, chat)).toEqual([[{ hub: 'audit' }], []]);
    });

    it('instance sends through the named module instance (its own emulator)', async () => {
      const there = await harness.receiver('ops on second', { groups: ['ops'] }, undefined, harness.instance('second'));
      const here = await harness.receiver('ops on default', { groups: ['ops'] });
      const callsHere = await harness.restCallsDuring(async () =>
        expect(
          await harness.restCallsDuring(
            () => harness.http().post('/options/other-instance').expect(201),
            second.emulator,
          ),
        ).toEqual(['sendToGroup 202']),
      );
      expect(callsHere).toEqual([]);
      expect(await dataAt(there, here)).toEqual([[{ instance: 'second' }], []]);
    });

    it('filter selects the receivers with an OData filter', async () => {
      const alice = await harness.receiver('alice', { userId: 'alice' });
      const bob = await harness.receiver('bob', { userId: 'bob' });
      await harness.http().post('/options/filter').send({ except: 'alice' }).expect(201);
      expect(new URL(urls.at(-1)!).searchParams.get('filter')).toBe("userId ne 'alice'");
      expect(await dataAt(alice, bob)).toEqual([[], [{ filtered: true }]]);
    });

    it('excluded keeps the listed connections out of a group send', async () => {
      const self = await harness.receiver('self', { groups: ['team'] });
      const mate = await harness.receiver('mate', { groups: ['team'] });
      await harness.http().post('/options/excluded').send({ self: self.connectionId }).expect(201);
      expect(new URL(urls.at(-1)!).searchParams.getAll('excluded')).toEqual([self.connectionId]);
      expect(await dataAt(self, mate)).toEqual([[], [{ excluded: true }]]);
    });

    it('messageTtlSeconds reaches the REST call', async () => {
      const gina = await harness.receiver('gina', { userId: 'gina' });
      urls.length = 0;
      await harness.http().post('/options/ttl').expect(201);
      expect(urls).toHaveLength(1);
      expect(new URL(urls[0]!).pathname).toBe('/api/hubs/chat/users/gina/:send');
      expect(new URL(urls[0]!).searchParams.get('messageTtlSeconds')).toBe('30');
      expect(await dataAt(gina)).toEqual([[{ ttl: 30 }]]);
    });

    it("background delivery keeps one request's emissions in order", async () => {
      const receiver = await harness.receiver('receiver');
      await harness.http().post('/options/background').expect(201, { n: 5 });
      await instanceContext(harness.app).backgroundQueue.drain();
      expect(await dataAt(receiver)).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]]);
    });

    it('a failed send fails the request with 502 by default; onError "log" keeps the response', async () => {
      const member = await harness.receiver('doomed member', { groups: ['doomed'] });
      harness.emulator.faults.failNext(1, { status: 400, operation: 'sendToGroup' });
      const failed = await harness.http().post('/options/fails').send({ n: 1 }).expect(502);
      // The client learns that the broadcast failed; which group stays in the server log (checked below).
      expect((failed.body as { message: string }).message).toContain(
        'broadcasting its result through Azure Web PubSub failed',
      );
      harness.emulator.faults.failNext(1, { status: 400, operation: 'sendToGroup' });
      await harness.http().post('/options/fails-logged').send({ n: 2 }).expect(201, { n: 2 });
      const errors = harness.logs.lines.filter((line) => line.level === 'error').map((line) => line.message);
      expect(errors.filter((message) => message.includes('to group "doomed" of hub "chat" failed'))).toHaveLength(2);
      expect(await inbox(member)).toEqual([[]]);
    });
  },
);
