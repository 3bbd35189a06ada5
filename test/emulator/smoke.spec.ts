import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { WebPubSubRestClient } from '../../lib/index.js';
import { WebPubSubEmulator } from '../../lib/emulator/index.js';

describe('emulator smoke', () => {
  let emulator: WebPubSubEmulator;
  beforeAll(async () => {
    emulator = await WebPubSubEmulator.start();
  });
  afterAll(() => emulator.stop());

  it('delivers a REST group send to an official client that joined the group', async () => {
    const rest = new WebPubSubRestClient(emulator.connectionString, 'chat');
    const { url } = await rest.getClientAccessToken({ userId: 'u1', roles: ['webpubsub.joinLeaveGroup'] });
    const client = new WebPubSubClient(url);
    const received: unknown[] = [];
    client.on('group-message', (event) => received.push(event.message.data));
    await client.start();
    await client.joinGroup('room');
    await rest.group('room').sendToAll({ hello: 'world' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.stop();
    expect(received).toEqual([{ hello: 'world' }]);
  });
});
