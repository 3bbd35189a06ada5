import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OnConnect, OnUserEvent, WebPubSubEventHandler, type ConnectRequest, type UserEventRequest } from '../../../lib/index.js';
import { ADAPTERS, Stack } from './harness.js';

/** Two hubs, one class each: the answer names the class, so a mix-up shows. */
@WebPubSubEventHandler({ hub: 'chat' })
class ChatEvents {
  @OnConnect()
  connect(request: ConnectRequest) {
    return { userId: `chat-${request.context.userId}` };
  }

  @OnUserEvent('who')
  who(event: UserEventRequest) {
    return `chat handled ${event.context.hub}`;
  }
}

@WebPubSubEventHandler({ hub: 'Alerts' })
class AlertEvents {
  @OnConnect()
  connect(request: ConnectRequest) {
    return { userId: `alerts-${request.context.userId}` };
  }

  @OnUserEvent('who')
  who(event: UserEventRequest) {
    return `alerts handled ${event.context.hub}`;
  }
}

describe.each(ADAPTERS)('hubs and paths on %s', (adapter) => {
  describe('two hubs on the default path, one with {event} in the URL template and one without', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await Stack.start({
        adapter,
        hub: 'chat',
        hubs: { chat: { template: '/eventhandler/{event}' }, alerts: { template: '/eventhandler' } },
        providers: [ChatEvents, AlertEvents],
      });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('dispatches each hub to its own class (hub names ignore case)', async () => {
      const chat = await (await stack.client({ userId: 'u' })).start();
      const alerts = await (await stack.client({ userId: 'u', hub: 'alerts' })).start();
      expect([chat.userId, alerts.userId]).toEqual(['chat-u', 'alerts-u']);
      await chat.client.sendEvent('who', '', 'text');
      await alerts.client.sendEvent('who', '', 'text');
      expect((await chat.serverMessage(1, 'the chat reply')).data).toBe('chat handled chat');
      expect((await alerts.serverMessage(1, 'the alerts reply')).data).toBe('alerts handled alerts');
      chat.stop();
      alerts.stop();
    });
  });

  describe('a custom eventsPath', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await Stack.start({ adapter, hub: 'chat', eventsPath: '/hooks/wps', hubs: { chat: { template: '/hooks/wps/{event}' } }, providers: [ChatEvents] });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('serves the events there', async () => {
      const chat = await (await stack.client({ userId: 'p' })).start();
      expect(chat.userId).toBe('chat-p');
      await chat.client.sendEvent('who', '', 'text');
      expect((await chat.serverMessage(1, 'the reply')).data).toBe('chat handled chat');
      chat.stop();
    });

    it('no longer serves the default path', async () => {
      const url = stack.emulator.endpoint; // any origin; the route must not exist at all
      const address = stack.app.getHttpServer().address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${address.port}/eventhandler/connect`, {
        method: 'OPTIONS',
        headers: { 'webhook-request-origin': new URL(url).host, 'ce-awpsversion': '1.0' },
      });
      await response.arrayBuffer();
      expect(response.status).toBe(404);
    });
  });
});
