import { afterEach, describe, expect, it } from '@jest/globals';
import { UnauthorizedException } from '@nestjs/common';
import {
  OnConnect,
  OnUserEvent,
  WebPubSubEventHandler,
  type ConnectRequest,
  type UserEventRequest,
} from '../../lib/index.js';
import { WebPubSubTestClient } from '../../lib/testing/index.js';
import { EventsStack } from '../support/events-stack.js';

/* The test client against a Nest app's event handlers, through the emulator: what a user's own tests do. */
@WebPubSubEventHandler({ hub: 'chat' })
class ChatEvents {
  @OnConnect()
  connect(request: ConnectRequest) {
    if (request.query.ticket?.[0] !== 'valid') throw new UnauthorizedException();
    return { groups: ['lobby'] };
  }

  @OnUserEvent('echo')
  echo(event: UserEventRequest) {
    return { echo: event.data, from: event.context.userId };
  }
}

describe('WebPubSubTestClient with event handlers', () => {
  let stack: EventsStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('gets the answer of a user event, and is put in the group its connect handler chose', async () => {
    stack = await new EventsStack({
      adapter: 'express',
      hub: 'chat',
      hubs: { chat: { template: '/eventhandler/{event}' } },
      providers: [ChatEvents],
    }).start();
    const { url } = await stack.service.getClientAccessToken({ userId: 'dana' });
    const client = await WebPubSubTestClient.connect(`${url}&ticket=valid`);
    try {
      await client.sendEvent('echo', { n: 1 });
      await expect(client.waitForMessage()).resolves.toEqual({
        from: 'server',
        dataType: 'json',
        data: { echo: { n: 1 }, from: 'dana' },
      });
      await stack.service.group('lobby').sendToAll('in the lobby', { contentType: 'text/plain' });
      await expect(client.waitForMessage((message) => message.from === 'group')).resolves.toMatchObject({
        group: 'lobby',
        data: 'in the lobby',
      });
    } finally {
      await client.close();
    }
  });

  it('says a connect handler refused it', async () => {
    stack = await new EventsStack({
      adapter: 'express',
      hub: 'chat',
      hubs: { chat: { template: '/eventhandler/{event}' } },
      providers: [ChatEvents],
    }).start();
    const { url } = await stack.service.getClientAccessToken({ userId: 'mallory' });
    await expect(WebPubSubTestClient.connect(url)).rejects.toThrow(
      /could not connect to Web PubSub: HTTP 401|closed the test client's connection before it was connected/,
    );
  });
});
