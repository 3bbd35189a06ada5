import { beforeAll, describe, expect, it } from '@jest/globals';
import type { NestApplicationOptions } from '@nestjs/common';
import { WebPubSubRestClient } from '../../lib/index.js';
import { waitFor } from '../support/wait-for.js';
import {
  duplicates,
  groupIds,
  postJson,
  RoomsController,
  useReliabilityStage,
  type ReliabilityApp,
} from './reliability-harness.js';

/*
 * app.close() in the middle of a load of background broadcasts, with a slow service: close() must
 * send everything queued before it returns, so an answered request's broadcast is never lost. The
 * emulator and the receiving official client live outside the app and outlive its close(), so they
 * see what the app really sent.
 */

const QUEUE_LIMIT = 50;
const CONCURRENCY = 4;
const LATENCY_MS = 20;
const IN_FLIGHT = 16;
/** close() is called once this many responses are in: by then the queue is full and requests keep coming. */
const CLOSE_AFTER = 60;
/**
 * How long close() may take under load: it has to send what is queued or waiting for room
 * (≤ QUEUE_LIMIT + CONCURRENCY + IN_FLIGHT = 70 sends) at CONCURRENCY per LATENCY_MS, ≈ 0.35 s.
 */
const CLOSE_CEILING_MS = 2000;
/** http.Server's default keepAliveTimeout: how long close() may wait for sockets left idle after it began. */
const NODE_KEEP_ALIVE_TIMEOUT_MS = 5000;
/** A sustained load stops by itself after this long past close(), so a close() that waits for it still ends. */
const SUSTAINED_CAP_MS = 3000;

interface Sent {
  id: string;
  status?: number;
  body?: unknown;
  /** When the answer came (performance.now()). */
  at?: number;
}

describe('shutdown during background load', () => {
  const stage = useReliabilityStage();
  /** A client of the emulator that is not the app's (the app is closed by the time it is used). */
  let outside: WebPubSubRestClient;
  let current: ReliabilityApp | undefined;
  let markers = 0;

  beforeAll(() => {
    outside = new WebPubSubRestClient(stage.emulator.connectionString, 'chat');
  });

  const acceptedSends = () =>
    stage.emulator.restCalls.filter((call) => call.operation === 'sendToGroup' && call.status === 202).length;

  /**
   * Posts broadcasts IN_FLIGHT at a time and calls app.close() after CLOSE_AFTER answers. A finite
   * load stops after `requests`; a sustained one keeps going until the app stops answering 201
   * (refused, reset or 503), or SUSTAINED_CAP_MS after close() was called.
   */
  async function closeUnderLoad(load: { requests: number } | 'sustained', appOptions: NestApplicationOptions = {}) {
    current = await stage.startApp(
      [RoomsController],
      {
        httpLogging: 'errors',
        broadcast: { delivery: 'background', queueLimit: QUEUE_LIMIT, concurrency: CONCURRENCY },
        retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 10 },
      },
      appOptions,
    );
    const { app, service, context, url } = current;
    const receiver = await stage.connectReceiver(service, `member-${markers}`, ['lobby']);
    const received = receiver.group.length;
    const acceptedBefore = acceptedSends();
    stage.emulator.faults.setLatency(LATENCY_MS);

    const sent: Sent[] = [];
    let answered = 0;
    let closing: Promise<void> | undefined;
    let closeStartedAt = Number.POSITIVE_INFINITY;
    let closedAt = Number.POSITIVE_INFINITY;
    let pendingAtClose = 0;
    /** Taken the moment close() returned: what the emulator had accepted, and what was left to send. */
    let atClose = { accepted: -1, queued: -1, blocked: -1 };
    const more = () =>
      load === 'sustained' ? performance.now() - closeStartedAt < SUSTAINED_CAP_MS : sent.length < load.requests;
    const worker = async () => {
      while (more()) {
        const entry: Sent = { id: `s${markers}-${sent.length}` };
        sent.push(entry);
        Object.assign(entry, await postJson(`${url}/rooms/lobby/messages`, { id: entry.id }), {
          at: performance.now(),
        });
        if (entry.status !== 201) {
          if (load === 'sustained') return;
          continue;
        }
        if (++answered === CLOSE_AFTER) {
          pendingAtClose = context.backgroundQueue.size + context.backgroundQueue.blockedCount;
          closeStartedAt = performance.now();
          closing = app.close().then(() => {
            closedAt = performance.now();
            atClose = {
              accepted: acceptedSends() - acceptedBefore,
              queued: context.backgroundQueue.size,
              blocked: context.backgroundQueue.blockedCount,
            };
          });
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await closing;

    // A marker sent from outside after close(): once it is in, everything accepted before it is too.
    stage.emulator.faults.setLatency(0);
    const marker = `marker ${++markers}`;
    await outside.group('lobby').sendToAll(marker, { contentType: 'text/plain' });
    await waitFor(() => receiver.group.some((message) => message.data === marker), 'the marker sent after close()');
    const lastAnswerAt = Math.max(...sent.filter((entry) => entry.status === 201).map((entry) => entry.at!));
    return {
      sent,
      atClose,
      pendingAtClose,
      received: groupIds({ group: receiver.group.slice(received) }),
      acceptedAfter: acceptedSends() - acceptedBefore - 1,
      closeMs: closedAt - closeStartedAt,
      /** How long after close() was called the app still answered broadcasting requests. */
      answeringMs: lastAnswerAt - closeStartedAt,
    };
  }

  /** Nothing lost, nothing twice, nothing left behind once close() returned. */
  function expectFlushed(result: Awaited<ReturnType<typeof closeUnderLoad>>, otherStatuses: Array<number | undefined>) {
    const { sent, atClose, received } = result;
    const answered = sent.filter((entry) => entry.status === 201);
    for (const entry of answered) expect((entry.body as { id: string }).id).toBe(entry.id);
    expect(sent.filter((entry) => entry.status !== 201 && !otherStatuses.includes(entry.status))).toEqual([]);
    expect(answered.length).toBeGreaterThanOrEqual(CLOSE_AFTER);
    // close() was called with a well-filled queue (sends take LATENCY_MS each): it had real work to flush.
    expect(result.pendingAtClose).toBeGreaterThan(QUEUE_LIMIT / 2);
    expect(atClose).toEqual({ accepted: expect.any(Number), queued: 0, blocked: 0 });
    // Every answered request's broadcast was accepted before close() returned and reached the client
    // exactly once; only requested ids arrived, and nothing was sent after close() returned.
    expect(atClose.accepted).toBeGreaterThanOrEqual(answered.length);
    expect(duplicates(received)).toEqual([]);
    expect(answered.map((entry) => entry.id).filter((id) => !received.includes(id))).toEqual([]);
    const sentIds = new Set(sent.map((entry) => entry.id));
    expect(received.filter((id) => !sentIds.has(id))).toEqual([]);
    expect(received).toHaveLength(atClose.accepted);
    expect(result.acceptedAfter).toBe(atClose.accepted);
    expect(current!.logs.errors()).toEqual([]);
  }

  it('a finite load: close() flushes every queued broadcast, all answered requests delivered once', async () => {
    const result = await closeUnderLoad({ requests: 300 });
    // Requests that reached the closing server were still answered; later ones were refused (no status).
    expectFlushed(result, [undefined]);
    report('finite', result);
  });

  it('a sustained load with return503OnClosing: close() ends promptly, flushed, later requests get 503', async () => {
    const result = await closeUnderLoad('sustained', { return503OnClosing: true });
    expectFlushed(result, [503, undefined]);
    expect(result.sent.some((entry) => entry.status === 503)).toBe(true);
    expect(result.closeMs).toBeLessThan(CLOSE_CEILING_MS);
    report('sustained, 503 on closing', result);
  });

  it('a sustained load with default app options: nothing answered is lost, and close() ends once the load stops', async () => {
    const result = await closeUnderLoad('sustained');
    report('sustained, defaults', result);
    expectFlushed(result, [undefined]);
    // Node's server.close() keeps serving keep-alive connections that stay busy, so with default
    // options the app answers until the load stops (here SUSTAINED_CAP_MS after close(); Nest's
    // return503OnClosing or forceCloseConnections end it sooner, as the README says). What the
    // package controls: what is queued when shutdown begins is flushed first, what arrives while
    // the server closes is sent after it closed, and close() does not outlast the load by more than
    // one flush, plus the wait for the now idle keep-alive sockets (Node's keepAliveTimeout, 5 s).
    expect(result.answeringMs).toBeGreaterThan(SUSTAINED_CAP_MS / 2);
    expect(result.closeMs).toBeLessThan(result.answeringMs + NODE_KEEP_ALIVE_TIMEOUT_MS + CLOSE_CEILING_MS);
  });
});

function report(
  label: string,
  result: { sent: Sent[]; pendingAtClose: number; closeMs: number; answeringMs: number },
): void {
  const answered = result.sent.filter((entry) => entry.status === 201).length;
  process.stdout.write(
    `shutdown (${label}): ${answered}/${result.sent.length} answered 201, ${result.pendingAtClose} pending at close(), ` +
      `answering for ${Math.round(result.answeringMs)} ms after close(), close() took ${Math.round(result.closeMs)} ms\n`,
  );
}
