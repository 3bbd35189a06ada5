import { describe, expect, it } from '@jest/globals';
import { WebPubSubJsonProtocol, type WebPubSubClientOptions } from '@azure/web-pubsub-client';
import { useEmulator } from '../../support/emulator-stage.js';
import type { OfficialClient } from '../../support/official-client.js';
import { JSON_PROTOCOL, RELIABLE_PROTOCOL } from '../../support/raw-client.js';
import { waitFor } from '../../support/wait-for.js';
import { ackError, bytesOf, freshHub, useClientSession } from './client-harness.js';

/**
 * The official @azure/web-pubsub-client against the emulator, with tokens from our REST client:
 * each behaviour once with the SDK's default reliable protocol and once with the plain JSON one.
 */
const PROTOCOLS: Array<[string, () => WebPubSubClientOptions]> = [
  [RELIABLE_PROTOCOL, () => ({})],
  [JSON_PROTOCOL, () => ({ protocol: WebPubSubJsonProtocol() })],
];
const ALL_GROUP_ROLES = ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'];

/** Compact view of received messages: what an app reads off the SDK's events. */
const texts = (client: OfficialClient) => client.group.map((message) => message.data);

describe.each(PROTOCOLS)('official client over %s', (protocolName, protocol) => {
  const stage = useEmulator();
  const session = useClientSession(stage);

  const connect = (
    hub: string,
    userId: string | undefined,
    roles: string[] = [],
    options: WebPubSubClientOptions = {},
  ) => session.official(hub, { userId, roles }, { ...protocol(), ...options });

  it('connects with a token from our REST client and reports connectionId and userId', async () => {
    const hub = freshHub();
    const alice = await connect(hub, 'alice');
    expect(alice.connected).toEqual([{ connectionId: expect.any(String), userId: 'alice' }]);
    expect(stage.emulator.connections(hub)).toEqual([
      { hub, connectionId: alice.connectionId, userId: 'alice', subprotocol: protocolName, groups: [], open: true },
    ]);
  });

  it('joins and leaves groups: group messages stop after leaving', async () => {
    const hub = freshHub();
    const rest = session.rest(hub);
    const alice = await connect(hub, 'alice', ALL_GROUP_ROLES);
    const bob = await connect(hub, 'bob', ALL_GROUP_ROLES);
    await alice.client.joinGroup('room');
    await bob.client.joinGroup('room');
    await rest.group('room').sendToAll({ n: 1 });
    await waitFor(
      () => alice.group.length === 1 && bob.group.length === 1,
      'both members to get the first group message',
    );
    // A REST group send has no sending user, so fromUserId is absent.
    expect(bob.group[0]).toMatchObject({ group: 'room', dataType: 'json', data: { n: 1 } });
    expect(bob.group[0].fromUserId).toBeUndefined();

    await bob.client.leaveGroup('room');
    await rest.group('room').sendToAll({ n: 2 });
    // A later direct message to bob proves the group message would have arrived before it.
    await rest.sendToConnection(bob.connectionId, 'marker');
    await waitFor(
      () => bob.server.length === 1 && alice.group.length === 2,
      'the marker and alice’s second group message',
    );
    expect(texts(bob)).toEqual([{ n: 1 }]);
    expect(texts(alice)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('sends to a group: other members receive it, the sender too unless noEcho', async () => {
    const hub = freshHub();
    const alice = await connect(hub, 'alice', ALL_GROUP_ROLES);
    const bob = await connect(hub, 'bob', ALL_GROUP_ROLES);
    await alice.client.joinGroup('room');
    await bob.client.joinGroup('room');
    await expect(alice.client.sendToGroup('room', { hi: 1 }, 'json', { noEcho: true })).resolves.toMatchObject({
      isDuplicated: false,
    });
    await alice.client.sendToGroup('room', 'echoed', 'text');
    await alice.client.sendToGroup('room', new Uint8Array([0, 1, 254, 255]).buffer, 'binary');
    await waitFor(() => bob.group.length === 3 && alice.group.length === 2, 'the group messages');
    expect(bob.group.map(({ dataType, fromUserId, group }) => ({ dataType, fromUserId, group }))).toEqual([
      { dataType: 'json', fromUserId: 'alice', group: 'room' },
      { dataType: 'text', fromUserId: 'alice', group: 'room' },
      { dataType: 'binary', fromUserId: 'alice', group: 'room' },
    ]);
    expect(bob.group[0].data).toEqual({ hi: 1 });
    expect(bob.group[1].data).toBe('echoed');
    expect(bytesOf(bob.group[2].data)).toEqual([0, 1, 254, 255]);
    // The noEcho message is the only one alice did not get back.
    expect(alice.group.map((message) => message.dataType)).toEqual(['text', 'binary']);
  });

  it('receives server and user messages with the data type and data exactly as sent', async () => {
    const hub = freshHub();
    const rest = session.rest(hub);
    const carol = await connect(hub, 'carol');
    const carolElsewhere = await connect(hub, 'carol');
    await rest.sendToAll({ a: [1, 'x', null] });
    await rest.sendToAll('Hello'); // a string is sent as JSON by default
    await rest.sendToUser('carol', 'plain text', { contentType: 'text/plain' });
    await rest.sendToConnection(carol.connectionId, new Uint8Array([1, 2, 3, 250]));
    await waitFor(() => carol.server.length === 4 && carolElsewhere.server.length === 3, 'the server messages');
    expect(carol.server.slice(0, 3).map(({ dataType, data }) => ({ dataType, data }))).toEqual([
      { dataType: 'json', data: { a: [1, 'x', null] } },
      { dataType: 'json', data: 'Hello' },
      { dataType: 'text', data: 'plain text' },
    ]);
    expect(carol.server[3].dataType).toBe('binary');
    expect(Object.prototype.toString.call(carol.server[3].data)).toBe('[object ArrayBuffer]');
    expect(bytesOf(carol.server[3].data)).toEqual([1, 2, 3, 250]);
    // Every connection of the user gets the user message; sendToConnection reaches only one.
    expect(carolElsewhere.server.map((message) => message.data)).toEqual([
      { a: [1, 'x', null] },
      'Hello',
      'plain text',
    ]);
  });

  it('rejects joinGroup without the role as Forbidden; a group-scoped role allows only that group', async () => {
    const hub = freshHub();
    const nobody = await connect(hub, 'nobody');
    expect(await ackError(nobody.client.joinGroup('g1'))).toBe('Forbidden');

    const scoped = await connect(hub, 'scoped', ['webpubsub.joinLeaveGroup.g1']);
    await expect(scoped.client.joinGroup('g1')).resolves.toMatchObject({ isDuplicated: false });
    expect(await ackError(scoped.client.joinGroup('g2'))).toBe('Forbidden');
    expect(stage.emulator.connections(hub).find((c) => c.connectionId === scoped.connectionId)?.groups).toEqual(['g1']);
    await scoped.client.leaveGroup('g1');
    expect(stage.emulator.connections(hub).find((c) => c.connectionId === scoped.connectionId)?.groups).toEqual([]);
  });

  it('enforces permissions granted and revoked through the REST API', async () => {
    const hub = freshHub();
    const rest = session.rest(hub);
    const sender = await connect(hub, 'sender');
    const receiver = await connect(hub, 'receiver', ['webpubsub.joinLeaveGroup']);
    await receiver.client.joinGroup('g1');

    expect(await ackError(sender.client.joinGroup('g1'))).toBe('Forbidden');
    await rest.grantPermission(sender.connectionId, 'joinLeaveGroup');
    await sender.client.joinGroup('g1');

    expect(await ackError(sender.client.sendToGroup('g1', 'first', 'text'))).toBe('Forbidden');
    await rest.grantPermission(sender.connectionId, 'sendToGroup', { targetName: 'g1' });
    await sender.client.sendToGroup('g1', 'granted', 'text');
    expect(await ackError(sender.client.sendToGroup('g2', 'other group', 'text'))).toBe('Forbidden');

    await rest.revokePermission(sender.connectionId, 'sendToGroup', { targetName: 'g1' });
    expect(await ackError(sender.client.sendToGroup('g1', 'revoked', 'text'))).toBe('Forbidden');
    await rest.sendToConnection(receiver.connectionId, 'marker');
    await waitFor(() => receiver.server.length === 1, 'the marker');
    expect(texts(receiver)).toEqual(['granted']);
  });

  it('answers a repeated explicit ackId with Duplicate and does not run it again', async () => {
    const hub = freshHub();
    const alice = await connect(hub, 'alice', ALL_GROUP_ROLES);
    const bob = await connect(hub, 'bob', ALL_GROUP_ROLES);
    await bob.client.joinGroup('room');
    await expect(alice.client.joinGroup('room', { ackId: 1000 })).resolves.toEqual({
      ackId: 1000,
      isDuplicated: false,
    });
    await expect(alice.client.joinGroup('room', { ackId: 1000 })).resolves.toEqual({ ackId: 1000, isDuplicated: true });
    await expect(alice.client.sendToGroup('room', 'once', 'text', { ackId: 1001 })).resolves.toEqual({
      ackId: 1001,
      isDuplicated: false,
    });
    await expect(alice.client.sendToGroup('room', 'twice', 'text', { ackId: 1001 })).resolves.toEqual({
      ackId: 1001,
      isDuplicated: true,
    });
    await alice.client.sendToGroup('room', 'marker', 'text');
    await waitFor(() => bob.group.length >= 2, 'the marker');
    expect(texts(bob)).toEqual(['once', 'marker']);
  });

  it('acks an event InternalServerError when no event handler is configured', async () => {
    const hub = freshHub();
    const alice = await connect(hub, 'alice');
    expect(await ackError(alice.client.sendEvent('greet', { hello: 'world' }, 'json'))).toBe('InternalServerError');
    // The connection stays usable afterwards.
    await session.rest(hub).sendToConnection(alice.connectionId, 'still here', { contentType: 'text/plain' });
    await waitFor(() => alice.server.length === 1, 'a server message after the failed event');
  });

  it('passes the closeConnection reason to the disconnected event', async () => {
    const hub = freshHub();
    const alice = await connect(hub, 'alice', [], { autoReconnect: false });
    await session.rest(hub).closeConnection(alice.connectionId, { reason: 'maintenance window' });
    await waitFor(() => alice.stops === 1, 'the client to stop after the service closed it');
    expect(alice.disconnected).toEqual([
      { connectionId: alice.connectionId, message: expect.objectContaining({ message: 'maintenance window' }) },
    ]);
    expect(alice.connected).toHaveLength(1);
    expect(stage.emulator.connections(hub)).toEqual([]);
  });
});
