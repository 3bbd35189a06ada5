import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  OnConnect,
  OnDisconnected,
  OnUserEvent,
  WebPubSubEventHandler,
  type ConnectionStateAccess,
  type ConnectRequest,
  type DisconnectedEvent,
  type UserEventRequest,
} from '../../../lib/index.js';
import { useEventsStack } from '../../support/events-stack.js';
import { ADAPTERS, DEFAULT_ADAPTER } from '../../support/http-adapters.js';
import { waitFor } from '../../support/wait-for.js';

/** Answers user events with each kind of reply, keeps connection state, and records disconnects. */
@WebPubSubEventHandler({ hub: 'chat' })
class ChatEvents {
  readonly disconnects: Array<{ userId?: string; reason?: string; states: Record<string, unknown> }> = [];
  readonly received: Array<{ dataType: string; data: unknown }> = [];

  @OnConnect()
  connect(request: ConnectRequest, state: ConnectionStateAccess) {
    state.set('since', `connect of ${request.context.userId}`);
    return undefined;
  }

  @OnUserEvent('json')
  json(event: UserEventRequest) {
    return { got: event.data, dataType: event.dataType };
  }

  @OnUserEvent('text')
  text(event: UserEventRequest) {
    return `text:${String(event.data)}`;
  }

  /** Echoes the bytes reversed, so the reply proves they arrived intact and in order. */
  @OnUserEvent('binary')
  binary(event: UserEventRequest) {
    this.received.push({ dataType: event.dataType, data: event.data });
    return Buffer.from(event.data as Buffer).reverse();
  }

  @OnUserEvent('silent')
  silent() {
    return undefined;
  }

  /** Reads the state set in connect (handler argument and context) and adds to it. */
  @OnUserEvent('state')
  state(event: UserEventRequest, state: ConnectionStateAccess) {
    const seen = { viaAccess: state.get('since'), viaContext: event.context.states.since };
    state.set('touched', true);
    return seen;
  }

  @OnUserEvent('boom')
  boom(): never {
    throw new Error('handler exploded');
  }

  @OnDisconnected()
  disconnected(event: DisconnectedEvent) {
    this.disconnects.push({ userId: event.context.userId, reason: event.reason, states: event.context.states });
  }
}

// Body reading branches by platform (events.body.ts): JSON, text and binary bodies run on both.
describe.each(ADAPTERS)('user event bodies on %s', (adapter) => {
  const stack = useEventsStack({
    adapter,
    hub: 'chat',
    hubs: { chat: { template: '/eventhandler/{event}' } },
    providers: [ChatEvents],
  });
  let events: ChatEvents;
  beforeAll(() => {
    events = stack.app.get(ChatEvents);
  });

  it('answers a JSON event with JSON', async () => {
    const client = await stack.connect({ userId: 'j' });
    await client.sendEvent('json', { a: [1, 'two'] }, 'json');
    const reply = await client.waitForMessage();
    expect(reply).toMatchObject({
      from: 'server',
      dataType: 'json',
      data: { got: { a: [1, 'two'] }, dataType: 'json' },
    });
  });

  it('answers a text event with text', async () => {
    const client = await stack.connect({ userId: 't' });
    await client.sendEvent('text', 'héllo', 'text');
    expect(await client.waitForMessage()).toMatchObject({ from: 'server', dataType: 'text', data: 'text:héllo' });
  });

  it('passes binary bodies intact both ways', async () => {
    const client = await stack.connect({ userId: 'b' });
    // Every byte value, including ones invalid as UTF-8, so any text decoding on the way would show.
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, index) => index % 256));
    await client.sendEvent('binary', bytes, 'binary');
    const reply = await client.waitForMessage();
    expect(reply.dataType).toBe('binary');
    expect((reply.data as Buffer).equals(Buffer.from(bytes).reverse())).toBe(true);
    expect(events.received.at(-1)?.dataType).toBe('binary');
    expect(Buffer.from(events.received.at(-1)!.data as Buffer).equals(bytes)).toBe(true);
  });
});

// What the dispatcher does with an event does not depend on the platform.
describe.each(DEFAULT_ADAPTER)('user events, state and disconnects on %s', (adapter) => {
  const stack = useEventsStack({
    adapter,
    hub: 'chat',
    hubs: { chat: { template: '/eventhandler/{event}' } },
    providers: [ChatEvents],
  });
  let events: ChatEvents;
  beforeAll(() => {
    events = stack.app.get(ChatEvents);
  });

  it('sends nothing back when the handler returns nothing', async () => {
    const client = await stack.connect({ userId: 's' });
    await client.sendEvent('silent', 'x', 'text');
    // The marker's reply comes after anything the silent event could have sent on the same connection.
    await client.sendEvent('text', 'marker', 'text');
    await client.waitForMessage((message) => message.data === 'text:marker');
    expect(client.messages).toEqual([expect.objectContaining({ from: 'server', data: 'text:marker' })]);
  });

  it('keeps state from connect for user events and disconnected; REST closeConnection reason reaches @OnDisconnected', async () => {
    // The official client, as its disconnected event shows the reason the service gave.
    const client = await stack.connectOfficial({ userId: 'st' });
    await client.client.sendEvent('state', {}, 'json');
    expect((await waitFor(() => client.server[0], 'the state reply')).data).toEqual({
      viaAccess: 'connect of st',
      viaContext: 'connect of st',
    });
    await stack.service.closeConnection(client.connectionId, { reason: 'kicked by test' });
    const seen = await waitFor(
      () => events.disconnects.find((entry) => entry.userId === 'st'),
      '@OnDisconnected for st',
    );
    expect(seen).toEqual({ userId: 'st', reason: 'kicked by test', states: { since: 'connect of st', touched: true } });
    // The client sees the same reason in its disconnected event.
    expect((await waitFor(() => client.disconnected[0], 'the client disconnected event')).message?.message).toBe(
      'kicked by test',
    );
  });

  it('turns a throwing handler into an ack error and an error log, and keeps serving', async () => {
    const client = await stack.connect({ userId: 'e' });
    await expect(client.sendEvent('boom', {}, 'json')).rejects.toThrow(
      'Event "boom" was refused by Web PubSub: InternalServerError:',
    );
    await waitFor(
      () => stack.errorLines().some((line) => line.includes('ChatEvents.boom') && line.includes('handler exploded')),
      'the error log line',
    );
    // The app still answers: the same kind of event on a new connection, and connect itself.
    const after = await stack.connect({ userId: 'e2' });
    await after.sendEvent('json', { n: 1 }, 'json');
    expect((await after.waitForMessage()).data).toEqual({ got: { n: 1 }, dataType: 'json' });
  });
});
