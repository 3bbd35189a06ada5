import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { WebPubSubService } from 'nestjs-web-pubsub';
import { WebPubSubEmulator } from 'nestjs-web-pubsub/emulator';
import { WebPubSubTestClient } from 'nestjs-web-pubsub/testing';
import request from 'supertest';
import { App } from 'supertest/types';
import { AppModule } from './../src/app.module';

describe('Web PubSub (e2e)', () => {
  let emulator: WebPubSubEmulator;
  let app: INestApplication<App>;

  beforeAll(async () => {
    emulator = await WebPubSubEmulator.start();
    process.env.WEBPUBSUB_CONNECTION_STRING = emulator.connectionString;

    const moduleFixture = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await emulator?.stop();
  });

  it('POST /rooms/lobby/messages reaches the lobby, and only the lobby', async () => {
    const webPubSub = app.get(WebPubSubService);
    // alice (the official client) is in the lobby; bob (the test client) is in no group.
    const { url } = await webPubSub.getClientAccessToken({ userId: 'alice', groups: ['lobby'] });
    const alice = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, autoReconnect: false });
    const received = new Promise((resolve) => alice.on('group-message', (event) => resolve(event.message)));
    await alice.start();
    const bob = await WebPubSubTestClient.connect(webPubSub, { userId: 'bob' });

    await request(app.getHttpServer()).post('/rooms/lobby/messages').send({ text: 'hello lobby' }).expect(201);

    expect(await received).toMatchObject({ group: 'lobby', data: { text: 'hello lobby' } });
    // Had the broadcast reached bob, it would have arrived before this later message.
    await webPubSub.sendToUser('bob', { text: 'just for bob' });
    await bob.waitForMessage();
    expect(bob.messages.map((message) => message.data)).toEqual([{ text: 'just for bob' }]);

    alice.stop();
    await bob.close();
  });
});
