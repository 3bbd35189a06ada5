import { describe, expect, it } from '@jest/globals';
import { OnUserEvent, WebPubSubEventHandler, type UserEventRequest } from '../../../lib/index.js';
import { useEventsStack } from '../../support/events-stack.js';
import { DEFAULT_ADAPTER } from '../../support/http-adapters.js';

/**
 * Any event name the service allows, end to end: the emulator percent-encodes `ce-type`,
 * `ce-eventName` and `ce-userId` as the CloudEvents HTTP binding says, and the route decodes them
 * before matching, so handlers are declared with the names clients send.
 */
@WebPubSubEventHandler({ hub: 'chat' })
class NamedEvents {
  @OnUserEvent('名前')
  japanese(event: UserEventRequest) {
    return { name: event.context.eventName, user: event.context.userId, data: event.data };
  }

  @OnUserEvent('say "hi" 100%')
  punctuated(event: UserEventRequest) {
    return `${event.context.eventName}:${String(event.data)}`;
  }
}

describe.each(DEFAULT_ADAPTER)('event names on %s', (adapter) => {
  const stack = useEventsStack({
    adapter,
    hub: 'chat',
    hubs: { chat: { template: '/eventhandler/{event}' } },
    providers: [NamedEvents],
  });

  it('a non-ASCII event name and user id reach the handler declared with them, decoded', async () => {
    const client = await stack.connect({ userId: 'José' });
    await client.sendEvent('名前', { n: 1 }, 'json');
    expect(await client.waitForMessage()).toMatchObject({
      from: 'server',
      data: { name: '名前', user: 'José', data: { n: 1 } },
    });
  });

  it('spaces, quotes and a percent sign survive the round trip (no second decoding)', async () => {
    const client = await stack.connect({ userId: 'p' });
    await client.sendEvent('say "hi" 100%', 'x', 'text');
    expect(await client.waitForMessage()).toMatchObject({ from: 'server', data: 'say "hi" 100%:x' });
  });
});
