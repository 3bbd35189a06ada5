import { describe, expect, it } from '@jest/globals';
import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import {
  OnConnect,
  OnConnected,
  OnUserEvent,
  WebPubSubEventHandler,
  WebPubSubService,
  type ConnectedEvent,
  type ConnectionStateAccess,
  type ConnectRequest,
  type UserEventRequest,
} from '../../../lib/index.js';
import { useEventsStack } from '../../support/events-stack.js';
import { DEFAULT_ADAPTER } from '../../support/http-adapters.js';
import { refusalStatus } from '../../support/raw-client.js';
import { waitFor } from '../../support/wait-for.js';

/** An ordinary provider, injected into the handler class to prove DI works there. */
@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

/** Decides who gets in, and with what, from the token's userId (the connect event's ce-userId). */
@WebPubSubEventHandler({ hub: 'chat' })
class ChatEvents {
  readonly connected: string[] = [];

  constructor(
    private readonly greeter: Greeter,
    private readonly webPubSub: WebPubSubService,
  ) {}

  @OnConnect()
  connect(request: ConnectRequest, state: ConnectionStateAccess) {
    const user = request.context.userId ?? '';
    if (user === 'intruder') throw new UnauthorizedException('who are you?');
    if (user === 'banned') throw new ForbiddenException('not you');
    if (user === 'plain') return undefined; // accept as is: token userId, no groups, no roles
    state.set('greeting', this.greeter.greet(user));
    return { userId: `app-${user}`, groups: [`room-${user}`], roles: ['webpubsub.joinLeaveGroup.extra'] };
  }

  @OnConnected()
  onConnected(event: ConnectedEvent) {
    this.connected.push(event.context.userId ?? '');
  }

  /** Uses the injected service (REST) and the injected provider's state from connect. */
  @OnUserEvent('whoami')
  async whoami(event: UserEventRequest, state: ConnectionStateAccess) {
    await this.webPubSub.sendToConnection(event.context.connectionId, { via: 'rest' });
    return { greeting: state.get('greeting'), userId: event.context.userId };
  }
}

describe.each(DEFAULT_ADAPTER)('@OnConnect on %s', (adapter) => {
  const stack = useEventsStack({
    adapter,
    hub: 'chat',
    hubs: { chat: { template: '/eventhandler/{event}' } },
    providers: [Greeter, ChatEvents],
  });

  it('assigns userId and groups: a REST broadcast to the assigned group reaches the client', async () => {
    const client = await stack.connect({ userId: 'u1' });
    expect(client.userId).toBe('app-u1');
    await stack.service.group('room-u1').sendToAll({ to: 'room' });
    const message = await client.waitForMessage((received) => received.from === 'group');
    expect({ group: message.group, data: message.data }).toEqual({ group: 'room-u1', data: { to: 'room' } });
    await waitFor(
      () => stack.app.get(ChatEvents).connected.includes('app-u1'),
      '@OnConnected with the assigned userId',
    );
  });

  it('assigns roles: joinGroup is allowed only for the group the roles name', async () => {
    const client = await stack.connect({ userId: 'u2' });
    await expect(client.joinGroup('extra')).resolves.toBeUndefined();
    await expect(client.joinGroup('other')).rejects.toThrow(
      'Joining group "other" was refused by Web PubSub: Forbidden:',
    );
    // Without the connect handler's roles the same client may not join 'extra'.
    const plain = await stack.connect({ userId: 'plain' });
    expect(plain.userId).toBe('plain');
    await expect(plain.joinGroup('extra')).rejects.toThrow(
      'Joining group "extra" was refused by Web PubSub: Forbidden:',
    );
  });

  it('injects providers and the WebPubSubService into the handler class', async () => {
    const client = await stack.connect({ userId: 'u3' });
    await client.sendEvent('whoami', {});
    const messages = await client.waitForMessages(2);
    // The REST send happens before the handler returns, so it arrives first.
    expect(messages.map((message) => [message.from, message.data])).toEqual([
      ['server', { via: 'rest' }],
      ['server', { greeting: 'hello u3', userId: 'app-u3' }],
    ]);
  });

  it.each([
    ['intruder', 401],
    ['banned', 403],
  ])('rejects %s with HTTP %d: connecting fails and the handshake carries the status', async (userId, status) => {
    await expect(stack.connect({ userId })).rejects.toThrow();
    const { url } = await stack.service.getClientAccessToken({ userId });
    expect(await refusalStatus(url)).toBe(status);
    expect(stack.app.get(ChatEvents).connected).not.toContain(userId);
    // A rejected connect is no handler failure: nothing logged at error level.
    expect(stack.errorLines()).toEqual([]);
  });
});
