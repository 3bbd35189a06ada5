import type { EmulatorCore } from './emulator-core.js';
import { EmulatorMessages } from './emulator.messages.js';
import { errorResult, type RestResult } from './rest-response.js';

export interface RestFault {
  /** HTTP status to answer with, e.g. 503 or 429. */
  status: number;
  /** Adds `Retry-After: <seconds>`. */
  retryAfterSeconds?: number;
  /** Only calls of this operation (e.g. `sendToAll`) take the fault; any call when omitted. */
  operation?: string;
}

/**
 * Faults for tests: fail the next N REST calls, fail a seeded random share of them, slow every REST
 * call down, or drop client sockets without a close handshake (as a network failure would).
 */
export class FaultInjector {
  private readonly pending: Array<RestFault & { remaining: number }> = [];
  private latencyMs = 0;
  private down?: RestFault;
  private random?: { rate: number; fault: RestFault; next: () => number };

  /** @internal The emulator makes its own (`emulator.faults`). */
  constructor(private readonly core: EmulatorCore) {}

  /** The next `count` REST calls (of `fault.operation`, if given) fail with `fault.status`. */
  failNext(count: number, fault: RestFault): void {
    if (!(count >= 1)) return;
    this.pending.push({ ...fault, remaining: Math.floor(count) });
  }

  /**
   * Until `clear()` (or another `failRandomly`), each REST call (of `fault.operation`, if given) fails
   * with probability `rate` (0..1), drawn from a pseudo-random sequence seeded with `seed`, so a run
   * can be repeated. `serviceDown()` and `failNext()` faults take precedence.
   *
   * @example emulator.faults.failRandomly(0.2, { status: 503 }, { seed: 42 }); // ~20% of calls fail
   */
  failRandomly(rate: number, fault: RestFault, options: { seed?: number } = {}): void {
    this.random = { rate: Math.min(Math.max(rate, 0), 1), fault, next: mulberry32(options.seed ?? 1) };
  }

  /** Every REST call fails until `serviceUp()` (a service outage). */
  serviceDown(fault: RestFault = { status: 503 }): void {
    this.down = fault;
  }

  serviceUp(): void {
    this.down = undefined;
  }

  /** Delays every REST call by `ms` (0 to stop). */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Terminates client sockets abruptly (no close frame); reliable clients can then recover. */
  dropClients(match: { hub?: string; userId?: string; connectionId?: string } = {}): number {
    let dropped = 0;
    for (const connection of this.core.allConnections()) {
      if (match.hub && connection.hub.toLowerCase() !== match.hub.toLowerCase()) continue;
      if (match.userId && connection.userId !== match.userId) continue;
      if (match.connectionId && connection.connectionId !== match.connectionId) continue;
      if (connection.socket) {
        connection.socket.terminate();
        dropped++;
      }
    }
    return dropped;
  }

  /** Removes every fault and the latency: calls are served normally again. */
  clear(): void {
    this.pending.length = 0;
    this.latencyMs = 0;
    this.down = undefined;
    this.random = undefined;
  }

  /** @internal What the REST API awaits before each call (the latency set by `setLatency`). */
  async delay(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
  }

  /** @internal The fault the REST API answers this call with, if one applies. */
  takeRestFault(operation: string): RestResult | undefined {
    const index = this.pending.findIndex((fault) => !fault.operation || fault.operation === operation);
    let fault: RestFault | undefined = this.down;
    if (!fault && index >= 0) {
      fault = this.pending[index];
      if (--this.pending[index].remaining <= 0) this.pending.splice(index, 1);
    }
    if (!fault && this.random && (!this.random.fault.operation || this.random.fault.operation === operation)) {
      if (this.random.next() < this.random.rate) fault = this.random.fault;
    }
    if (!fault) return undefined;
    const result = errorResult(fault.status, 'Error.InjectedFault', EmulatorMessages.injectedFault(fault.status));
    if (fault.retryAfterSeconds !== undefined)
      result.headers = { ...result.headers, 'retry-after': String(fault.retryAfterSeconds) };
    return result;
  }
}

/** A small seeded PRNG (mulberry32): uniform numbers in [0, 1), the same sequence for the same seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
