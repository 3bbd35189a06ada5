/**
 * At most `limit` upstream requests in flight; the rest wait in one first-in, first-out queue, so
 * events start in the order they happened (a connection's events too) and a storm of them (one
 * REST call adding thousands of connections to groups, with presence events on) waits here as a
 * small record each, rather than as thousands of open requests in both the emulator and the app.
 */
export class UpstreamLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private head = 0;
  /** The most requests that were in flight at once (for tests and benchmarks). */
  peak = 0;

  constructor(readonly limit: number) {}

  /** Runs `task` once a slot is free, in the order of the calls. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit || this.waiting.length > this.head)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Requests in flight and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length - this.head };
  }

  /** Hands the slot to the next waiter (the count stays), or frees it. */
  private release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = undefined as unknown as () => void;
      // Compact now and then: a plain shift() per event would make a 30,000-event storm quadratic.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next();
    } else this.running--;
  }
}
