/**
 * Binding a connection's message handlers without running handleConnection.
 *
 * Nest hands an adapter a connection's message handlers only through the callback of
 * `bindClientConnect`: calling it with a client emits on the server's `connection` subject (which
 * runs `handleConnection(client, …)`), then calls `bindMessageHandlers(client, …)` and
 * `bindClientDisconnect(client, …)`, all synchronously. A process that receives a user event of a
 * connection whose `connected` went to another process must bind it, yet must not run
 * handleConnection a second time for it.
 *
 * The subject's only filter, distinctUntilChanged on the client, cannot help (a new client always
 * passes it), and Nest 12 binds `instance.handleConnection` once when the gateway subscribes while
 * Nest 10/11 look it up at each connection. So, before Nest subscribes any gateway (the adapter's
 * first `create()`), each singleton gateway with handleConnection gets an own `handleConnection`
 * that calls its class's method unless the client is being bound only; Nest 10/11 find it at each
 * call, Nest 12 binds it. The check is synchronous, as the whole connection callback is.
 * Request-scoped gateways are refused at startup when they have handleConnection (Nest 12 calls a
 * per-connection instance there, which no own property reaches).
 */
const bindingOnly = new WeakSet<object>();
const guarded = Symbol('webpubsub:handleConnection guarded');

type Gateway = Record<string | symbol, unknown>;

/** Keeps `handleConnection` of one gateway instance to real connections (idempotent). */
export function guardHandleConnection(instance: Gateway): void {
  const original = instance.handleConnection;
  if (typeof original !== 'function' || instance[guarded]) return;
  Object.defineProperty(instance, guarded, { value: true });
  Object.defineProperty(instance, 'handleConnection', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function handleConnection(this: unknown, client: object, ...rest: unknown[]): unknown {
      return bindingOnly.has(client) ? undefined : (original as (...args: unknown[]) => unknown).call(this, client, ...rest);
    },
  });
}

/** Runs Nest's connection callbacks for a client; with `bindOnly`, handleConnection skips it. */
export function runConnectionCallbacks(client: object, callbacks: ReadonlyArray<(...args: unknown[]) => unknown>, args: unknown[], bindOnly: boolean): void {
  if (bindOnly) bindingOnly.add(client);
  try {
    for (const callback of callbacks) callback(client, ...args);
  } finally {
    bindingOnly.delete(client);
  }
}
