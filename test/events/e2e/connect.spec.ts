import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import WebSocket from 'ws';
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
import { ADAPTERS, Stack } from './harness.js';
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

/** The HTTP status a rejected WebSocket handshake got, seen by a raw `ws` client. */
function handshakeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.once('open', () => {
      socket.close();
      reject(new Error('the handshake was accepted'));
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe.each(ADAPTERS)('@OnConnect on %s', (adapter) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ adapter, hub: 'chat', hubs: { chat: { template: '/eventhandler/{event}' } }, providers: [Greeter, ChatEvents] });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('assigns userId and groups: a REST broadcast to the assigned group reaches the client', async () => {
    const client = await (await stack.client({ userId: 'u1' })).start();
    expect(client.userId).toBe('app-u1');
    await stack.service.group('room-u1').sendToAll({ to: 'room' });
    const message = await waitFor(() => client.group[0], 'the group broadcast');
    expect(message).toEqual({ group: 'room-u1', data: { to: 'room' } });
    await waitFor(() => stack.app.get(ChatEvents).connected.includes('app-u1'), '@OnConnected with the assigned userId');
    client.stop();
  });

  it('assigns roles: joinGroup is allowed only for the group the roles name', async () => {
    const client = await (await stack.client({ userId: 'u2' })).start();
    await expect(client.client.joinGroup('extra')).resolves.toBeDefined();
    await expect(client.client.joinGroup('other')).rejects.toMatchObject({ errorDetail: { name: 'Forbidden' } });
    // Without the connect handler's roles the same client may not join 'extra'.
    const plain = await (await stack.client({ userId: 'plain' })).start();
    expect(plain.userId).toBe('plain');
    await expect(plain.client.joinGroup('extra')).rejects.toMatchObject({ errorDetail: { name: 'Forbidden' } });
    client.stop();
    plain.stop();
  });

  it('injects providers and the WebPubSubService into the handler class', async () => {
    const client = await (await stack.client({ userId: 'u3' })).start();
    await client.client.sendEvent('whoami', {}, 'json');
    await client.serverMessage(2, 'the REST message and the reply');
    // The REST send happens before the handler returns, so it arrives first.
    expect(client.server.map((message) => message.data)).toEqual([{ via: 'rest' }, { greeting: 'hello u3', userId: 'app-u3' }]);
    client.stop();
  });

  it.each([
    ['intruder', 401],
    ['banned', 403],
  ])('rejects %s with HTTP %d: start() fails and the handshake carries the status', async (userId, status) => {
    const client = await stack.client({ userId });
    await expect(client.client.start()).rejects.toThrow();
    const { url } = await stack.service.getClientAccessToken({ userId });
    expect(await handshakeStatus(url)).toBe(status);
    expect(stack.app.get(ChatEvents).connected).not.toContain(userId);
    // A rejected connect is no handler failure: nothing logged at error level.
    expect(stack.errorLines()).toEqual([]);
  });
});
