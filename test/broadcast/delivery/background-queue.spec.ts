import { afterEach, describe, expect, it } from '@jest/globals';
import { BackgroundQueue } from '../../../lib/core/background-queue.js';

/*
 * BackgroundQueue on its own: tasks are gated by hand, so what runs when is decided by the test,
 * not by timers.
 */

/** A task that runs until the test opens its gate (or fails it). */
class Gate {
  started = false;
  done = false;
  private open!: () => void;
  private fail!: (error: Error) => void;
  private readonly opened = new Promise<void>((resolve, reject) => {
    this.open = resolve;
    this.fail = reject;
  });

  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}

  task = async (): Promise<void> => {
    this.started = true;
    this.log.push(`start ${this.name}`);
    try {
      await this.opened;
    } finally {
      this.done = true;
      this.log.push(`end ${this.name}`);
    }
  };

  release(): void {
    this.open();
  }

  reject(error: Error): void {
    this.fail(error);
  }
}

/** Lets every pending promise callback run (the queue reacts in microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tracks whether a promise has resolved yet. */
function track(promise: Promise<unknown>): { resolved: boolean } {
  const state = { resolved: false };
  void promise.then(() => (state.resolved = true));
  return state;
}

/** Failures of tests whose tasks must not fail; checked after each test. */
const unexpected: unknown[] = [];
const noErrors = (error: unknown) => unexpected.push(error);

describe('BackgroundQueue', () => {
  afterEach(() => expect(unexpected.splice(0)).toEqual([]));

  it('holds at most limit waiting plus concurrency running; the next caller waits for room', async () => {
    const log: string[] = [];
    const queue = new BackgroundQueue(2, 1, noErrors);
    const gates = ['a', 'b', 'c', 'd'].map((name) => new Gate(name, log));
    const queued = gates.map((gate) => track(queue.enqueue(gate.task)));
    await settle();
    expect(queued.map((state) => state.resolved)).toEqual([true, true, true, false]);
    expect(queue.size).toBe(3);
    expect(queue.blockedCount).toBe(1);
    expect(gates.map((gate) => gate.started)).toEqual([true, false, false, false]);

    gates[0].release();
    await settle();
    // One finished, so the blocked caller got its place; the size bound still holds.
    expect(queued[3].resolved).toBe(true);
    expect(queue.size).toBe(3);
    expect(queue.blockedCount).toBe(0);
    for (const gate of gates.slice(1)) {
      gate.release();
      await settle();
    }
    expect(queue.size).toBe(0);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c', 'start d', 'end d']);
  });

  it('gives room to blocked callers first come, first served, before newer callers', async () => {
    const log: string[] = [];
    const queue = new BackgroundQueue(1, 1, noErrors);
    const first = new Gate('first', log);
    const second = new Gate('second', log);
    const blockedEarly = new Gate('blocked-early', log);
    void queue.enqueue(first.task);
    void queue.enqueue(second.task);
    const early = track(queue.enqueue(blockedEarly.task));
    await settle();
    first.release();
    await settle();
    // Room freed for one: the caller blocked since before gets it; a newcomer queues behind.
    expect(early.resolved).toBe(true);
    const late = new Gate('late', log);
    const lateState = track(queue.enqueue(late.task));
    await settle();
    expect(lateState.resolved).toBe(false);
    for (const gate of [second, blockedEarly, late]) {
      gate.release();
      await settle();
    }
    expect(lateState.resolved).toBe(true);
    expect(log.filter((line) => line.startsWith('start'))).toEqual([
      'start first',
      'start second',
      'start blocked-early',
      'start late',
    ]);
  });

  it('runs at most concurrency tasks at once', async () => {
    const queue = new BackgroundQueue(10, 3, noErrors);
    const gates = Array.from({ length: 8 }, (_, i) => new Gate(`t${i}`, []));
    for (const gate of gates) await queue.enqueue(gate.task);
    let maxRunning = 0;
    while (gates.some((gate) => !gate.done)) {
      await settle();
      const running = gates.filter((gate) => gate.started && !gate.done);
      maxRunning = Math.max(maxRunning, running.length);
      expect(queue.size).toBeLessThanOrEqual(queue.limit + queue.concurrency);
      running[0]?.release();
    }
    expect(maxRunning).toBe(3);
  });

  it('runs tasks that share an order key one after another, in order, while other keys go ahead', async () => {
    const log: string[] = [];
    const queue = new BackgroundQueue(10, 4, noErrors);
    const keyA = {};
    const keyB = {};
    const [a1, a2, a3] = ['a1', 'a2', 'a3'].map((name) => new Gate(name, log));
    const b1 = new Gate('b1', log);
    await queue.enqueue(a1.task, keyA);
    await queue.enqueue(a2.task, keyA);
    await queue.enqueue(a3.task, keyA);
    await queue.enqueue(b1.task, keyB);
    await settle();
    // a2 and a3 wait for a1 although slots are free; b1 does not wait for key A.
    expect([a1.started, a2.started, a3.started, b1.started]).toEqual([true, false, false, true]);
    // Releasing the later ones first must not let them finish before a1 has run.
    a3.release();
    a2.release();
    b1.release();
    await settle();
    expect(b1.done).toBe(true);
    expect(a2.started).toBe(false);
    a1.release();
    await queue.drain();
    expect(log.filter((line) => / a\d/.test(line))).toEqual([
      'start a1',
      'end a1',
      'start a2',
      'end a2',
      'start a3',
      'end a3',
    ]);
  });

  it('drain resolves at once when idle, and otherwise only after every task, including blocked callers', async () => {
    const queue = new BackgroundQueue(1, 1, noErrors);
    await expect(queue.drain()).resolves.toBeUndefined();
    const gates = ['a', 'b', 'c'].map((name) => new Gate(name, []));
    for (const gate of gates) void queue.enqueue(gate.task);
    await settle();
    expect(queue.blockedCount).toBe(1);
    const drained = track(queue.drain());
    for (const gate of gates) {
      await settle();
      expect(drained.resolved).toBe(false);
      gate.release();
    }
    await queue.drain();
    expect(drained.resolved).toBe(true);
    expect(gates.every((gate) => gate.done)).toBe(true);
    expect(queue.size).toBe(0);
  });

  it('flush waits for what was queued before it (blocked callers included), not for later arrivals', async () => {
    const queue = new BackgroundQueue(1, 2, noErrors);
    await expect(queue.flush()).resolves.toBeUndefined();
    const [a, b, c, later] = ['a', 'b', 'c', 'later'].map((name) => new Gate(name, []));
    for (const gate of [a, b, c]) void queue.enqueue(gate.task);
    await settle();
    expect(queue.blockedCount).toBe(0);
    const flushed = track(queue.flush());
    void queue.enqueue(later.task); // arrives after flush(): blocked behind c
    await settle();
    expect(queue.blockedCount).toBe(1);
    // Out of order on purpose: b and c end first, a (the oldest) still holds the flush.
    b.release();
    c.release();
    await settle();
    expect(flushed.resolved).toBe(false);
    a.release();
    await settle();
    expect(flushed.resolved).toBe(true);
    expect(later.done).toBe(false);
    const drained = track(queue.drain());
    await settle();
    expect(drained.resolved).toBe(false);
    later.release();
    await queue.drain();
    expect(later.done).toBe(true);
  });

  it('reports each failure to onError and keeps going, also along an order key', async () => {
    const errors: unknown[] = [];
    const queue = new BackgroundQueue(5, 2, (error) => errors.push(error));
    const key = {};
    const failing = new Gate('failing', []);
    const next = new Gate('next', []);
    const other = new Gate('other', []);
    await queue.enqueue(failing.task, key);
    await queue.enqueue(next.task, key);
    await queue.enqueue(() => Promise.reject(new Error('rejected at once')));
    await queue.enqueue(() => {
      throw new Error('thrown synchronously');
    });
    await queue.enqueue(other.task);
    failing.reject(new Error('send failed'));
    next.release();
    other.release();
    await queue.drain();
    expect(errors.map((error) => (error as Error).message).sort()).toEqual([
      'rejected at once',
      'send failed',
      'thrown synchronously',
    ]);
    expect(next.done && other.done).toBe(true);
  });

  it('survives an onError handler that throws', async () => {
    const queue = new BackgroundQueue(5, 1, () => {
      throw new Error('the handler itself failed');
    });
    const key = {};
    const after = new Gate('after', []);
    await queue.enqueue(() => Promise.reject(new Error('boom')), key);
    await queue.enqueue(after.task, key);
    after.release();
    await queue.drain();
    expect(after.done).toBe(true);
    expect(queue.size).toBe(0);
  });
});
