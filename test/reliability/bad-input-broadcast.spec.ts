import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import request from 'supertest';
import { BroadcastToGroup, SendToUser } from '../../lib/index.js';
import { startEmulatorApp, type EmulatorApp } from '../support/emulator-app.js';
import { useEmulator } from '../support/emulator-stage.js';
import { waitFor } from '../support/wait-for.js';
import { circular, expectClearMessage, expectNoSecret, SECRET_KEY, watchForCrashes } from './bad-input-harness.js';

/*
 * Route results that cannot be sent as JSON, through the broadcast interceptor in a real Nest app.
 * README ("Broadcast a route's result", Errors): with `onError: 'throw'` a failed awaited broadcast
 * turns the response into a 502 with a generic body and the log says which route and target; with
 * `'log'` the response is left intact and the failure is logged; background failures are always
 * logged. The reason in the log is the client's documented message (client.messages.ts), which
 * says how to fix it. Nothing is sent for such a result, and the app keeps serving.
 */

const throwingToJson = () => ({
  toJSON: () => {
    throw new Error('Order 7 has no JSON form');
  },
});
const order = () => ({ id: 2, total: 20 });

@Controller()
class BadResults {
  @Get('throw/circular')
  @BroadcastToGroup('room', { onError: 'throw' })
  throwCircular() {
    return circular();
  }

  @Get('throw/bigint')
  @BroadcastToGroup('room')
  throwBigInt() {
    return { id: 3, total: 10n };
  }

  @Get('throw/tojson')
  @BroadcastToGroup('room', { onError: 'throw' })
  throwToJson() {
    return throwingToJson();
  }

  @Get('throw/user')
  @SendToUser(() => '')
  throwUser() {
    return order();
  }

  @Get('log/bigint')
  @BroadcastToGroup('room', { onError: 'log', map: (result: object) => ({ ...result, total: 20n }) })
  logBigInt() {
    return order();
  }

  @Get('log/circular')
  @BroadcastToGroup('room', { onError: 'log', map: () => circular() })
  logCircular() {
    return order();
  }

  @Get('log/tojson')
  @BroadcastToGroup('room', { onError: 'log', map: () => throwingToJson() })
  logToJson() {
    return order();
  }

  @Get('background/bigint')
  @BroadcastToGroup('room', { delivery: 'background', map: () => ({ total: 5n }) })
  backgroundBigInt() {
    return order();
  }

  // The result itself cannot become a response either: Nest's own serialiser answers 500.
  @Get('log/circular-result')
  @BroadcastToGroup('room', { onError: 'log' })
  logCircularResult() {
    return circular();
  }

  @Get('ok')
  @BroadcastToGroup('room')
  ok() {
    return { ok: true };
  }
}

const crashes = watchForCrashes();
const stage = useEmulator({ accessKey: SECRET_KEY });
let stack: EmulatorApp;

beforeAll(async () => {
  stack = await startEmulatorApp(stage.emulator, [BadResults]);
  stage.defer(() => stack.app.close());
});
// Declared after useEmulator, so it runs once the app and the emulator are stopped.
afterAll(() => crashes.check());
beforeEach(() => {
  stack.logs.lines.length = 0;
});

const JSON_FIX =
  /Convert it to plain data first \(e\.g\. BigInt to string, remove circular references\), or send it as text or binary\.$/;
const GENERIC_502 =
  'The request succeeded, but broadcasting its result through Azure Web PubSub failed. The server log says why; try again later.';

interface Row {
  path: string;
  status: number;
  /** The response body when the response is left intact. */
  body?: unknown;
  /** The one error line: route, target and reason. */
  log: RegExp;
  fix: RegExp;
}

const rows: Row[] = [
  {
    path: 'throw/circular',
    status: 502,
    log: /^Broadcast of BadResults\.throwCircular to group "room" of hub "chat" failed: The message cannot be sent as JSON: it contains a circular reference\./,
    fix: JSON_FIX,
  },
  {
    path: 'throw/bigint',
    status: 502,
    log: /^Broadcast of BadResults\.throwBigInt to group "room" of hub "chat" failed: The message cannot be sent as JSON: it contains a BigInt\./,
    fix: JSON_FIX,
  },
  {
    path: 'throw/tojson',
    status: 502,
    log: /^Broadcast of BadResults\.throwToJson to group "room" of hub "chat" failed: The message cannot be sent as JSON: Order 7 has no JSON form\./,
    fix: JSON_FIX,
  },
  {
    path: 'throw/user',
    status: 502,
    log: /^Broadcast of BadResults\.throwUser to the user failed: the userId resolver returned no usable value/,
    fix: /\(expected a non-empty string\)$/,
  },
  {
    path: 'log/bigint',
    status: 200,
    body: order(),
    log: /^Broadcast of BadResults\.logBigInt to group "room" of hub "chat" failed: .*it contains a BigInt\./,
    fix: JSON_FIX,
  },
  {
    path: 'log/circular',
    status: 200,
    body: order(),
    log: /^Broadcast of BadResults\.logCircular to group "room" of hub "chat" failed: .*it contains a circular reference\./,
    fix: JSON_FIX,
  },
  {
    path: 'log/tojson',
    status: 200,
    body: order(),
    log: /^Broadcast of BadResults\.logToJson to group "room" of hub "chat" failed: .*Order 7 has no JSON form\./,
    fix: JSON_FIX,
  },
  {
    path: 'background/bigint',
    status: 200,
    body: order(),
    log: /^Broadcast of BadResults\.backgroundBigInt to group "room" of hub "chat" failed: .*it contains a BigInt\./,
    fix: JSON_FIX,
  },
  {
    path: 'log/circular-result',
    status: 500,
    log: /^Broadcast of BadResults\.logCircularResult to group "room" of hub "chat" failed: .*it contains a circular reference\./,
    fix: JSON_FIX,
  },
];

describe('non-serialisable results through the broadcast interceptor', () => {
  it.each(rows.map((row) => [row.path, row] as const))('GET /%s', async (_path, row) => {
    const callsBefore = stage.emulator.restCalls.length;
    const response = await request(stack.app.getHttpServer()).get(`/${row.path}`);

    expect(response.status).toBe(row.status);
    if (row.status === 502)
      expect(response.body).toEqual({ statusCode: 502, error: 'Bad Gateway', message: GENERIC_502 });
    // Nest's own answer when it cannot serialise the result.
    if (row.status === 500) expect(response.body).toEqual({ statusCode: 500, message: 'Internal server error' });
    if (row.body !== undefined) expect(response.body).toEqual(row.body);
    const errors = await waitFor(
      () => stack.logs.errors().length > 0 && stack.logs.errors(),
      'the broadcast error line',
    );
    expect(errors).toHaveLength(1);
    expectClearMessage(errors[0], row.log, row.fix);
    // Refused while building the request: nothing reached the service.
    expect(stage.emulator.restCalls.length).toBe(callsBefore);
    expectNoSecret(stack.logs.text() + response.text);

    // The app keeps serving: a good request right after is answered and broadcast.
    const next = await request(stack.app.getHttpServer()).get('/ok');
    expect(next.status).toBe(200);
    expect(stage.emulator.restCalls.slice(callsBefore)).toEqual([
      expect.objectContaining({ operation: 'sendToGroup', status: 202 }),
    ]);
  });
});

describe('decorator options are checked where they are declared', () => {
  // README: "Options are validated where they are declared". Otherwise a bad messageTtlSeconds or
  // contentType would fail every request after its handler ran (a 502 each time).
  it.each<[string, object, RegExp]>([
    [
      'messageTtlSeconds 999',
      { messageTtlSeconds: 999 },
      /messageTtlSeconds number 999 is invalid: it must be a whole number from 0 to 300/,
    ],
    [
      'contentType "text/xml"',
      { contentType: 'text/xml' },
      /contentType.*"text\/xml" is invalid. Use "application\/json", "text\/plain", "application\/octet-stream"/,
    ],
    ['multiGroup "each"', { multiGroup: 'each' }, /multiGroup.*"each" is invalid. Use "perGroup" or "filter"/],
  ])('%s fails where it is declared', (_name, options, names) => {
    expect(() => BroadcastToGroup('room', options)).toThrow(names);
  });
});
