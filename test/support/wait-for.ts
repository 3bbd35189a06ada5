/**
 * Waits until `check` returns a value other than undefined/null/false, polling every 5 ms, or fails
 * naming what it waited for (`what()` is asked at that moment, so it can say how far it got). Tests
 * wait on events this way instead of sleeping.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false,
  what: string | (() => string),
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
