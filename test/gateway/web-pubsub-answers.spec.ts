import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { ChatGateway } from './chat.gateway.js';

/** What only Web PubSub shows: an exception is also a failed answer, so the client's sendEvent rejects. */
describe('WebPubSubAdapter error answers', () => {
  const driver = new WebPubSubDriver('express');
  beforeAll(() => driver.start(ChatGateway));
  afterAll(() => driver.stop());

  it('a refusing guard: sendEvent rejects with SendMessageError, and the exception frame carries the message', async () => {
    const client = await driver.connect('alice');
    const reply = await client.request('secret', {}, 'never');
    expect(reply.data).toMatchObject({ message: 'Forbidden resource' });
    expect(reply.rejected).toMatchObject({ name: 'SendMessageError', errorDetail: { name: 'InternalServerError' } });
    expect((reply.rejected as { errorDetail: { message: string } }).errorDetail.message).toMatch(/HTTP 400/);
  });

  it('an event no @SubscribeMessage takes: a clear error, not a hang', async () => {
    const client = await driver.connect('alice');
    const reply = await client.request('nope', {}, 'nope');
    expect(reply.data).toEqual({ status: 'error', message: "No @SubscribeMessage('nope') on the gateways of hub 'chat'. Add one, or send an event the gateway handles." });
    expect((reply.rejected as { errorDetail: { message: string } }).errorDetail.message).toMatch(/HTTP 404/);
  });
});
