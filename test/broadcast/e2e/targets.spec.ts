import { describe, expect, it } from '@jest/globals';
import {
  Body,
  Controller,
  Get,
  Injectable,
  Param,
  Post,
  Query,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import {
  BroadcastToGroup,
  BroadcastToHub,
  SendToConnection,
  SendToUser,
  type BroadcastContext,
} from '../../../lib/index.js';
import { DEFAULT_ADAPTER, type AdapterName } from '../../support/http-adapters.js';
import { dataAt, inbox, useBroadcastApp } from './broadcast-harness.js';

/*
 * Each decorator reaches exactly its targets: receivers inside get the message once, receivers
 * outside (other groups, users, connections, hubs) get nothing. Targets come from fixed values or
 * from the request (params, query, headers, body, user) and the result.
 */

/** Sets request.user from a header, as an auth guard would. */
@Injectable()
class HeaderUserGuard implements CanActivate {
  canActivate(execution: ExecutionContext): boolean {
    const request = execution.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
    if (request.headers['x-user']) request.user = { id: request.headers['x-user'] };
    return true;
  }
}

type Ctx = BroadcastContext;
/** What the last dynamic resolver saw, to check the context it was given. */
let seen: { route?: string; result?: unknown } = {};

@Controller('targets')
@UseGuards(HeaderUserGuard)
class TargetsController {
  @Post('hub')
  @BroadcastToHub()
  hub(@Body() body: unknown) {
    return body;
  }

  @Post('lobby')
  @BroadcastToGroup('lobby')
  lobby() {
    return { to: 'lobby' };
  }

  @Post('two-groups')
  @BroadcastToGroup(['red', 'blue'])
  twoGroups() {
    return { to: 'red+blue' };
  }

  @Post('two-groups-once')
  @BroadcastToGroup(['red', 'blue'], { multiGroup: 'filter' })
  twoGroupsOnce() {
    return { to: 'red|blue' };
  }

  @Post('rooms/:room')
  @BroadcastToGroup((ctx: Ctx) => ctx.params.room)
  room(@Param('room') room: string) {
    return { room };
  }

  @Get('tenants')
  @BroadcastToGroup((ctx: Ctx) => {
    seen = { route: `${ctx.execution.getClass().name}.${ctx.execution.getHandler().name}`, result: ctx.result };
    return `${String(ctx.headers['x-tenant'])}-${String(ctx.query.team)}`;
  })
  tenant(@Query('team') team: string) {
    return { team };
  }

  @Post('me')
  @SendToUser((ctx: BroadcastContext<unknown, { id: string }>) => ctx.user.id)
  me() {
    return { note: 'for me' };
  }

  @Post('owner')
  @SendToUser((ctx: BroadcastContext<{ owner: string }>) => ctx.result.owner)
  owner(@Body() body: { owner: string }) {
    return { owner: body.owner, note: 'yours' };
  }

  @Post('user-fixed')
  @SendToUser('carol')
  carol() {
    return { note: 'for carol' };
  }

  @Post('connection')
  @SendToConnection((ctx: BroadcastContext<unknown, unknown, { connectionId: string }>) => ctx.body.connectionId)
  connection() {
    return { note: 'for one connection' };
  }

  @Post('missing-user')
  @SendToUser((ctx: Ctx) => (ctx.user as { id?: string } | undefined)?.id as string)
  missingUser() {
    return { note: 'nobody' };
  }
}

describe.each(DEFAULT_ADAPTER)('broadcast targets on %s', (adapter: AdapterName) => {
  const harness = useBroadcastApp(adapter, () => ({ controllers: [TargetsController], providers: [HeaderUserGuard] }));

  it('@BroadcastToHub reaches every connection of the hub and none of another hub', async () => {
    const a = await harness.receiver('a', { userId: 'a' });
    const b = await harness.receiver('b', { groups: ['lobby'] });
    const elsewhere = await harness.receiver('other hub', {}, 'other');
    await harness.http().post('/targets/hub').send({ text: 'hi all' }).expect(201, { text: 'hi all' });
    expect(await inbox(a, b, elsewhere)).toEqual([
      [{ dataType: 'json', data: { text: 'hi all' } }],
      [{ dataType: 'json', data: { text: 'hi all' } }],
      [],
    ]);
  });

  it('@BroadcastToGroup(name) reaches the members as a group message, no one else', async () => {
    const member = await harness.receiver('member', { groups: ['lobby'] });
    const outsider = await harness.receiver('outsider', { groups: ['kitchen'] });
    await harness.http().post('/targets/lobby').expect(201);
    expect(await inbox(member, outsider)).toEqual([[{ group: 'lobby', dataType: 'json', data: { to: 'lobby' } }], []]);
  });

  it('@BroadcastToGroup([..]) sends once per group; multiGroup "filter" sends each member one message', async () => {
    const red = await harness.receiver('red', { groups: ['red'] });
    const both = await harness.receiver('both', { groups: ['red', 'blue'] });
    const green = await harness.receiver('green', { groups: ['green'] });
    await harness.http().post('/targets/two-groups').expect(201);
    const [atRed, atBoth, atGreen] = await inbox(red, both, green);
    expect(atRed).toEqual([{ group: 'red', dataType: 'json', data: { to: 'red+blue' } }]);
    expect(atBoth).toEqual([
      { group: 'red', dataType: 'json', data: { to: 'red+blue' } },
      { group: 'blue', dataType: 'json', data: { to: 'red+blue' } },
    ]);
    expect(atGreen).toEqual([]);

    await harness.http().post('/targets/two-groups-once').expect(201);
    expect(await inbox(red, both, green)).toEqual([
      [{ dataType: 'json', data: { to: 'red|blue' } }],
      [{ dataType: 'json', data: { to: 'red|blue' } }],
      [],
    ]);
  });

  it('a group resolved from the route params', async () => {
    const r1 = await harness.receiver('r1', { groups: ['r1'] });
    const r2 = await harness.receiver('r2', { groups: ['r2'] });
    await harness.http().post('/targets/rooms/r2').expect(201, { room: 'r2' });
    expect(await inbox(r1, r2)).toEqual([[], [{ group: 'r2', dataType: 'json', data: { room: 'r2' } }]]);
  });

  it('a group resolved from headers and query; the context names the route and holds the result', async () => {
    const mine = await harness.receiver('acme-ops', { groups: ['acme-ops'] });
    const other = await harness.receiver('acme-dev', { groups: ['acme-dev'] });
    await harness.http().get('/targets/tenants?team=ops').set('x-tenant', 'acme').expect(200, { team: 'ops' });
    expect(await dataAt(mine, other)).toEqual([[{ team: 'ops' }], []]);
    expect(seen).toEqual({ route: 'TargetsController.tenant', result: { team: 'ops' } });
  });

  it('@SendToUser from request.user reaches every connection of that user only', async () => {
    const alicePhone = await harness.receiver('alice phone', { userId: 'alice' });
    const aliceLaptop = await harness.receiver('alice laptop', { userId: 'alice' });
    const bob = await harness.receiver('bob', { userId: 'bob' });
    await harness.http().post('/targets/me').set('x-user', 'alice').expect(201, { note: 'for me' });
    expect(await inbox(alicePhone, aliceLaptop, bob)).toEqual([
      [{ dataType: 'json', data: { note: 'for me' } }],
      [{ dataType: 'json', data: { note: 'for me' } }],
      [],
    ]);
  });

  it('@SendToUser from the result, and a fixed user id', async () => {
    const alice = await harness.receiver('alice', { userId: 'alice' });
    const carol = await harness.receiver('carol', { userId: 'carol' });
    await harness.http().post('/targets/owner').send({ owner: 'carol' }).expect(201);
    await harness.http().post('/targets/user-fixed').expect(201);
    expect(await dataAt(alice, carol)).toEqual([[], [{ owner: 'carol', note: 'yours' }, { note: 'for carol' }]]);
  });

  it("@SendToConnection from the body reaches that connection, not the same user's other one", async () => {
    const first = await harness.receiver('first', { userId: 'dave' });
    const second = await harness.receiver('second', { userId: 'dave' });
    await harness.http().post('/targets/connection').send({ connectionId: second.connectionId }).expect(201);
    expect(await dataAt(first, second)).toEqual([[], [{ note: 'for one connection' }]]);
  });

  it('a resolver that yields no id fails the request (502 by default) and sends nothing', async () => {
    const anyone = await harness.receiver('anyone', { userId: 'undefined' });
    const response = await harness.http().post('/targets/missing-user').expect(502);
    expect(JSON.stringify(response.body)).toContain('broadcasting its result through Azure Web PubSub failed');
    expect(await inbox(anyone)).toEqual([[]]);
    expect(
      harness.logs.lines.some(
        (line) =>
          line.level === 'error' &&
          line.message.includes('TargetsController.missingUser') &&
          line.message.includes('the user'),
      ),
    ).toBe(true);
  });
});
