import { describe, expect, it } from '@jest/globals';
import {
  OnConnect,
  OnUserEvent,
  WebPubSubEventHandler,
  type ConnectRequest,
  type UserEventRequest,
} from '../../../lib/index.js';
import { useEventsStack } from '../../support/events-stack.js';
import { ADAPTERS } from '../../support/http-adapters.js';

/** A handler class for `hub` whose answers carry `label`, so a mix-up of hubs shows. */
function labelledEvents(hub: string, label: string) {
  @WebPubSubEventHandler({ hub })
  class LabelledEvents {
    @OnConnect()
    connect(request: ConnectRequest) {
      return { userId: `${label}-${request.context.userId}` };
    }

    @OnUserEvent('who')
    who(event: UserEventRequest) {
      return `${label} handled ${event.context.hub}`;
    }
  }
  return LabelledEvents;
}

/** Two hubs, one class each; 'Alerts' is the emulator's hub 'alerts' in another letter case. */
const ChatEvents = labelledEvents('chat', 'chat');
const AlertEvents = labelledEvents('Alerts', 'alerts');

describe.each(ADAPTERS)('hubs and paths on %s', (adapter) => {
  describe('two hubs on the default path, one with {event} in the URL template and one without', () => {
    const stack = useEventsStack({
      adapter,
      hub: 'chat',
      hubs: { chat: { template: '/eventhandler/{event}' }, alerts: { template: '/eventhandler' } },
      providers: [ChatEvents, AlertEvents],
    });

    it('dispatches each hub to its own class (hub names ignore case)', async () => {
      const chat = await stack.connect({ userId: 'u' });
      const alerts = await stack.connect({ userId: 'u', hub: 'alerts' });
      expect([chat.userId, alerts.userId]).toEqual(['chat-u', 'alerts-u']);
      await chat.sendEvent('who', '', 'text');
      await alerts.sendEvent('who', '', 'text');
      expect((await chat.waitForMessage()).data).toBe('chat handled chat');
      expect((await alerts.waitForMessage()).data).toBe('alerts handled alerts');
    });
  });

  describe('a custom eventsPath', () => {
    const stack = useEventsStack({
      adapter,
      hub: 'chat',
      eventsPath: '/hooks/wps',
      hubs: { chat: { template: '/hooks/wps/{event}' } },
      providers: [ChatEvents],
    });

    it('serves the events there', async () => {
      const chat = await stack.connect({ userId: 'p' });
      expect(chat.userId).toBe('chat-p');
      await chat.sendEvent('who', '', 'text');
      expect((await chat.waitForMessage()).data).toBe('chat handled chat');
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
