import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { useEmulator } from '../../support/emulator-stage.js';
import { JSON_PROTOCOL, RELIABLE_PROTOCOL } from '../../support/raw-client.js';
import { waitFor } from '../../support/wait-for.js';
import { freshHub, useClientSession } from './client-harness.js';

/**
 * The client endpoint seen through raw `ws` clients: token checks before the upgrade, the echoed
 * subprotocol, plain WebSocket clients, and the json.webpubsub.azure.v1 frames, byte for byte.
 */
const ACCESS_KEY = 'raw-protocols-test-key-0123456789abcdefghijklmnop';

describe('client endpoint over raw WebSockets', () => {
  const warnings: string[] = [];
  const stage = useEmulator({
    accessKey: ACCESS_KEY,
    logger: { log: () => undefined, error: () => undefined, warn: (m) => warnings.push(m) },
  });
  const session = useClientSession(stage);

  const clientUrl = (hub: string) => `${stage.emulator.endpoint.replace(/^http/, 'ws')}/client/hubs/${hub}`;
  /** A token signed independently of our REST client, with jsonwebtoken as the official SDK does. */
  const signed = (hub: string, claims: Record<string, unknown>, key = ACCESS_KEY, expiresIn: number | null = 3600) =>
    jwt.sign({ aud: `${stage.emulator.endpoint}/client/hubs/${hub}`, ...claims }, key, {
      algorithm: 'HS256',
      ...(expiresIn === null ? {} : { expiresIn }),
    });

  /** A JSON-subprotocol client and its `connected` message. */
  async function jsonClient(
    hub: string,
    token: { userId?: string; roles?: string[]; groups?: string[] } = {},
    protocol = JSON_PROTOCOL,
  ) {
    const client = await session.raw(await session.url(hub, token), protocol);
    const connected = await client.nextJson('the connected message');
    return { client, connected, connectionId: connected.connectionId as string };
  }

  describe('access tokens', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const refused: Array<[string, (hub: string) => string, number]> = [
      ['no token', (hub) => clientUrl(hub), 401],
      ['a malformed token', (hub) => `${clientUrl(hub)}?access_token=not-a-jwt`, 401],
      [
        'a token signed with another key',
        (hub) => `${clientUrl(hub)}?access_token=${signed(hub, { sub: 'u' }, 'some-other-key')}`,
        401,
      ],
      [
        'an expired token',
        (hub) => `${clientUrl(hub)}?access_token=${signed(hub, { sub: 'u', exp: now() - 3600 }, ACCESS_KEY, null)}`,
        401,
      ],
      [
        'a token without exp',
        (hub) => `${clientUrl(hub)}?access_token=${signed(hub, { sub: 'u' }, ACCESS_KEY, null)}`,
        401,
      ],
      ['a token for another hub', (hub) => `${clientUrl(hub)}?access_token=${signed('otherhub', { sub: 'u' })}`, 401],
      [
        'a token for another endpoint',
        (hub) =>
          `${clientUrl(hub)}?access_token=${jwt.sign({ aud: `https://elsewhere.example/client/hubs/${hub}` }, ACCESS_KEY, { expiresIn: 60 })}`,
        401,
      ],
      [
        'an empty webpubsub.group claim',
        (hub) => `${clientUrl(hub)}?access_token=${signed(hub, { 'webpubsub.group': [''] })}`,
        400,
      ],
      [
        'a blank webpubsub.group claim',
        (hub) => `${clientUrl(hub)}?access_token=${signed(hub, { 'webpubsub.group': ['ok', '   '] })}`,
        400,
      ],
    ];
    it.each(refused)('refuses %s before the upgrade', async (_case, url, status) => {
      const hub = freshHub();
      expect(await session.refusal(url(hub), JSON_PROTOCOL)).toBe(status);
      expect(stage.emulator.connections(hub)).toEqual([]);
    });

    it('accepts the token as a Bearer header and on the /client/?hub= form', async () => {
      const hub = freshHub();
      const bearer = await session.raw(clientUrl(hub), JSON_PROTOCOL, {
        Authorization: `Bearer ${signed(hub, { sub: 'header' })}`,
      });
      expect(await bearer.nextJson()).toMatchObject({ type: 'system', event: 'connected', userId: 'header' });
      const query = await session.raw(
        `${stage.emulator.endpoint.replace(/^http/, 'ws')}/client/?hub=${hub}&access_token=${signed(hub, { sub: 'query' })}`,
        JSON_PROTOCOL,
      );
      expect(await query.nextJson()).toMatchObject({ type: 'system', event: 'connected', userId: 'query' });
      expect(
        stage.emulator
          .connections(hub)
          .map((c) => c.userId)
          .sort(),
      ).toEqual(['header', 'query']);
    });

    it('takes initial groups and roles from the token, as arrays or single values', async () => {
      const hub = freshHub();
      const token = signed(hub, { sub: 'solo', 'webpubsub.group': 'g1', role: 'webpubsub.sendToGroup.g1' });
      const client = await session.raw(`${clientUrl(hub)}?access_token=${token}`, JSON_PROTOCOL);
      await client.nextJson('the connected message');
      const listed = await jsonClient(hub, { userId: 'listed', groups: ['g1', 'g2'] });
      expect(stage.emulator.connections(hub).map((c) => [c.userId, c.groups])).toEqual(
        expect.arrayContaining([
          ['solo', ['g1']],
          ['listed', ['g1', 'g2']],
        ]),
      );
      await session.rest(hub).group('g2').sendToAll({ to: 'g2' });
      expect(await listed.client.nextJson()).toEqual({
        type: 'message',
        from: 'group',
        group: 'g2',
        dataType: 'json',
        data: { to: 'g2' },
      });

      client.send({ type: 'sendToGroup', group: 'g1', ackId: 1, dataType: 'text', data: 'from solo' });
      client.send({ type: 'sendToGroup', group: 'g2', ackId: 2, dataType: 'text', data: 'not allowed' });
      client.send({ type: 'joinGroup', group: 'g3', ackId: 3 });
      // The sender is in g1 too, so its own message comes back before the ack.
      expect(await client.nextJson()).toEqual({
        type: 'message',
        from: 'group',
        group: 'g1',
        fromUserId: 'solo',
        dataType: 'text',
        data: 'from solo',
      });
      expect(await client.nextJson()).toEqual({ type: 'ack', ackId: 1, success: true });
      for (const ackId of [2, 3]) {
        expect(await client.nextJson()).toEqual({
          type: 'ack',
          ackId,
          success: false,
          error: { name: 'Forbidden', message: expect.any(String) },
        });
      }
      expect(await listed.client.nextJson()).toMatchObject({ group: 'g1', data: 'from solo' });
    });
  });

  describe('subprotocols', () => {
    it.each([JSON_PROTOCOL, RELIABLE_PROTOCOL])('echoes %s and greets the client with connected', async (protocol) => {
      const hub = freshHub();
      const { client, connected } = await jsonClient(hub, { userId: 'u1' }, protocol);
      expect(client.ws.protocol).toBe(protocol);
      expect(connected).toEqual({
        type: 'system',
        event: 'connected',
        userId: 'u1',
        connectionId: stage.emulator.connections(hub)[0].connectionId,
        ...(protocol === RELIABLE_PROTOCOL ? { reconnectionToken: expect.any(String) } : {}),
      });
    });

    it('echoes no subprotocol to a plain client and sends it no system message', async () => {
      const hub = freshHub();
      const plain = await session.raw(await session.url(hub, { userId: 'p' }));
      expect(plain.ws.protocol).toBe('');
      expect(stage.emulator.connections(hub)).toEqual([
        expect.objectContaining({ userId: 'p', subprotocol: undefined }),
      ]);
      await session.rest(hub).sendToAll('first', { contentType: 'text/plain' });
      expect(await plain.next()).toEqual({ data: 'first', isBinary: false });
    });
  });

  describe('plain WebSocket clients', () => {
    it('receive REST messages as raw frames: text, JSON text (quotes included), binary', async () => {
      const hub = freshHub();
      const rest = session.rest(hub);
      const plain = await session.raw(await session.url(hub, { userId: 'p' }));
      await rest.sendToUser('p', 'hi', { contentType: 'text/plain' });
      await rest.sendToAll('Hello');
      await rest.sendToAll({ a: [1, 'b'] });
      await rest.sendToConnection(stage.emulator.connections(hub)[0].connectionId, new Uint8Array([0, 1, 2, 255]));
      expect(await plain.next()).toEqual({ data: 'hi', isBinary: false });
      expect(await plain.next()).toEqual({ data: '"Hello"', isBinary: false });
      expect(await plain.next()).toEqual({ data: '{"a":[1,"b"]}', isBinary: false });
      expect(await plain.next()).toEqual({ data: Buffer.from([0, 1, 2, 255]), isBinary: true });
    });

    it('receive group messages from JSON clients as raw frames of the matching kind', async () => {
      const hub = freshHub();
      const plain = await session.raw(await session.url(hub, { groups: ['g'] }));
      const { client: sender } = await jsonClient(hub, { roles: ['webpubsub.sendToGroup'] });
      sender.send({
        type: 'sendToGroup',
        group: 'g',
        dataType: 'binary',
        data: Buffer.from([9, 8, 7]).toString('base64'),
      });
      sender.send({ type: 'sendToGroup', group: 'g', dataType: 'text', data: 'words' });
      sender.send({ type: 'sendToGroup', group: 'g', dataType: 'json', data: 'quoted' });
      expect(await plain.next()).toEqual({ data: Buffer.from([9, 8, 7]), isBinary: true });
      expect(await plain.next()).toEqual({ data: 'words', isBinary: false });
      expect(await plain.next()).toEqual({ data: '"quoted"', isBinary: false });
    });

    /** A plain publisher in group g (so an echo would reach it) and a JSON member of g. */
    async function publisher(hub: string, query: string, roles: string[]) {
      const url = `${await session.url(hub, { userId: 'pub', roles, groups: ['g'] })}&webpubsub_mode=sendToGroup&group=g${query}`;
      const plain = await session.raw(url);
      const member = await jsonClient(hub, { userId: 'member', groups: ['g'] });
      const pubId = stage.emulator.connections(hub).find((c) => c.userId === 'pub')!.connectionId;
      return { plain, member: member.client, pubId };
    }

    it('publish each frame to the group with webpubsub_mode=sendToGroup, echoing to themselves', async () => {
      const hub = freshHub();
      const { plain, member } = await publisher(hub, '', ['webpubsub.sendToGroup.g']);
      plain.send('hello');
      plain.send(Buffer.from([1, 2, 3]));
      expect(await member.nextJson()).toEqual({
        type: 'message',
        from: 'group',
        group: 'g',
        fromUserId: 'pub',
        dataType: 'text',
        data: 'hello',
      });
      expect(await member.nextJson()).toEqual({
        type: 'message',
        from: 'group',
        group: 'g',
        fromUserId: 'pub',
        dataType: 'binary',
        data: 'AQID',
      });
      expect(await plain.next()).toEqual({ data: 'hello', isBinary: false });
      expect(await plain.next()).toEqual({ data: Buffer.from([1, 2, 3]), isBinary: true });
    });

    it('do not get their own frames back with noEcho=true', async () => {
      const hub = freshHub();
      const { plain, member, pubId } = await publisher(hub, '&noEcho=true', ['webpubsub.sendToGroup']);
      plain.send('quiet');
      expect(await member.nextJson()).toMatchObject({ from: 'group', data: 'quiet' });
      // The group delivery happened before this message, so an echo would be read first.
      await session.rest(hub).sendToConnection(pubId, 'marker', { contentType: 'text/plain' });
      expect(await plain.next()).toEqual({ data: 'marker', isBinary: false });
    });

    it('cannot publish without the sendToGroup role', async () => {
      const hub = freshHub();
      const { plain, member } = await publisher(hub, '', ['webpubsub.sendToGroup.other']);
      const before = warnings.length;
      plain.send('forbidden');
      await waitFor(
        () => warnings.slice(before).some((w) => w.includes("send to group 'g'")),
        'the emulator to refuse the frame',
      );
      await member.roundTrip();
      expect(member.unread()).toEqual([]);
      expect(stage.emulator.deliveries.filter((d) => d.hub === hub)).toEqual([]);
    });
  });

  describe('json.webpubsub.azure.v1 frames', () => {
    it.each<[string, string | Buffer, number]>([
      ['a binary frame', Buffer.from('{"type":"ping"}'), 1003],
      ['invalid JSON', '{"type":', 1007],
      ['JSON that is not an object', '42', 1007],
    ])('closes the connection on %s', async (_case, frame, code) => {
      const hub = freshHub();
      const { client } = await jsonClient(hub);
      client.ws.send(frame);
      expect((await client.closed()).code).toBe(code);
      expect(stage.emulator.connections(hub)).toEqual([]);
    });

    it('sends disconnected with the closeConnection reason before closing; plain clients get only the close', async () => {
      const hub = freshHub();
      const { client, connectionId } = await jsonClient(hub, { userId: 'j' });
      const plain = await session.raw(await session.url(hub, { userId: 'p' }));
      const rest = session.rest(hub);
      await rest.closeConnection(connectionId, { reason: 'bye now' });
      expect(await client.nextJson()).toEqual({ type: 'system', event: 'disconnected', message: 'bye now' });
      expect(await client.closed()).toEqual({ code: 1000, reason: 'bye now' });
      await rest.closeUserConnections('p', { reason: 'bye plain' });
      expect(await plain.closed()).toEqual({ code: 1000, reason: 'bye plain' });
      expect(plain.frames).toEqual([]);
    });

    it('answers ping with pong and acks only frames that carry an ackId', async () => {
      const hub = freshHub();
      const { client } = await jsonClient(hub, { roles: ['webpubsub.joinLeaveGroup'] });
      client.send({ type: 'ping' });
      expect(await client.nextJson()).toEqual({ type: 'pong' });
      client.send({ type: 'joinGroup', group: 'silent' });
      client.send({ type: 'joinGroup', group: 'acked', ackId: 5 });
      expect(await client.nextJson()).toEqual({ type: 'ack', ackId: 5, success: true });
      expect(stage.emulator.connections(hub)[0].groups).toEqual(['silent', 'acked']);
    });

    it('maps server messages exactly: JSON value, text string, binary base64', async () => {
      const hub = freshHub();
      const rest = session.rest(hub);
      const { client, connectionId } = await jsonClient(hub, { userId: 'j' });
      await rest.sendToAll({ n: 1, s: 'x' });
      await rest.sendToUser('j', 'some text', { contentType: 'text/plain' });
      await rest.sendToConnection(connectionId, new Uint8Array([255, 0, 127]));
      expect(await client.nextJson()).toEqual({
        type: 'message',
        from: 'server',
        dataType: 'json',
        data: { n: 1, s: 'x' },
      });
      expect(await client.nextJson()).toEqual({ type: 'message', from: 'server', dataType: 'text', data: 'some text' });
      expect(await client.nextJson()).toEqual({
        type: 'message',
        from: 'server',
        dataType: 'binary',
        data: Buffer.from([255, 0, 127]).toString('base64'),
      });
    });

    it('omits fromUserId for anonymous senders and names the user otherwise', async () => {
      const hub = freshHub();
      const { client: receiver } = await jsonClient(hub, { userId: 'r', groups: ['g'] });
      const { client: anonymous } = await jsonClient(hub, { roles: ['webpubsub.sendToGroup'] });
      const { client: named } = await jsonClient(hub, { userId: 'alice', roles: ['webpubsub.sendToGroup'] });
      anonymous.send({ type: 'sendToGroup', group: 'g', ackId: 1, data: { who: 'nobody' } });
      expect(await anonymous.nextJson()).toMatchObject({ type: 'ack', ackId: 1, success: true });
      named.send({ type: 'sendToGroup', group: 'g', ackId: 1, dataType: 'binary', data: 'AQID' });
      expect(await receiver.nextJson()).toEqual({
        type: 'message',
        from: 'group',
        group: 'g',
        dataType: 'json',
        data: { who: 'nobody' },
      });
      expect(await receiver.nextJson()).toEqual({
        type: 'message',
        from: 'group',
        group: 'g',
        fromUserId: 'alice',
        dataType: 'binary',
        data: 'AQID',
      });
    });
  });
});
