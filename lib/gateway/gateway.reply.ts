import type { EventEmitter } from 'node:events';
import type { Observable } from 'rxjs';
import { nodeRequestOf } from '../events/events.body.js';

/** One handler result being followed: its first non-empty value answers the event, later ones go by REST. */
export interface Reply {
  /** The first non-empty value (undefined if it ended, or was stopped, without one). */
  readonly first: Promise<unknown>;
  /** Resolves when the subscription ended (completed, failed or stopped). */
  readonly done: Promise<void>;
  readonly ended: boolean;
  /** Ends the subscription (as Nest's ws adapter does with takeUntil on close); no later value follows. */
  stop(): void;
}

/** Subscribes to a handler's results. Errors were handled by Nest's filters; one after the first value is dropped. */
export function subscribeReply(results: Observable<unknown>, later: (value: unknown) => void): Reply {
  let answered = false;
  let ended = false;
  let answer!: (value: unknown) => void;
  let refuse!: (error: unknown) => void;
  let finish!: () => void;
  const first = new Promise<unknown>((resolve, reject) => ((answer = resolve), (refuse = reject)));
  const done = new Promise<void>((resolve) => (finish = resolve));
  const end = () => {
    if (!answered) answer(undefined);
    answered = true;
    ended = true;
    finish();
  };
  const subscription = results.subscribe({
    next: (value) => {
      if (value === undefined || value === null || ended) return;
      if (answered) return later(value);
      answered = true;
      answer(value);
    },
    error: (error: unknown) => {
      if (!answered) refuse(error);
      answered = true;
      end();
    },
    complete: end,
  });
  return {
    first,
    done,
    get ended() {
      return ended;
    },
    stop: () => {
      subscription.unsubscribe();
      end();
    },
  };
}

/**
 * The socket an upstream request came on (Express's request, or Fastify's `raw`): it closes when
 * the service gives up on the request (its timeout), so a reply with no first value can end then.
 */
export function upstreamSocketOf(request: unknown): EventEmitter | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const socket = nodeRequestOf(request).socket as EventEmitter | undefined;
  return socket && typeof socket.once === 'function' ? socket : undefined;
}
