import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConnectionStateAccess } from '../events/events.types.js';

/** The user event a socket is answering: what Nest's exception filter emits during it becomes the answer. */
export interface DispatchContext {
  socket: object;
  state: ConnectionStateAccess;
  /** Set once the first result went out as the HTTP answer; later emits go by REST. */
  answered: boolean;
  /** What BaseWsExceptionFilter emitted as `exception` before the answer. */
  exception?: unknown;
}

const current = new AsyncLocalStorage<DispatchContext>();

export function runInDispatch<T>(context: DispatchContext, run: () => T): T {
  return current.run(context, run);
}

/** The dispatch of `socket` this code runs in, if any (handlers may run for several connections at once). */
export function dispatchOf(socket: object): DispatchContext | undefined {
  const context = current.getStore();
  return context?.socket === socket ? context : undefined;
}
