import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Body, Controller, Param, Post } from '@nestjs/common';
import request from 'supertest';
import { BroadcastToGroup } from '../../lib/index.js';
import { startEmulatorApp, type EmulatorApp } from '../support/emulator-app.js';
import { useEmulator } from '../support/emulator-stage.js';
import { expectNoSecret, SECRET_KEY, watchForCrashes } from './bad-input-harness.js';

/*
 * The README's room route, reached with a room of `..` or `.` from HTTP. Express decodes
 * `/rooms/%2E%2E/messages` to the param "..", and `group('..').sendToAll` would go out as the
 * hub-wide `POST /api/hubs/chat/:send`. It must send nothing at all (the emulator's REST call log
 * stays empty) and answer as `onError` says: 502 with `throw` (the default), the result with `log`.
 */

@Controller('rooms')
class RoomsController {
  @Post(':room/messages')
  @BroadcastToGroup((ctx) => ctx.params.room)
  message(@Param('room') room: string, @Body() body: { text: string }) {
    return { room, text: body.text };
  }
}

@Controller('quiet-rooms')
class QuietRoomsController {
  @Post(':room/messages')
  @BroadcastToGroup((ctx) => ctx.params.room, { onError: 'log' })
  message(@Param('room') room: string, @Body() body: { text: string }) {
    return { room, text: body.text };
  }
}

const crashes = watchForCrashes();
const stage = useEmulator({ accessKey: SECRET_KEY });
let stack: EmulatorApp;

beforeAll(async () => {
  stack = await startEmulatorApp(stage.emulator, [RoomsController, QuietRoomsController]);
  stage.defer(() => stack.app.close());
});
afterAll(() => crashes.check());
beforeEach(() => {
  stack.logs.lines.length = 0;
});

const GENERIC_502 =
  'The request succeeded, but broadcasting its result through Azure Web PubSub failed. The server log says why; try again later.';
const REASON =
  /"\." and "\.\." are dot segments that URL parsing removes .*Use another name, or check where this value comes from \(e\.g\. a route parameter\)\.$/;

describe('a room of ".." or "." from the URL', () => {
  it.each([
    ['%2E%2E', '..'],
    ['%2e%2e', '..'],
    ['..', '..'],
    ['%2E', '.'],
  ])('POST /rooms/%s/messages sends nothing and answers 502 (onError: throw)', async (segment, room) => {
    const callsBefore = stage.emulator.restCalls.length;
    const deliveriesBefore = stage.emulator.deliveryCount;
    const response = await request(stack.app.getHttpServer())
      .post(`/rooms/${segment}/messages`)
      .send({ text: 'to everyone?' });

    expect(response.status).toBe(502);
    expect(response.body).toEqual({ statusCode: 502, error: 'Bad Gateway', message: GENERIC_502 });
    expect(stage.emulator.restCalls.slice(callsBefore)).toEqual([]);
    expect(stage.emulator.deliveryCount).toBe(deliveriesBefore);
    const errors = stack.logs.errors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^Broadcast of RoomsController\\.message to group "${room.replace(/\./g, '\\.')}" of hub "chat" failed: groupName "${room.replace(/\./g, '\\.')}" is refused`,
      ),
    );
    expect(errors[0]).toMatch(REASON);
    expectNoSecret(stack.logs.text() + response.text);
  });

  it('with onError: log, the response is left intact and nothing is sent', async () => {
    const callsBefore = stage.emulator.restCalls.length;
    const response = await request(stack.app.getHttpServer()).post('/quiet-rooms/%2E%2E/messages').send({ text: 'hi' });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({ room: '..', text: 'hi' });
    expect(stage.emulator.restCalls.slice(callsBefore)).toEqual([]);
    expect(stack.logs.errors()).toEqual([expect.stringMatching(REASON)]);
  });

  // The control: the same route with a real room does reach the service, as a group send.
  it('POST /rooms/lobby/messages is sent to the group', async () => {
    const callsBefore = stage.emulator.restCalls.length;
    const response = await request(stack.app.getHttpServer()).post('/rooms/lobby/messages').send({ text: 'hi' });

    expect(response.status).toBe(201);
    expect(stage.emulator.restCalls.slice(callsBefore)).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/api/hubs/chat/groups/lobby/:send',
        operation: 'sendToGroup',
        status: 202,
      }),
    ]);
  });
});
