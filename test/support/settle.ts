/** How a promise ended: its value, or what it rejected with. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Waits for a promise either way, so a test can compare how two clients' calls ended. */
export function settle(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
