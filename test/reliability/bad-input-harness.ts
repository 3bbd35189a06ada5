import { inspect } from 'node:util';
import vm from 'node:vm';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { WebPubSubRestClient } from '../../lib/index.js';
import { useCaptureServer } from '../support/capture-server.js';

/**
 * Shared pieces of the bad-input suites: a distinctive access key to search for, a watch on the
 * process for crashes, and the checks every row makes.
 */

/** Distinctive, so a leak into a message, a log line or a response body is easy to spot. */
export const SECRET_KEY = 'BadInputSecretKey+DoNotPrint/0123456789abcdefXYZ=';

/**
 * jest gives each test file a copy of `process`, and listeners added to the copy never hear the
 * real process's events. The real one, whose `unhandledRejection` / `uncaughtException` a crash
 * would raise, is the global of Node's main context.
 */
const realProcess = vm.runInThisContext('process') as NodeJS.Process;

export interface CrashWatch {
  /** What fired so far, as text. */
  readonly fired: string[];
  /** Lets pending rejections surface, detaches the listeners and asserts that nothing fired. */
  check(): Promise<void>;
}

/**
 * Listens for unhandled rejections and uncaught exceptions from the first test of the file on.
 * Call `check()` at the very end of the file's last `afterAll` (after the app is closed), so
 * failures during shutdown count too.
 */
export function watchForCrashes(): CrashWatch {
  const fired: string[] = [];
  const onRejection = (reason: unknown) => fired.push(`unhandledRejection: ${inspect(reason)}`);
  const onException = (error: unknown) => fired.push(`uncaughtException: ${inspect(error)}`);
  beforeAll(() => {
    realProcess.on('unhandledRejection', onRejection);
    realProcess.on('uncaughtException', onException);
  });
  return {
    fired,
    async check() {
      // Node reports an unhandled rejection once the microtask queue has drained.
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      realProcess.off('unhandledRejection', onRejection);
      realProcess.off('uncaughtException', onException);
      expect(fired).toEqual([]);
    },
  };
}

/** Neither the message, the stack, nor any `cause` shows a secret (as Node would print it). */
export function expectNoSecret(value: unknown, secrets: readonly string[] = [SECRET_KEY]): void {
  const text = typeof value === 'string' ? value : inspect(value, { depth: 10 });
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** The documented message: it names what is wrong and says how to fix it. */
export function expectClearMessage(message: string, what: RegExp, fix: RegExp): void {
  expect(message).toMatch(what);
  expect(message).toMatch(fix);
}

/** An object that refers to itself: JSON cannot represent it. */
export function circular(): Record<string, unknown> {
  const order: Record<string, unknown> = { id: 7 };
  order.self = order;
  return order;
}

/**
 * A client aimed at a recording loopback server, with no retries, so "before any network call" is
 * checked as "the server received nothing"; the crash watch is checked once the server is closed.
 */
export function useRecordingClient(): { peer: ReturnType<typeof useCaptureServer>; client: WebPubSubRestClient } {
  const crashes = watchForCrashes();
  const peer = useCaptureServer();
  const session = { peer, client: undefined as unknown as WebPubSubRestClient };
  beforeAll(() => {
    session.client = new WebPubSubRestClient(peer.server.connectionString(SECRET_KEY), 'chat', {
      retryOptions: { maxRetries: 0 },
    });
  });
  // Registered after useCaptureServer's hooks, so it runs once the server is closed.
  afterAll(() => crashes.check());
  return session;
}
