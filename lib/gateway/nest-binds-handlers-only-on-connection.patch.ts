/**
 * PATCH, the package's only one: an own `handleConnection` (and `handleDisconnect`) on each singleton gateway instance.
 *
 * The Nest behaviour it works around (@nestjs/websockets 10.4.22, 11.2.6 and 12.1.1 checked,
 * web-sockets-controller.js): an adapter gets a client's message handlers only by calling the
 * callback Nest passes to `bindClientConnect`. That callback emits the client on the server's
 * `connection` subject, which runs `handleConnection(client, …)`, then binds the message handlers
 * (`callback.bind(instance, client)`) and the disconnect callback, all synchronously. A process that
 * receives a user event of a connection whose `connected` went to another process must bind the
 * connection's handlers, yet must not run handleConnection a second time for it.
 *
 * Why no public way does it:
 * - the subject's only filter, distinctUntilChanged on args[0], lets a new client through once, so
 *   no order of calls binds a client that handleConnection never saw;
 * - building the handlers apart (ExternalContextCreator) would re-implement Nest's ws context:
 *   a guard's refusal is a WsException there, the pattern is appended to the handler's args, Nest 12
 *   adds manual acks, and the default filter differs per version.
 *
 * What it relies on: Nest 10/11 read `instance.handleConnection` at each connection, Nest 12 binds
 * it when the gateway subscribes (after the adapter's first `create()`); both find an own property
 * first. So before Nest subscribes any gateway, each singleton gateway with handleConnection gets an
 * own one that calls its class's method unless the client is being bound only. The instance gets
 * nothing else. Request-scoped gateways with handleConnection are refused at startup (gateway.scan).
 *
 * The same own property (and one for handleDisconnect) also catches what the method throws or
 * rejects with: Nest calls both from an rxjs subscriber and drops their result, so an error there
 * would be an uncaught exception or an unhandled rejection, which ends the process. It goes to
 * `onFailure` instead (logged with the connection id by the hub binding).
 * test/consumers/nest1{0,1}-commonjs-jest and nest12-esm-jest (gateway.e2e-spec.ts, "two app
 * instances") fail if a Nest release stops behaving so.
 */
const bindingOnly = new WeakSet<object>();
const guarded = new WeakSet<object>();

type Gateway = Record<string | symbol, unknown>;
export type CallbackName = 'handleConnection' | 'handleDisconnect';
export type CallbackFailure = (client: object, method: CallbackName, error: unknown) => void;

/** Keeps `handleConnection` of one gateway instance to real connections, and both callbacks from crashing the app (idempotent). */
export function guardHandleConnection(instance: Gateway, onFailure: CallbackFailure): void {
  if (guarded.has(instance)) return;
  guarded.add(instance);
  for (const method of ['handleConnection', 'handleDisconnect'] as const) {
    const original = instance[method];
    if (typeof original !== 'function') continue;
    Object.defineProperty(instance, method, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: {
        [method](this: unknown, client: object, ...rest: unknown[]): unknown {
          if (method === 'handleConnection' && bindingOnly.has(client)) return undefined;
          return settled(
            () => (original as (...args: unknown[]) => unknown).call(this, client, ...rest),
            (error) => onFailure(client, method, error),
          );
        },
      }[method],
    });
  }
}

/** Runs `run`; a throw or a rejection goes to `onFailure`, and the result never rejects. */
function settled(run: () => unknown, onFailure: (error: unknown) => void): unknown {
  const report = (error: unknown) => {
    try {
      onFailure(error);
    } catch {
      // Reporting must not become the crash it prevents.
    }
  };
  try {
    const result = run();
    if (result && typeof (result as PromiseLike<unknown>).then === 'function')
      return Promise.resolve(result).then(undefined, report);
    return result;
  } catch (error) {
    report(error);
    return undefined;
  }
}

/** Runs Nest's connection callbacks for a client; with `bindOnly`, handleConnection skips it. */
export function runConnectionCallbacks(
  client: object,
  callbacks: ReadonlyArray<(...args: unknown[]) => unknown>,
  args: unknown[],
  bindOnly: boolean,
): void {
  if (bindOnly) bindingOnly.add(client);
  try {
    for (const callback of callbacks) callback(client, ...args);
  } finally {
    bindingOnly.delete(client);
  }
}
