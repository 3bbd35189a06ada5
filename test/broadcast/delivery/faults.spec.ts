import { describe, expect, it } from '@jest/globals';
import { Body, Controller, Param, Post } from '@nestjs/common';
import request from 'supertest';
import { BroadcastToGroup, type BroadcastDefaults } from '../../../lib/index.js';
import type { EmulatorApp } from '../../support/emulator-app.js';
import type { OfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';
import { useDeliveryStage } from './delivery-harness.js';

/*
 * Service faults injected into the emulator: transient errors are retried and delivered exactly
 * once; a dead service either fails the request with a clear 502 (`throw`) or leaves the response
 * intact (`log`), and the log says which route, which target and why. Background sends never fail
 * the request.
 */

/** Counts handler runs: a 502 must come after the handler did its work, not instead of it. */
let handled = 0;

@Controller('rooms')
class RoomsController {
  @Post(':room/messages')
  @BroadcastToGroup((ctx) => ctx.params.room)
  create(@Param('room') room: string, @Body() body: { text: string }) {
    handled++;
    return { id: handled, room, text: body.text };
  }
}

const ROUTE = 'RoomsController.create';
const TARGET = 'group "lobby" of hub "chat"';

describe('broadcast under service faults', () => {
  const stage = useDeliveryStage();

  async function setUp(broadcast: BroadcastDefaults = {}) {
    const current = await stage.startApp([RoomsController], { broadcast });
    const receiver = await stage.connectReceiver(current.service, 'member', ['lobby']);
    const calls = stage.emulator.restCalls.length;
    /** Statuses of the group sends made since setUp. */
    const sends = () =>
      stage.emulator.restCalls
        .slice(calls)
        .filter((call) => call.operation === 'sendToGroup')
        .map((call) => call.status);
    const post = (text: string) => request(current.app.getHttpServer()).post('/rooms/lobby/messages').send({ text });
    return { ...current, receiver, sends, post };
  }

  /** Sends a marker and waits for it: the receiver then has everything sent before it (none of it twice). */
  async function settled(receiver: OfficialClient, service: EmulatorApp['service']): Promise<unknown[]> {
    await service.group('lobby').sendToAll('marker', { contentType: 'text/plain' });
    await waitFor(() => receiver.group.some((message) => message.data === 'marker'), 'the marker message');
    return receiver.group.map((message) => message.data).filter((data) => data !== 'marker');
  }

  it('await: transient 503s are retried and the message is delivered exactly once', async () => {
    const { post, sends, receiver, service, logs } = await setUp();
    stage.emulator.faults.failNext(2, { status: 503, operation: 'sendToGroup' });
    const response = await post('retried').expect(201);
    expect(sends()).toEqual([503, 503, 202]);
    expect(await settled(receiver, service)).toEqual([response.body]);
    expect(logs.errors()).toEqual([]);
  });

  it('background: a 429 with Retry-After and a 503 are retried, delivered exactly once, nothing logged', async () => {
    const { post, sends, receiver, service, context, logs } = await setUp({ delivery: 'background' });
    stage.emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 0, operation: 'sendToGroup' });
    stage.emulator.faults.failNext(1, { status: 503, operation: 'sendToGroup' });
    const response = await post('retried in background').expect(201);
    await context.backgroundQueue.drain();
    expect(sends()).toEqual([429, 503, 202]);
    expect(await settled(receiver, service)).toEqual([response.body]);
    expect(logs.errors()).toEqual([]);
  });

  it('onError log: a dead service leaves the response intact and logs route, target and reason', async () => {
    const { post, sends, receiver, service, logs } = await setUp({ onError: 'log' });
    stage.emulator.faults.serviceDown({ status: 503 });
    const before = handled;
    const response = await post('kept');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: before + 1, room: 'lobby', text: 'kept' });
    // The default retry policy tried 4 times before giving up.
    expect(sends()).toEqual([503, 503, 503, 503]);
    expect(logs.errors()).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Broadcast of ${ROUTE} to ${TARGET} failed: Web PubSub sendToGroup failed with HTTP 503 Error\\.InjectedFault`,
        ),
      ),
    ]);
    stage.emulator.faults.serviceUp();
    expect(await settled(receiver, service)).toEqual([]);
  });

  it('onError throw (the default): a dead service gives the client a clear 502 and the log says why', async () => {
    const { post, logs } = await setUp();
    stage.emulator.faults.serviceDown({ status: 500 });
    const before = handled;
    const response = await post('lost');
    expect(response.status).toBe(502);
    expect(response.body).toEqual({
      statusCode: 502,
      error: 'Bad Gateway',
      // Generic on purpose: internal group and user names stay in the server log.
      message:
        'The request succeeded, but broadcasting its result through Azure Web PubSub failed. The server log says why; try again later.',
    });
    expect(handled).toBe(before + 1);
    expect(logs.errors()).toHaveLength(1);
    expect(logs.errors()[0]).toMatch(
      new RegExp(`^Broadcast of ${ROUTE} to group "lobby" of hub "chat" failed: .*HTTP 500`),
    );
  });

  it('a non-retried client error (403) fails at once with throw', async () => {
    const { post, sends, logs } = await setUp();
    stage.emulator.faults.failNext(1, { status: 403, operation: 'sendToGroup' });
    await post('forbidden').expect(502);
    expect(sends()).toEqual([403]);
    expect(logs.errors()[0]).toContain('HTTP 403');
  });

  it('background: failures are logged, never thrown to the client, even with onError throw', async () => {
    const { post, sends, context, logs } = await setUp({ delivery: 'background', onError: 'throw' });
    stage.emulator.faults.serviceDown({ status: 503 });
    const first = await post('bg1');
    const second = await post('bg2');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect([first.body.text, second.body.text]).toEqual(['bg1', 'bg2']);
    await context.backgroundQueue.drain();
    await waitFor(() => logs.errors().length === 2, 'both background failures to be logged');
    for (const line of logs.errors())
      expect(line).toMatch(new RegExp(`^Broadcast of ${ROUTE} to ${TARGET} failed: .*HTTP 503`));
    expect(sends()).toEqual(Array(8).fill(503));
    expect(context.backgroundQueue.size).toBe(0);
  });
});
