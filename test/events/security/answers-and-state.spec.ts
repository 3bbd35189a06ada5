import { describe, expect, it } from '@jest/globals';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AzureKeyCredential,
  OnConnect,
  OnUserEvent,
  WebPubSubEventHandler,
  WebPubSubModule,
  type ConnectionStateAccess,
  type UserEventRequest,
} from '../../../lib/index.js';
import { ceSignature } from '../../support/upstream-events.js';
import { connectHeaders, CONNECTION_ID, PRIMARY_KEY, SECONDARY_KEY, useAppPerTest, userEvent } from './harness.js';

/** What the connect handler answers, set per test. */
let connectAnswer: unknown;

@WebPubSubEventHandler({ hub: 'chat' })
class AnsweringEvents {
  @OnConnect()
  connect(): unknown {
    return connectAnswer;
  }

  @OnUserEvent('message')
  message(_event: UserEventRequest, state: ConnectionStateAccess): unknown {
    return {
      constructor: typeof state.get('constructor'),
      proto: typeof state.get('__proto__'),
      room: state.get('room') ?? null,
    };
  }
}

const slot = useAppPerTest();
const { logger } = slot;

async function start(options: Parameters<typeof WebPubSubModule.forRoot>[0]): Promise<INestApplication> {
  @Module({ imports: [WebPubSubModule.forRoot({ hub: 'chat', logger, ...options })], providers: [AnsweringEvents] })
  class AppModule {}
  slot.app = (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication({
    logger: false,
  });
  await slot.app.init();
  return slot.app;
}

const connectBody = JSON.stringify({ claims: {}, query: {}, headers: {}, subprotocols: [] });
const endpoint = 'https://contoso.webpubsub.azure.com';

describe('connect answers are checked as token claims are', () => {
  it.each([
    ['a numeric userId', { userId: 123 }, 'userId'],
    ['userId ".."', { userId: '..' }, 'userId'],
    ['an empty group name', { groups: [''] }, 'groups'],
    ['a 2,000-character group name', { groups: ['g'.repeat(2000)] }, 'groups'],
    ['a number as a group', { groups: [5] }, 'groups'],
    ['null as a group', { groups: [null] }, 'groups'],
    ['an object as a group', { groups: [{}] }, 'groups'],
    ['groups that are not a list', { groups: 'lobby' }, 'groups'],
    ['a numeric role', { roles: [1] }, 'roles'],
    ['a string for an answer', 'alice', '(the answer)'],
  ])('refuses %s with a 500 whose log names the handler and the field', async (_, answer, field) => {
    connectAnswer = answer;
    await start({ connectionString: `Endpoint=${endpoint};AccessKey=${PRIMARY_KEY};Version=1.0;` });
    const response = await request(slot.app!.getHttpServer())
      .post('/eventhandler')
      .set(connectHeaders())
      .send(connectBody);
    expect(response.status).toBe(500);
    const errors = logger.lines.filter((line) => line.level === 'error').map((line) => line.message);
    expect(errors).toEqual([
      expect.stringContaining(`AnsweringEvents.connect failed: its answer's \`${field}\` is invalid`),
    ]);
  });

  it('accepts a valid answer (control)', async () => {
    connectAnswer = {
      userId: 'alice',
      groups: ['lobby', 'room 1'],
      roles: ['webpubsub.sendToGroup.lobby'],
      subprotocol: 'json.webpubsub.azure.v1',
    };
    await start({ connectionString: `Endpoint=${endpoint};AccessKey=${PRIMARY_KEY};Version=1.0;` });
    const response = await request(slot.app!.getHttpServer())
      .post('/eventhandler')
      .set(connectHeaders())
      .send(connectBody);
    expect([response.status, response.body]).toEqual([200, connectAnswer]);
  });
});

describe('connection state', () => {
  it('reads only keys the state has: constructor and __proto__ are states never set', async () => {
    await start({ connectionString: `Endpoint=${endpoint};AccessKey=${PRIMARY_KEY};Version=1.0;` });
    const states = Buffer.from(JSON.stringify({ room: 'lobby' })).toString('base64');
    const response = await request(slot.app!.getHttpServer())
      .post('/eventhandler')
      .set({ ...userEvent('application/json'), 'ce-connectionState': states })
      .send('{}');
    expect(response.body).toEqual({ constructor: 'undefined', proto: 'undefined', room: 'lobby' });
  });
});

describe('key rotation', () => {
  it('after credential.update(newKey), events signed with the new key pass and the old key is refused, with no restart', async () => {
    const credential = new AzureKeyCredential(PRIMARY_KEY);
    await start({ endpoint, credential });
    const send = (key: string) =>
      request(slot.app!.getHttpServer())
        .post('/eventhandler/message')
        .set({ ...userEvent('application/json'), 'ce-signature': ceSignature(key, CONNECTION_ID) })
        .send('{}');
    expect((await send(PRIMARY_KEY)).status).toBe(200);
    credential.update(SECONDARY_KEY);
    expect((await send(SECONDARY_KEY)).status).toBe(200);
    expect((await send(PRIMARY_KEY)).status).toBe(401);
  });
});
