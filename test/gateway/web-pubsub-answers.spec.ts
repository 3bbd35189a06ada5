import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { ChatGateway } from './chat.gateway.js';

/**
 * What only Web PubSub shows: an exception is the event's answer (a success status, as the service
 * closes a client's connection when the app answers its event with an error), so the client's
 * sendEvent succeeds, the `exception` frame carries the message, and the connection stays usable.
 */
describe('WebPubSubAdapter error answers', () => {
  const driver = new WebPubSubDriver('express');
  beforeAll(() => driver.start(ChatGateway));
  afterAll(() => driver.stop());

  it('a refusing guard: the exception frame answers the event, and the connection goes on', async () => {
    const client = await driver.connect('alice');
    const reply = await client.request('secret', {}, 'never');
    // No `rejected`: the service acked the event as a success (an error status would fail the send).
    expect(reply).not.toHaveProperty('rejected');
    expect(reply).toMatchObject({ event: 'exception', data: { status: 'error', message: 'Forbidden resource' } });
    expect(await client.request('echo', { after: 'refusal' }, 'echo')).toEqual({
      event: 'echo',
      data: { after: 'refusal' },
    });
    expect(client.official.disconnected).toEqual([]);
  });

  it('an event no @SubscribeMessage takes: a clear exception, not a hang or a closed connection', async () => {
    const client = await driver.connect('alice');
    const reply = await client.request('nope', {}, 'nope');
    expect(reply).toEqual({
      event: 'exception',
      data: {
        status: 'error',
        message:
          "No @SubscribeMessage('nope') on the gateways of hub 'chat'. Add one, or send an event the gateway handles.",
      },
    });
    expect(await client.request('echo', 1, 'echo')).toEqual({ event: 'echo', data: 1 });
    expect(client.official.disconnected).toEqual([]);
  });
});
