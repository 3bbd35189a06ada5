import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { BroadcastToGroup, WebPubSubModule, type WebPubSubModuleOptions } from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { startSilentServer, type SilentServer } from '../support/silent-server.js';
import { waitFor } from '../support/wait-for.js';
import { postJson, type Outcome } from './reliability-harness.js';

/*
 * The module against a service that accepts TCP and never answers (a real loopback socket). Every
 * REST call ends after `timeoutInMs` and is an error like any other; `app.close()` waits for queued
 * background broadcasts at most `broadcast.shutdownTimeoutInMs`, then logs each one it drops (route
 * and target) and returns.
 */

@Controller('rooms')
class RoomsController {
  @Post(':room/messages')
  @BroadcastToGroup((ctx) => ctx.params.room)
  create(@Param('room') room: string, @Body() body: { id: string }) {
    return { id: body.id, room };
  }
}

let silent: SilentServer;
let app: INestApplication | undefined;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});
afterAll(() => silent.close());

async function startApp(options: Partial<WebPubSubModuleOptions>): Promise<{ url: string; logs: CapturingLogger }> {
  const logs = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      WebPubSubModule.forRoot({
        connectionString: silent.connectionString,
        hub: 'chat',
        logger: logs,
        httpLogging: 'off',
        ...options,
      }),
    ],
    controllers: [RoomsController],
  }).compile();
  app = moduleRef.createNestApplication<INestApplication>({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`, logs };
}

const GENERIC_502 =
  'The request succeeded, but broadcasting its result through Azure Web PubSub failed. The server log says why; try again later.';
const TIMED_OUT =
  /^Broadcast of RoomsController\.create to group "lobby" of hub "chat" failed: Web PubSub did not answer within 200 ms/;
const closeTimed = async () => {
  const started = performance.now();
  await app!.close();
  app = undefined;
  return performance.now() - started;
};

describe('await delivery', () => {
  it('answers 502 once the attempt times out, and logs why (onError: throw)', async () => {
    const { url, logs } = await startApp({ timeoutInMs: 200, retryOptions: { maxRetries: 2, retryDelayInMs: 1 } });
    const before = silent.requestLines.length;
    const outcome = await postJson(`${url}/rooms/lobby/messages`, { id: 'a1' });

    expect(outcome.status).toBe(502);
    expect(outcome.body).toEqual({ statusCode: 502, error: 'Bad Gateway', message: GENERIC_502 });
    expect(outcome.ms).toBeLessThan(2000);
    expect(logs.errors()).toEqual([expect.stringMatching(TIMED_OUT)]);
    // Not retried: the service may have carried it out.
    expect(silent.requestLines.length - before).toBe(1);
  });
});

describe('background delivery (queueLimit 3, concurrency 1)', () => {
  const background = { delivery: 'background', queueLimit: 3, concurrency: 1 } as const;

  async function postEight(url: string): Promise<{ outcomes: Array<Promise<Outcome>>; answered: () => number }> {
    let answered = 0;
    const outcomes = Array.from({ length: 8 }, (_, i) =>
      postJson(`${url}/rooms/lobby/messages`, { id: `m${i}` }).then((outcome) => (answered++, outcome)),
    );
    // One send in flight and three queued are answered; four wait for room (backpressure).
    await waitFor(() => answered === 4 && silent.requestLines.length > 0, '4 answers');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(4);
    return { outcomes, answered: () => answered };
  }

  it('with no timeout at all, close() still returns after shutdownTimeoutInMs and logs each dropped message', async () => {
    const { url, logs } = await startApp({
      timeoutInMs: 0,
      retryOptions: { maxRetries: 0 },
      broadcast: { ...background, shutdownTimeoutInMs: 300 },
    });
    const { outcomes } = await postEight(url);

    const closeMs = await closeTimed();
    expect(closeMs).toBeGreaterThanOrEqual(250);
    expect(closeMs).toBeLessThan(3000);
    // The requests that waited for room are let go: every request is answered.
    expect((await Promise.all(outcomes)).map((outcome) => outcome.status)).toEqual(Array(8).fill(201));
    const dropped = logs.errors().filter((line) => line.includes('was dropped'));
    // 3 queued + 4 waiting for room; the one in flight is reported apart.
    expect(dropped).toHaveLength(7);
    for (const line of dropped) {
      expect(line).toMatch(
        /^Broadcast of RoomsController\.create to group "lobby" of hub "chat" was dropped: it was still queued when the shutdown wait of 300 ms ran out\./,
      );
      expect(line).toMatch(/or raise `broadcast\.shutdownTimeoutInMs`\.$/);
    }
    expect(logs.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      expect.stringMatching(/^1 background broadcast was still being sent when the shutdown wait of 300 ms ran out/),
    ]);
  });

  it('with the timeout, each send fails and is logged, and close() sends the rest before returning', async () => {
    const { url, logs } = await startApp({
      timeoutInMs: 200,
      retryOptions: { retryDelayInMs: 1 },
      broadcast: background,
    });
    const before = silent.requestLines.length;
    const { outcomes } = await postEight(url);

    const closeMs = await closeTimed();
    // Eight attempts of 200 ms, one at a time: well inside the default shutdown wait of 10 s.
    expect(closeMs).toBeLessThan(5000);
    expect((await Promise.all(outcomes)).map((outcome) => outcome.status)).toEqual(Array(8).fill(201));
    expect(silent.requestLines.length - before).toBe(8);
    expect(logs.errors()).toHaveLength(8);
    for (const line of logs.errors()) expect(line).toMatch(TIMED_OUT);
  });
});

describe('options', () => {
  it.each([
    [{ timeoutInMs: -1 }, /^WebPubSubModule: invalid `timeoutInMs`\. timeoutInMs number -1 is invalid/],
    [
      { broadcast: { shutdownTimeoutInMs: -5 } },
      /^WebPubSubModule: `broadcast\.shutdownTimeoutInMs` -5 is invalid\. Use a whole number of milliseconds from 0 \(no limit\) to 2147483647\.$/,
    ],
  ])('refuses %j at startup', async (options, message) => {
    await expect(startApp(options as Partial<WebPubSubModuleOptions>)).rejects.toThrow(message);
  });
});
