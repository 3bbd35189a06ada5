interface QueuedTask {
  task: () => Promise<void>;
  orderKey?: object;
  /** Arrival number, for `flush()`. */
  seq: number;
  /** What the task sends where, for the log line when it is dropped at shutdown. */
  label?: string;
}

/**
 * A bounded queue of sends that run after the response has gone: at most `limit` waiting, at most
 * `concurrency` in flight, so `size` never exceeds `limit + concurrency`. When full, `enqueue` waits
 * for room (backpressure) instead of dropping: callers get room first come, first served, memory
 * stays bounded and nothing is lost. Tasks that share an `orderKey` (e.g. one Observable result's
 * emissions) run one after another, in the order they were queued.
 */
export class BackgroundQueue {
  private readonly waiting: QueuedTask[] = [];
  /** Callers of `enqueue` waiting for room, oldest first; their task is already decided. */
  private readonly blocked: Array<QueuedTask & { admitted: () => void }> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private readonly flushWaiters: Array<{ before: number; resolve: () => void }> = [];
  /** Arrival numbers of tasks not finished yet (waiting, running or blocked). */
  private readonly unfinished = new Set<number>();
  private arrivals = 0;
  private readonly tails = new WeakMap<object, Promise<void>>();
  private running = 0;

  constructor(
    readonly limit: number,
    readonly concurrency: number,
    /** Called with each task's failure; a queued task has no caller left to throw to. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Messages waiting or being sent (at most `limit + concurrency`). */
  get size(): number {
    return this.waiting.length + this.running;
  }

  /** Callers waiting for room (their messages are not in `size` yet). */
  get blockedCount(): number {
    return this.blocked.length;
  }

  /** Queues a task; resolves once it is queued (waiting for room first if the queue is full). */
  enqueue(task: () => Promise<void>, orderKey?: object, label?: string): Promise<void> {
    const seq = this.arrivals++;
    this.unfinished.add(seq);
    // Behind anyone already blocked, so a steady stream of new callers cannot starve them.
    if (this.waiting.length < this.limit && this.blocked.length === 0) {
      this.waiting.push({ task, orderKey, seq, label });
      this.pump();
      return Promise.resolve();
    }
    return new Promise((admitted) => this.blocked.push({ task, orderKey, seq, label, admitted }));
  }

  /**
   * Gives up on everything not yet being sent (waiting, and callers blocked for room, who are let
   * go): for a bounded shutdown. Returns their labels; sends in flight are left to finish or fail.
   */
  abandon(): { dropped: string[]; inFlight: number } {
    const blocked = this.blocked.splice(0);
    blocked.forEach(({ admitted }) => admitted());
    const dropped = [...this.waiting.splice(0), ...blocked];
    for (const { seq } of dropped) this.unfinished.delete(seq);
    this.settleFlushes();
    this.settleDrains();
    return { dropped: dropped.map(({ label }) => label ?? 'a background message'), inFlight: this.running };
  }

  /**
   * Resolves once everything queued so far (including callers waiting for room) has been sent or
   * has failed and been reported. Later arrivals are not waited for, so it ends under steady traffic.
   */
  flush(): Promise<void> {
    const before = this.arrivals;
    if (!this.hasUnfinishedBefore(before)) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push({ before, resolve }));
  }

  /**
   * Resolves once the queue is idle: everything queued, including what callers are still waiting to
   * queue, has been sent (or has failed and been reported). Under steady traffic it waits for the
   * traffic to stop: call it once nothing new arrives (after the HTTP server closed).
   */
  drain(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private get idle(): boolean {
    return this.size === 0 && this.blocked.length === 0;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const { task, orderKey, seq } = this.waiting.shift()!;
      this.admitBlocked();
      this.running++;
      const previous = orderKey ? this.tails.get(orderKey) : undefined;
      const run = (previous ?? Promise.resolve()).then(task).catch((error: unknown) => this.report(error));
      if (orderKey) this.tails.set(orderKey, run);
      void run.finally(() => {
        this.running--;
        this.unfinished.delete(seq);
        this.pump();
        this.settleDrains();
        this.settleFlushes();
      });
    }
  }

  private settleDrains(): void {
    if (this.idle) this.drainWaiters.splice(0).forEach((resolve) => resolve());
  }

  private settleFlushes(): void {
    if (this.flushWaiters.length === 0) return;
    for (const waiter of this.flushWaiters.splice(0)) {
      if (this.hasUnfinishedBefore(waiter.before)) this.flushWaiters.push(waiter);
      else waiter.resolve();
    }
  }

  private hasUnfinishedBefore(before: number): boolean {
    for (const seq of this.unfinished) if (seq < before) return true;
    return false;
  }

  /** Moves blocked callers' tasks into the room just freed, in arrival order. */
  private admitBlocked(): void {
    while (this.waiting.length < this.limit && this.blocked.length > 0) {
      const { admitted, ...queued } = this.blocked.shift()!;
      this.waiting.push(queued);
      admitted();
    }
  }

  /** A throwing error handler must not break the queue (or the order chain of a key). */
  private report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // Nothing left to tell.
    }
  }
}
