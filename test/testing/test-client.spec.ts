import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../lib/index.js';
import { WebPubSubEmulator } from '../../lib/emulator/index.js';
import { WebPubSubTestClient } from '../../lib/testing/index.js';
import { startSilentServer, type SilentServer } from '../support/silent-server.js';
import { waitFor } from '../support/wait-for.js';

/*
 * The test client of `nestjs-web-pubsub/testing` against the emulator over real sockets: what it
 * records must equal what the service sent, acks must succeed or fail as the service says, and its
 * errors must say what to do.
 */
describe('WebPubSubTestClient', () => {
  let emulator: WebPubSubEmulator;
  let chat: WebPubSubRestClient;
  const clients: WebPubSubTestClient[] = [];

  const connect = async (...args: Parameters<typeof WebPubSubTestClient.connect>) => {
    const client = await WebPubSubTestClient.connect(...args);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    emulator = await WebPubSubEmulator.start();
    chat = new WebPubSubRestClient(emulator.connectionString, 'chat');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => emulator.stop());

  it('connects with a token from a service, as the user and in the groups the token names', async () => {
    const client = await connect(chat, { userId: 'bob', groups: ['lobby'] });
    expect(client.userId).toBe('bob');
    const [seen] = emulator.connections('chat').filter((connection) => connection.connectionId === client.connectionId);
    expect(seen).toMatchObject({ userId: 'bob', groups: ['lobby'] });
  });

  it('records server and group messages of every data type, in order, as the service sent them', async () => {
    const client = await connect(chat, { userId: 'bob', groups: ['lobby'] });
    await chat.sendToAll({ n: 1 });
    await chat.group('lobby').sendToAll('two', { contentType: 'text/plain' });
    await chat.sendToUser('bob', Buffer.from([3, 4, 5]));
    const messages = await client.waitForMessages(3);
    expect(messages).toEqual([
      { from: 'server', dataType: 'json', data: { n: 1 } },
      { from: 'group', group: 'lobby', dataType: 'text', data: 'two' },
      { from: 'server', dataType: 'binary', data: Buffer.from([3, 4, 5]) },
    ]);
    await expect(client.waitForMessage((message) => message.dataType === 'text')).resolves.toMatchObject({
      data: 'two',
    });
  });

  it('joins, publishes and leaves with the roles it was given, and reports a refusal by name', async () => {
    const alice = await connect(chat, {
      userId: 'alice',
      roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'],
    });
    const bob = await connect(chat, { userId: 'bob' });
    await alice.joinGroup('room');
    await expect(bob.joinGroup('room')).rejects.toThrow('Joining group "room" was refused by Web PubSub: Forbidden:');
    await bob.close();
    const carol = await connect(chat, { userId: 'carol', groups: ['room'] });
    await alice.sendToGroup('room', { hi: 'all' }, 'json', { noEcho: true });
    await expect(carol.waitForMessage()).resolves.toEqual({
      from: 'group',
      group: 'room',
      fromUserId: 'alice',
      dataType: 'json',
      data: { hi: 'all' },
    });
    await alice.leaveGroup('room');
    await chat.group('room').sendToAll('after leaving', { contentType: 'text/plain' });
    await carol.waitForMessage((message) => message.data === 'after leaving');
    // noEcho kept alice's own message from her, and after leaving she got nothing from the room.
    expect(alice.messages).toEqual([]);
  });

  it('fails with what it waited for when nothing comes, and a closed client refuses to send', async () => {
    const client = await connect(chat, { userId: 'bob' });
    await expect(client.waitForMessage(() => true, 50)).rejects.toThrow(
      'Timed out after 50 ms waiting for a matching message. Messages received so far are in client.messages.',
    );
    await client.close();
    await expect(client.sendEvent('x', {})).rejects.toThrow('The test client is not connected');
  });

  it('says the connection closed (not "timed out") when it closes during a wait, at once', async () => {
    const client = await connect(chat, { userId: 'bob' });
    const started = performance.now();
    const waiting = client.waitForMessage(() => false, 30_000);
    await chat.closeConnection(client.connectionId, { reason: 'kicked' });
    await expect(waiting).rejects.toThrow(
      'The connection closed while waiting for a matching message, so it will not arrive.',
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    await expect(client.waitForMessage()).rejects.toThrow('The connection closed while waiting for a matching message');
  });

  it('reports a refused connection without echoing the URL or its token', async () => {
    const { url } = await chat.getClientAccessToken({ userId: 'bob' });
    const forged = url.replace(/access_token=[^&]+/, 'access_token=not-a-token');
    const error = (await WebPubSubTestClient.connect(forged).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toBe(
      'The test client could not connect to Web PubSub: HTTP 401. Check the URL comes from getClientAccessToken() of the same service and hub.',
    );
  });

  it('checks its own arguments before sending', async () => {
    const client = await connect(chat, { userId: 'bob' });
    await expect(client.sendEvent('x', 'not bytes', 'binary')).rejects.toThrow(
      'dataType "binary" needs a Buffer or Uint8Array as data.',
    );
    await expect(client.sendToGroup('room', 42, 'text')).rejects.toThrow('dataType "text" needs a string as data.');
    // The control: valid data does go out (and is refused, as this emulator has no event handler).
    await expect(client.sendEvent('x', Buffer.from('ok'), 'binary')).rejects.toThrow(
      /^Event "x" was refused by Web PubSub: /,
    );
  });
});

describe('WebPubSubTestClient when the connection closes before an answer', () => {
  let silent: SilentServer;
  let emulator: WebPubSubEmulator;

  beforeAll(async () => {
    silent = await startSilentServer();
    emulator = await WebPubSubEmulator.start({
      // The app's event handler never answers, so the event's ack stays pending.
      hubs: { slow: { eventHandlers: [{ urlTemplate: `${silent.url}/eventhandler`, userEventPattern: '*' }] } },
      upstreamTimeoutMs: 30_000,
    });
  });
  afterAll(async () => {
    await emulator.stop();
    await silent.close();
  });

  it('rejects the pending sendEvent saying the connection closed first, not that the service refused it', async () => {
    const slow = new WebPubSubRestClient(emulator.connectionString, 'slow');
    const client = await WebPubSubTestClient.connect(slow, { userId: 'bob' });
    try {
      // Settled as soon as it happens: the close may come before closeConnection() returns.
      const pending = client.sendEvent('wait', { n: 1 }).then(
        () => 'acked',
        (error: Error) => error.message,
      );
      await waitFor(() => silent.connections > 0, 'the emulator calling the handler');
      await slow.closeConnection(client.connectionId, { reason: 'test' });
      expect(await pending).toBe('Event "wait" got no answer: the connection closed first.');
    } finally {
      await client.close();
    }
  });
});
