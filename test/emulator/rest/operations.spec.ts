import { describe, expect, it } from '@jest/globals';
import type { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { buildGenerateClientTokenRequest, buildGetServiceStatusRequest } from '../../../lib/rest/index.js';
import type { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { JsonClient } from '../../support/json-client.js';
import { startOfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';
import { closeClients, connectClients, flush, officialClient, payloads } from './rest-harness.js';

/**
 * Every REST operation of api-version 2024-12-01, driven by the official `@azure/web-pubsub`
 * client against the emulator, with effects checked on real WebSocket clients and in the
 * emulator's own view. Expected statuses are the REST spec's (202 sends, 200/404 checks, 204
 * removes and closes, 200 adds and :generateToken).
 */

interface Ctx {
  emulator: WebPubSubEmulator;
  service: WebPubSubServiceClient;
  hub: string;
  /** a: alice in g1 · b: alice · c: bob in g1, g2 · d: anonymous. */
  a: JsonClient;
  b: JsonClient;
  c: JsonClient;
  d: JsonClient;
  all: JsonClient[];
}
interface Row {
  name: string;
  /** Operations (as the emulator names them) and the status each must have been answered with. */
  calls: Array<[operation: string, status: number]>;
  run: (ctx: Ctx) => Promise<void>;
}

const CLIENTS = [
  { name: 'a', userId: 'alice', groups: ['g1'] },
  { name: 'b', userId: 'alice' },
  { name: 'c', userId: 'bob', groups: ['g1', 'g2'] },
  { name: 'd' },
];
const REASON = 'maintenance window';

/** Sends, then checks exactly which of the four clients got the message. */
async function reaches(
  ctx: Ctx,
  send: () => Promise<void>,
  expected: Array<'a' | 'b' | 'c' | 'd'>,
  data: unknown = { n: Math.random() },
): Promise<void> {
  await send();
  await flush(ctx.service, ctx.all);
  const got = (['a', 'b', 'c', 'd'] as const).filter((name) =>
    payloads(ctx[name]).some((item) => JSON.stringify(item) === JSON.stringify(data)),
  );
  expect(got).toEqual(expected);
}

const groupsOf = (ctx: Ctx, client: JsonClient) =>
  ctx.emulator
    .connections(ctx.hub)
    .find((info) => info.connectionId === client.connectionId)
    ?.groups.sort();
const disconnectedReason = (client: JsonClient) =>
  client.frames.find((frame) => frame.event === 'disconnected')?.message;

const row = (name: string, calls: Row['calls'], run: Row['run']): Row => ({ name, calls, run });

const rows: Row[] = [
  row('getClientAccessToken signs tokens the emulator accepts, with userId and groups', [], async (ctx) => {
    expect(
      ctx.emulator
        .connections(ctx.hub)
        .map((info) => [info.userId, info.groups])
        .sort(),
    ).toEqual(
      [
        ['alice', ['g1']],
        ['alice', []],
        ['bob', ['g1', 'g2']],
        [undefined, []],
      ].sort(),
    );
  }),
  row('sendToAll (JSON) reaches every client as a server message', [['sendToAll', 202]], async (ctx) => {
    const data = { hello: 'all' };
    await reaches(ctx, () => ctx.service.sendToAll(data), ['a', 'b', 'c', 'd'], data);
    expect(ctx.d.frames.find((frame) => frame.type === 'message')).toMatchObject({
      from: 'server',
      dataType: 'json',
      data,
    });
  }),
  row('sendToAll honours excludedConnections', [['sendToAll', 202]], async (ctx) => {
    const data = { x: 1 };
    await reaches(
      ctx,
      () => ctx.service.sendToAll(data, { excludedConnections: [ctx.a.connectionId, ctx.c.connectionId] }),
      ['b', 'd'],
      data,
    );
  }),
  row('sendToAll with a filter', [['sendToAll', 202]], async (ctx) => {
    const data = { x: 2 };
    await reaches(ctx, () => ctx.service.sendToAll(data, { filter: "userId eq 'alice'" }), ['a', 'b'], data);
  }),
  row('sendToAll text/plain arrives as text, binary as base64', [['sendToAll', 202]], async (ctx) => {
    await ctx.service.sendToAll('plain words', { contentType: 'text/plain' });
    await ctx.service.sendToAll(new Uint8Array([1, 2, 3]));
    await waitFor(() => ctx.d.received.length === 2, 'two messages at d');
    expect(
      ctx.d.frames.filter((frame) => frame.type === 'message').map((frame) => [frame.dataType, frame.data]),
    ).toEqual([
      ['text', 'plain words'],
      ['binary', 'AQID'],
    ]);
  }),
  row("sendToUser reaches only that user's connections", [['sendToUser', 202]], (ctx) =>
    reaches(ctx, () => ctx.service.sendToUser('alice', { y: 1 }), ['a', 'b'], { y: 1 }),
  ),
  row('sendToUser with a filter', [['sendToUser', 202]], (ctx) =>
    reaches(
      ctx,
      () => ctx.service.sendToUser('alice', { y: 2 }, { filter: `connectionId ne '${ctx.a.connectionId}'` }),
      ['b'],
      { y: 2 },
    ),
  ),
  row('sendToConnection reaches one connection', [['sendToConnection', 202]], (ctx) =>
    reaches(ctx, () => ctx.service.sendToConnection(ctx.c.connectionId, { z: 1 }), ['c'], { z: 1 }),
  ),
  row(
    'group sendToAll reaches members as a group message; excludedConnections and filter apply',
    [['sendToGroup', 202]],
    async (ctx) => {
      await reaches(ctx, () => ctx.service.group('g1').sendToAll({ g: 1 }), ['a', 'c'], { g: 1 });
      expect(ctx.a.frames.find((frame) => frame.type === 'message')).toMatchObject({
        from: 'group',
        group: 'g1',
        data: { g: 1 },
      });
      await reaches(
        ctx,
        () => ctx.service.group('g1').sendToAll({ g: 2 }, { excludedConnections: [ctx.c.connectionId] }),
        ['a'],
        { g: 2 },
      );
      await reaches(ctx, () => ctx.service.group('g1').sendToAll({ g: 3 }, { filter: "userId eq 'bob'" }), ['c'], {
        g: 3,
      });
    },
  ),
  row(
    'sends, closes and removes for targets that do not exist still succeed',
    [
      ['sendToConnection', 202],
      ['sendToUser', 202],
      ['sendToGroup', 202],
      ['closeConnection', 204],
      ['removeConnectionFromGroup', 204],
      ['revokePermission', 204],
    ],
    async (ctx) => {
      await reaches(
        ctx,
        async () => {
          await ctx.service.sendToConnection('no-such-connection', { ghost: 1 });
          await ctx.service.sendToUser('no-such-user', { ghost: 1 });
          await ctx.service.group('no-such-group').sendToAll({ ghost: 1 });
        },
        [],
        { ghost: 1 },
      );
      await ctx.service.closeConnection('no-such-connection');
      await ctx.service.group('g1').removeConnection('no-such-connection');
      await ctx.service.revokePermission('no-such-connection', 'joinLeaveGroup', { targetName: 'g1' });
    },
  ),
  row(
    'group addConnection / removeConnection (names are percent-decoded)',
    [
      ['addConnectionToGroup', 200],
      ['removeConnectionFromGroup', 204],
    ],
    async (ctx) => {
      await ctx.service.group("room 3/it's").addConnection(ctx.d.connectionId);
      expect(groupsOf(ctx, ctx.d)).toEqual(["room 3/it's"]);
      await reaches(ctx, () => ctx.service.group("room 3/it's").sendToAll({ g3: 1 }), ['d'], { g3: 1 });
      await ctx.service.group('g1').removeConnection(ctx.a.connectionId);
      await reaches(ctx, () => ctx.service.group('g1').sendToAll({ g1: 1 }), ['c'], { g1: 1 });
    },
  ),
  row(
    'group addUser / removeUser apply to all the user’s connections',
    [
      ['addUserToGroup', 200],
      ['removeUserFromGroup', 204],
    ],
    async (ctx) => {
      await ctx.service.group('g4').addUser('alice');
      expect([groupsOf(ctx, ctx.a), groupsOf(ctx, ctx.b)]).toEqual([['g1', 'g4'], ['g4']]);
      await reaches(ctx, () => ctx.service.group('g4').sendToAll({ g4: 1 }), ['a', 'b'], { g4: 1 });
      await ctx.service.group('g1').removeUser('bob');
      expect(groupsOf(ctx, ctx.c)).toEqual(['g2']);
    },
  ),
  row(
    'removeUserFromAllGroups and removeConnectionFromAllGroups',
    [
      ['removeUserFromAllGroups', 204],
      ['removeConnectionFromAllGroups', 204],
    ],
    async (ctx) => {
      await ctx.service.removeUserFromAllGroups('bob');
      expect(groupsOf(ctx, ctx.c)).toEqual([]);
      await ctx.service.removeConnectionFromAllGroups(ctx.a.connectionId);
      expect(groupsOf(ctx, ctx.a)).toEqual([]);
      await reaches(ctx, () => ctx.service.group('g1').sendToAll({ none: 1 }), [], { none: 1 });
    },
  ),
  row(
    'addConnectionsToGroups / removeConnectionsFromGroups by filter',
    [
      ['addConnectionsToGroups', 200],
      ['removeConnectionsFromGroups', 200],
    ],
    async (ctx) => {
      await ctx.service.addConnectionsToGroups(['g5', 'g6'], "userId eq 'alice'");
      expect([groupsOf(ctx, ctx.a), groupsOf(ctx, ctx.b), groupsOf(ctx, ctx.d)]).toEqual([
        ['g1', 'g5', 'g6'],
        ['g5', 'g6'],
        [],
      ]);
      await ctx.service.removeConnectionsFromGroups(['g1', 'g2'], "userId eq 'bob'");
      expect([groupsOf(ctx, ctx.a), groupsOf(ctx, ctx.c)]).toEqual([['g1', 'g5', 'g6'], []]);
    },
  ),
  row(
    'closeConnection with a reason: disconnected message, then the socket closes',
    [
      ['closeConnection', 204],
      ['connectionExists', 404],
    ],
    async (ctx) => {
      await ctx.service.closeConnection(ctx.a.connectionId, { reason: REASON });
      await ctx.a.waitClosed();
      expect(disconnectedReason(ctx.a)).toBe(REASON);
      expect(await ctx.service.connectionExists(ctx.a.connectionId)).toBe(false);
      expect(ctx.emulator.connections(ctx.hub)).toHaveLength(3);
    },
  ),
  row('closeAllConnections with reason and excluded', [['closeAllConnections', 204]], async (ctx) => {
    await ctx.service.closeAllConnections({ reason: REASON, excluded: [ctx.d.connectionId] } as never);
    await Promise.all([ctx.a, ctx.b, ctx.c].map((client) => client.waitClosed()));
    expect([ctx.a, ctx.b, ctx.c].map(disconnectedReason)).toEqual([REASON, REASON, REASON]);
    expect(ctx.emulator.connections(ctx.hub).map((info) => info.connectionId)).toEqual([ctx.d.connectionId]);
  }),
  row('closeUserConnections with reason and excluded', [['closeUserConnections', 204]], async (ctx) => {
    await ctx.service.closeUserConnections('alice', { reason: REASON, excluded: [ctx.b.connectionId] } as never);
    await ctx.a.waitClosed();
    expect(disconnectedReason(ctx.a)).toBe(REASON);
    expect(
      ctx.emulator
        .connections(ctx.hub)
        .map((info) => info.connectionId)
        .sort(),
    ).toEqual([ctx.b, ctx.c, ctx.d].map((x) => x.connectionId).sort());
  }),
  row('group closeAllConnections with reason and excluded', [['closeGroupConnections', 204]], async (ctx) => {
    await ctx.service.group('g1').closeAllConnections({ reason: REASON, excluded: [ctx.c.connectionId] } as never);
    await ctx.a.waitClosed();
    expect(disconnectedReason(ctx.a)).toBe(REASON);
    expect(await ctx.service.connectionExists(ctx.c.connectionId)).toBe(true);
  }),
  row(
    'grant / hasPermission / revoke with targetName, seen by the client joining a group',
    [
      ['hasPermission', 404],
      ['grantPermission', 200],
      ['hasPermission', 200],
      ['revokePermission', 204],
    ],
    async (ctx) => {
      const check = () => ctx.service.hasPermission(ctx.d.connectionId, 'joinLeaveGroup', { targetName: 'g7' });
      expect(await check()).toBe(false);
      expect((await ctx.d.request({ type: 'joinGroup', group: 'g7' }, 1)).success).toBe(false);
      await ctx.service.grantPermission(ctx.d.connectionId, 'joinLeaveGroup', { targetName: 'g7' });
      expect(await check()).toBe(true);
      expect(await ctx.service.hasPermission(ctx.d.connectionId, 'joinLeaveGroup', { targetName: 'other' })).toBe(
        false,
      );
      expect((await ctx.d.request({ type: 'joinGroup', group: 'g7' }, 2)).success).toBe(true);
      expect(groupsOf(ctx, ctx.d)).toEqual(['g7']);
      await ctx.service.revokePermission(ctx.d.connectionId, 'joinLeaveGroup', { targetName: 'g7' });
      expect(await check()).toBe(false);
      expect((await ctx.d.request({ type: 'leaveGroup', group: 'g7' }, 3)).error?.name).toBe('Forbidden');
    },
  ),
  row(
    'grant / hasPermission / revoke without targetName cover every group',
    [
      ['grantPermission', 200],
      ['hasPermission', 200],
      ['revokePermission', 204],
      ['hasPermission', 404],
    ],
    async (ctx) => {
      await ctx.service.grantPermission(ctx.d.connectionId, 'sendToGroup');
      expect(await ctx.service.hasPermission(ctx.d.connectionId, 'sendToGroup')).toBe(true);
      expect(await ctx.service.hasPermission(ctx.d.connectionId, 'sendToGroup', { targetName: 'any' })).toBe(true);
      expect((await ctx.d.request({ type: 'sendToGroup', group: 'g1', data: { from: 'd' } }, 1)).success).toBe(true);
      await ctx.a.waitData({ from: 'd' });
      await ctx.service.revokePermission(ctx.d.connectionId, 'sendToGroup');
      expect(await ctx.service.hasPermission(ctx.d.connectionId, 'sendToGroup')).toBe(false);
    },
  ),
  row(
    'connectionExists / groupExists / userExists answer true and false',
    [
      ['connectionExists', 200],
      ['connectionExists', 404],
      ['groupExists', 200],
      ['groupExists', 404],
      ['userExists', 200],
      ['userExists', 404],
    ],
    async (ctx) => {
      const answers = [
        await ctx.service.connectionExists(ctx.a.connectionId),
        await ctx.service.connectionExists('no-such-connection'),
        await ctx.service.groupExists('g2'),
        await ctx.service.groupExists('no-such-group'),
        await ctx.service.userExists('bob'),
        await ctx.service.userExists('no-such-user'),
      ];
      expect(answers).toEqual([true, false, true, false, true, false]);
    },
  ),
  row(
    'group listConnections pages through every member exactly once; top limits the total',
    [['listConnectionsInGroup', 200]],
    async (ctx) => {
      for (const client of [ctx.b, ctx.d]) await ctx.service.group('g1').addConnection(client.connectionId);
      const expected = [ctx.a, ctx.b, ctx.c, ctx.d].map((x) => x.connectionId).sort();
      const pages: string[][] = [];
      for await (const page of (await ctx.service.group('g1').listConnections({ maxPageSize: 3 })).byPage())
        pages.push(page.map((m) => m.connectionId));
      expect(pages.map((page) => page.length)).toEqual([3, 1]);
      expect(pages.flat().sort()).toEqual(expected);
      const members = [];
      for await (const member of await ctx.service.group('g1').listConnections({ maxPageSize: 1 }))
        members.push(member);
      expect(members.map((m) => m.connectionId).sort()).toEqual(expected);
      // The recorded service answers `"userId": null` for anonymous members.
      expect(members.find((m) => m.connectionId === ctx.d.connectionId)?.userId).toBeNull();
      expect(members.find((m) => m.connectionId === ctx.c.connectionId)?.userId).toBe('bob');
      const limited = [];
      for await (const member of await ctx.service.group('g1').listConnections({ maxPageSize: 1, top: 2 }))
        limited.push(member.connectionId);
      expect(limited).toHaveLength(2);
      expect(new Set(limited).size).toBe(2);
      // A member leaving between pages (here: the first one of the next page) neither repeats nor restarts the listing.
      const seen: string[] = [];
      let first = true;
      for await (const page of (await ctx.service.group('g1').listConnections({ maxPageSize: 2 })).byPage()) {
        seen.push(...page.map((m) => m.connectionId));
        if (first) await ctx.service.group('g1').removeConnection(expected.find((id) => !seen.includes(id))!);
        first = false;
      }
      expect(seen).toHaveLength(3);
      expect(new Set(seen).size).toBe(3);
    },
  ),
  row(
    ':generateToken (what a TokenCredential client uses) returns a token that connects',
    [
      ['generateClientToken', 200],
      ['getServiceStatus', 200],
    ],
    async (ctx) => {
      const ours = new WebPubSubRestClient(ctx.emulator.connectionString, ctx.hub);
      const response = await ours.sendRequest(
        buildGenerateClientTokenRequest({ hub: ctx.hub }, { userId: 'carol', groups: ['g9'], minutesToExpire: 5 }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const { token } = JSON.parse(response.bodyAsText!) as { token: string };
      const client = await JsonClient.connect(
        `${ctx.emulator.endpoint.replace(/^http/, 'ws')}/client/hubs/${ctx.hub}?access_token=${token}`,
        'carol',
      );
      ctx.all.push(client);
      expect(client.frames[0]).toMatchObject({ event: 'connected', userId: 'carol' });
      expect(groupsOf(ctx, client)).toEqual(['g9']);
      expect((await ours.sendRequest(buildGetServiceStatusRequest())).status).toBe(200);
    },
  ),
];

describe('emulator REST operations, driven by the official @azure/web-pubsub client', () => {
  const stage = useEmulator();

  it.each(rows.map((row, index) => [row.name, row, index] as const))('%s', async (_name, row, index) => {
    const { emulator } = stage;
    const hub = `ops${index}`;
    const service = officialClient(emulator, hub);
    const clients = await connectClients(service, CLIENTS);
    const ctx: Ctx = {
      emulator,
      service,
      hub,
      a: clients.a,
      b: clients.b,
      c: clients.c,
      d: clients.d,
      all: Object.values(clients),
    };
    const before = emulator.restCalls.length;
    try {
      await row.run(ctx);
      const served = emulator.restCalls
        .slice(before)
        .filter((call) => call.path.startsWith(`/api/hubs/${hub}/`) || call.path === '/api/health');
      const pairs = served.map((call) => [call.operation, call.status]);
      expect(pairs).toEqual(expect.arrayContaining(row.calls));
    } finally {
      await closeClients(ctx.all);
    }
  });

  it('served all 25 operations of api-version 2024-12-01 with a success status', async () => {
    const succeeded = new Set(
      stage.emulator.restCalls.filter((call) => call.status < 300).map((call) => call.operation),
    );
    expect([...succeeded].sort()).toEqual(
      [
        'addConnectionToGroup',
        'addConnectionsToGroups',
        'addUserToGroup',
        'closeAllConnections',
        'closeConnection',
        'closeGroupConnections',
        'closeUserConnections',
        'connectionExists',
        'generateClientToken',
        'getServiceStatus',
        'groupExists',
        'hasPermission',
        'grantPermission',
        'listConnectionsInGroup',
        'removeConnectionFromAllGroups',
        'removeConnectionFromGroup',
        'removeConnectionsFromGroups',
        'removeUserFromAllGroups',
        'removeUserFromGroup',
        'revokePermission',
        'sendToAll',
        'sendToConnection',
        'sendToGroup',
        'sendToUser',
        'userExists',
      ].sort(),
    );
  });
});

describe('closeConnection reason through the official @azure/web-pubsub-client', () => {
  const stage = useEmulator();

  it('surfaces the reason in the disconnected event', async () => {
    const service = officialClient(stage.emulator, 'sdk');
    const { url } = await service.getClientAccessToken({ userId: 'eve' });
    const client = await startOfficialClient(url, { protocol: WebPubSubJsonProtocol(), autoReconnect: false });
    stage.defer(() => client.stop());
    await service.closeConnection(client.connectionId, { reason: REASON });
    expect(await waitFor(() => client.disconnected[0]?.message?.message, 'the disconnected event')).toBe(REASON);
  });
});
