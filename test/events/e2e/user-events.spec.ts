import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
import { ADAPTERS, Stack } from './harness.js';
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

describe.each(ADAPTERS)('user events, state and disconnects on %s', (adapter) => {
  let stack: Stack;
  let events: ChatEvents;
  beforeAll(async () => {
    stack = await Stack.start({ adapter, hub: 'chat', hubs: { chat: { template: '/eventhandler/{event}' } }, providers: [ChatEvents] });
    events = stack.app.get(ChatEvents);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers a JSON event with JSON', async () => {
    const client = await (await stack.client({ userId: 'j' })).start();
    await client.client.sendEvent('json', { a: [1, 'two'] }, 'json');
    const reply = await client.serverMessage(1, 'the JSON reply');
    expect(reply).toMatchObject({ dataType: 'json', data: { got: { a: [1, 'two'] }, dataType: 'json' } });
    client.stop();
  });

  it('answers a text event with text', async () => {
    const client = await (await stack.client({ userId: 't' })).start();
    await client.client.sendEvent('text', 'héllo', 'text');
    expect(await client.serverMessage(1, 'the text reply')).toMatchObject({ dataType: 'text', data: 'text:héllo' });
    client.stop();
  });

  it('passes binary bodies intact both ways', async () => {
    const client = await (await stack.client({ userId: 'b' })).start();
    // Every byte value, including ones invalid as UTF-8, so any text decoding on the way would show.
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, index) => index % 256));
    await client.client.sendEvent('binary', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), 'binary');
    const reply = await client.serverMessage(1, 'the binary reply');
    expect(reply.dataType).toBe('binary');
    expect(Buffer.from(reply.data as ArrayBuffer).equals(Buffer.from(bytes).reverse())).toBe(true);
    expect(events.received.at(-1)?.dataType).toBe('binary');
    expect(Buffer.from(events.received.at(-1)!.data as Buffer).equals(bytes)).toBe(true);
    client.stop();
  });

  it('sends nothing back when the handler returns nothing', async () => {
    const client = await (await stack.client({ userId: 's' })).start();
    await client.client.sendEvent('silent', 'x', 'text');
    // The marker's reply comes after anything the silent event could have sent on the same connection.
    await client.client.sendEvent('text', 'marker', 'text');
    await client.serverMessage(1, 'the marker reply');
    expect(client.server).toEqual([expect.objectContaining({ data: 'text:marker' })]);
    client.stop();
  });

  it('keeps state from connect for user events and disconnected; REST closeConnection reason reaches @OnDisconnected', async () => {
    const client = await (await stack.client({ userId: 'st' })).start();
    await client.client.sendEvent('state', {}, 'json');
    expect((await client.serverMessage(1, 'the state reply')).data).toEqual({ viaAccess: 'connect of st', viaContext: 'connect of st' });
    await stack.service.closeConnection(client.connectionId!, { reason: 'kicked by test' });
    const seen = await waitFor(() => events.disconnects.find((entry) => entry.userId === 'st'), '@OnDisconnected for st');
    expect(seen).toEqual({ userId: 'st', reason: 'kicked by test', states: { since: 'connect of st', touched: true } });
    // The client sees the same reason in its disconnected event.
    expect(await waitFor(() => client.disconnected, 'the client disconnected event')).toBe('kicked by test');
  });

  it('turns a throwing handler into an ack error and an error log, and keeps serving', async () => {
    const client = await (await stack.client({ userId: 'e' })).start();
    await expect(client.client.sendEvent('boom', {}, 'json')).rejects.toMatchObject({ errorDetail: { name: 'InternalServerError' } });
    await waitFor(() => stack.errorLines().some((line) => line.includes('ChatEvents.boom') && line.includes('handler exploded')), 'the error log line');
    // The app still answers: the same kind of event on a new connection, and connect itself.
    const after = await (await stack.client({ userId: 'e2' })).start();
    await after.client.sendEvent('json', { n: 1 }, 'json');
    expect((await after.serverMessage(1, 'a reply after the failure')).data).toEqual({ got: { n: 1 }, dataType: 'json' });
    client.stop();
    after.stop();
  });
});
