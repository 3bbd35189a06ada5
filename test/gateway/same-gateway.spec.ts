import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { WsDriver, WebPubSubDriver, type GatewayDriver } from '../support/gateway-drivers.js';
import { waitFor } from '../support/wait-for.js';
import { ChatGateway } from './chat.gateway.js';

/**
 * One gateway class, unchanged, on Nest's own `ws` adapter and on WebPubSubAdapter (emulator,
 * official clients, Express and Fastify): the same scenarios, the same outcomes.
 */
const drivers: Array<() => GatewayDriver> = [
  () => new WsDriver(),
  () => new WebPubSubDriver('express'),
  () => new WebPubSubDriver('fastify'),
];

describe.each(drivers.map((make) => [make().name, make] as const))('ChatGateway on %s', (_name, make) => {
  const driver = make();
  beforeAll(() => driver.start(ChatGateway));
  afterAll(() => driver.stop());
  beforeEach(() => ChatGateway.reset());

  it('answers an event with the handler result (a WsResponse)', async () => {
    const client = await driver.connect('alice');
    const reply = await client.request('echo', { text: 'hi' }, 'echo');
    expect(reply).toEqual({ event: 'echo', data: { text: 'hi' } });
  });

  it('broadcasts to a room: members receive it, others do not; after leave, no longer', async () => {
    const [alice, bob, carol] = await Promise.all([
      driver.connect('alice'),
      driver.connect('bob'),
      driver.connect('carol'),
    ]);
    expect(await alice.request('join', 'room1', 'joined')).toMatchObject({ event: 'joined', data: { room: 'room1' } });
    await bob.request('join', 'room1', 'joined');
    await carol.request('say', { room: 'room1', text: 'hello' }, 'sent');
    for (const member of [alice, bob])
      await waitFor(() => member.frames.find((frame) => frame.event === 'said'), 'the room message');
    expect(alice.frames.filter((frame) => frame.event === 'said')).toEqual([
      { event: 'said', data: { room: 'room1', text: 'hello' } },
    ]);
    expect(await bob.request('leave', 'room1', 'left')).toEqual({ event: 'left', data: { room: 'room1' } });
    await carol.request('say', { room: 'room1', text: 'again' }, 'sent');
    await waitFor(
      () => alice.frames.find((frame) => (frame.data as { text?: string })?.text === 'again'),
      'the second room message',
    );
    // Carol was never in the room, Bob left before the second one: each frame they hold is a reply.
    expect(carol.frames.map((frame) => frame.event)).toEqual(['sent', 'sent']);
    expect(
      bob.frames.filter((frame) => frame.event === 'said').map((frame) => (frame.data as { text: string }).text),
    ).toEqual(['hello']);
  });

  it('leaves the sender out with except(client.id)', async () => {
    const [alice, bob] = await Promise.all([driver.connect('alice'), driver.connect('bob')]);
    await alice.request('join', 'room2', 'joined');
    await bob.request('join', 'room2', 'joined');
    await alice.request('say', { room: 'room2', text: 'not to me', exceptMe: true }, 'sent');
    await waitFor(() => bob.frames.find((frame) => frame.event === 'said'), "bob's copy");
    // A marker after it: Alice's copy, if any, would have come first.
    await bob.request('say', { room: 'room2', text: 'marker' }, 'sent');
    await waitFor(
      () => alice.frames.find((frame) => (frame.data as { text?: string })?.text === 'marker'),
      'the marker',
    );
    expect(alice.frames.filter((frame) => (frame.data as { text?: string })?.text === 'not to me')).toEqual([]);
  });

  it('a refusing guard: the handler does not run, the client gets the exception', async () => {
    const client = await driver.connect('alice');
    const reply = await client.request('secret', {}, 'never');
    expect(reply).toMatchObject({ event: 'exception', data: { status: 'error', message: 'Forbidden resource' } });
    expect(ChatGateway.secretRuns).toBe(0);
  });

  it('a pipe that throws WsException: the client gets its message', async () => {
    const client = await driver.connect('alice');
    expect(await client.request('post', { text: '' }, 'posted')).toMatchObject({
      event: 'exception',
      data: { status: 'error', message: 'text must not be empty' },
    });
    expect(await client.request('post', { text: 'ok' }, 'posted')).toEqual({ event: 'posted', data: { text: 'ok' } });
  });

  it('runs handleConnection once per connection and handleDisconnect when it closes', async () => {
    const client = await driver.connect('dave');
    const { data } = await client.request('join', 'room3', 'joined');
    const id = (data as { id: string }).id;
    await client.request('echo', 1, 'echo');
    expect(ChatGateway.connected.filter((connection) => connection === id)).toHaveLength(1);
    await client.close();
    await waitFor(() => ChatGateway.disconnected.includes(id), 'handleDisconnect');
    expect(ChatGateway.disconnected).toEqual([id]);
  });
});
