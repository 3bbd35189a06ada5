import { describe, expect, it } from '@jest/globals';
import { useEmulator } from '../../support/emulator-stage.js';
import { waitFor } from '../../support/wait-for.js';
import { ackError, freshHub, useClientSession } from '../clients/client-harness.js';

/**
 * Wildcard group roles (`webpubsub.sendToGroups.{pattern}`, `webpubsub.joinLeaveGroups.{pattern}`)
 * in tokens, seen by the official @azure/web-pubsub-client: what they allow, what they refuse, an
 * invalid pattern, and REST revoke / grant over them.
 */
describe('wildcard group roles', () => {
  const warnings: string[] = [];
  const stage = useEmulator({
    logger: {
      log: () => undefined,
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    },
  });
  const session = useClientSession(stage);

  it("the docs' code sample: sends under clientA.**, joins and leaves direct children of public.*", async () => {
    const hub = freshHub('roles');
    // The roles of the docs' code sample, verbatim
    // (https://learn.microsoft.com/azure/azure-web-pubsub/concept-wildcard-group-roles).
    const sender = await session.official(hub, {
      userId: 'sender',
      roles: ['webpubsub.sendToGroups.clientA.**', 'webpubsub.joinLeaveGroups.public.*'],
    });
    const member = await session.official(hub, { userId: 'member', roles: ['webpubsub.joinLeaveGroup'] });
    await member.client.joinGroup('clientA.alpha.room1');

    await sender.client.sendToGroup('clientA.alpha.room1', { n: 1 }, 'json');
    await waitFor(() => member.group.length === 1, 'the member to get the message sent under clientA.**');
    expect(member.group[0]).toMatchObject({ group: 'clientA.alpha.room1', fromUserId: 'sender', data: { n: 1 } });
    expect(await ackError(sender.client.sendToGroup('clientB.anything', 'x', 'text'))).toBe('Forbidden');
    expect(await ackError(sender.client.sendToGroup('clientA', 'x', 'text'))).toBe('Forbidden');

    await sender.client.joinGroup('public.lobby');
    expect(stage.emulator.connections(hub).find((c) => c.connectionId === sender.connectionId)?.groups).toEqual([
      'public.lobby',
    ]);
    await sender.client.leaveGroup('public.lobby');
    expect(await ackError(sender.client.joinGroup('public.lobby.inner'))).toBe('Forbidden');
    expect(await ackError(sender.client.joinGroup('private.lobby'))).toBe('Forbidden');
    // A sendToGroups role gives no join; a joinLeaveGroups role gives no send.
    expect(await ackError(sender.client.joinGroup('clientA.alpha'))).toBe('Forbidden');
    expect(await ackError(sender.client.sendToGroup('public.lobby', 'x', 'text'))).toBe('Forbidden');
  });

  it('an invalid pattern grants nothing, and the connection still opens with a warning naming the role', async () => {
    const hub = freshHub('roles');
    warnings.length = 0;
    const client = await session.official(hub, {
      userId: 'u',
      roles: ['webpubsub.joinLeaveGroups.*.*.*.*.*.*', 'webpubsub.joinLeaveGroup.ok'],
    });
    expect(client.connected).toHaveLength(1);
    expect(await ackError(client.client.joinGroup('a.b.c.d.e.f'))).toBe('Forbidden');
    await client.client.joinGroup('ok'); // the valid role beside it still applies
    expect(warnings).toEqual([
      expect.stringContaining(
        'role "webpubsub.joinLeaveGroups.*.*.*.*.*.*" grants nothing, as the pattern has 6 "*", more than 5',
      ),
    ]);
    expect(
      await session.rest(hub).hasPermission(client.connectionId, 'joinLeaveGroup', { targetName: 'a.b.c.d.e.f' }),
    ).toBe(false);
  });

  it('revoke with targetName takes one group from a pattern role; grant gives it back; revoke without one takes every group', async () => {
    const hub = freshHub('roles');
    const rest = session.rest(hub);
    const client = await session.official(hub, { userId: 'u', roles: ['webpubsub.joinLeaveGroups.team.*'] });
    const check = (group: string) => rest.hasPermission(client.connectionId, 'joinLeaveGroup', { targetName: group });
    expect([await check('team.a'), await check('team.b'), await check('other')]).toEqual([true, true, false]);
    // The pattern covers some groups, not all of them.
    expect(await rest.hasPermission(client.connectionId, 'joinLeaveGroup')).toBe(false);

    await rest.revokePermission(client.connectionId, 'joinLeaveGroup', { targetName: 'team.a' });
    expect([await check('team.a'), await check('team.b')]).toEqual([false, true]);
    expect(await ackError(client.client.joinGroup('team.a'))).toBe('Forbidden');
    await client.client.joinGroup('team.b');

    await rest.grantPermission(client.connectionId, 'joinLeaveGroup', { targetName: 'team.a' });
    await client.client.joinGroup('team.a');

    await rest.revokePermission(client.connectionId, 'joinLeaveGroup');
    expect([await check('team.a'), await check('team.c')]).toEqual([false, false]);
    expect(await ackError(client.client.leaveGroup('team.b'))).toBe('Forbidden');
  });

  it('revoke with targetName also overrides a literal and an all-groups role from the token', async () => {
    const hub = freshHub('roles');
    const rest = session.rest(hub);
    const client = await session.official(hub, {
      userId: 'u',
      roles: ['webpubsub.sendToGroup', 'webpubsub.joinLeaveGroup.room'],
    });
    await rest.revokePermission(client.connectionId, 'sendToGroup', { targetName: 'quiet' });
    await rest.revokePermission(client.connectionId, 'joinLeaveGroup', { targetName: 'room' });
    expect(await ackError(client.client.sendToGroup('quiet', 'x', 'text'))).toBe('Forbidden');
    await client.client.sendToGroup('loud', 'x', 'text');
    expect(await ackError(client.client.joinGroup('room'))).toBe('Forbidden');
    // CheckPermission without targetName still answers for the all-groups role.
    expect(await rest.hasPermission(client.connectionId, 'sendToGroup')).toBe(true);
  });
});
