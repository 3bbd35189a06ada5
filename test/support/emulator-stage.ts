import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { WebPubSubEmulator, type WebPubSubEmulatorOptions } from '../../lib/emulator/index.js';

/** The emulator of a describe block (or file) and the cleanup of what its tests start against it. */
export interface EmulatorStage {
  /** The running emulator, from the block's first beforeAll on. */
  readonly emulator: WebPubSubEmulator;
  /**
   * Runs `close` (stopping a client, closing an app) after the current test, or after the block when
   * called from a beforeAll. Later ones run first: a client stops before the app that served it.
   */
  defer(close: () => unknown): void;
}

/**
 * Registers the hooks every emulator-backed spec needs: start one emulator before the block (with
 * `options`, or what `options()` returns then, e.g. a receiver's port known only by then), clear its
 * faults and run the test's deferred cleanup after each test, stop it after the block. Call at the
 * top of a `describe` (or of the file).
 */
export function useEmulator(options: WebPubSubEmulatorOptions | (() => WebPubSubEmulatorOptions) = {}): EmulatorStage {
  let emulator: WebPubSubEmulator | undefined;
  const perTest: Array<() => unknown> = [];
  const perBlock: Array<() => unknown> = [];
  let inTest = false;

  beforeAll(async () => {
    emulator = await WebPubSubEmulator.start(typeof options === 'function' ? options() : options);
  });
  beforeEach(() => {
    inTest = true;
  });
  afterEach(async () => {
    inTest = false;
    emulator?.faults.clear();
    await runAll(perTest);
  });
  afterAll(async () => {
    await runAll(perBlock);
    await emulator?.stop();
  });

  return {
    get emulator(): WebPubSubEmulator {
      if (!emulator) throw new Error('The emulator starts in beforeAll: use stage.emulator inside a hook or a test.');
      return emulator;
    },
    defer(close) {
      (inTest ? perTest : perBlock).push(close);
    },
  };
}

/** Runs every closer, latest first, even when one fails; then rethrows the first failure. */
async function runAll(closers: Array<() => unknown>): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers.splice(0).reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
