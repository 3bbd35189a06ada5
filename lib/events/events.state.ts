/** The connection state of an event: read from `ce-connectionState`, changed by handlers within the limit. */
import type { ConnectionStateAccess } from './events.types.js';
import {
  connectionStateTooLarge,
  encodeConnectionState,
  MAX_CONNECTION_STATE_BYTES,
} from '../protocol/connection-state.js';

/** The connection's states, on an object with no prototype: `constructor` or `__proto__` are plain keys. */
export function parseStates(encoded: string | undefined): Record<string, unknown> {
  const states = Object.create(null) as Record<string, unknown>;
  if (!encoded) return states;
  try {
    const value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.assign(states, value) : states;
  } catch {
    return states;
  }
}

export function stateAccess(states: Record<string, unknown>): {
  access: ConnectionStateAccess;
  changed: () => boolean;
} {
  let changed = false;
  return {
    access: {
      // Own keys only: `get('constructor')` is a state that was never set, not Object's constructor.
      get: (key) => (Object.hasOwn(states, key) ? states[key] : undefined),
      // Refused here, where the handler can still react, rather than sent and left to wedge the connection.
      set: (key, value) => {
        const had = Object.hasOwn(states, key);
        const before = states[key];
        states[key] = value;
        const size = encodeConnectionState(states).length;
        if (size > MAX_CONNECTION_STATE_BYTES) {
          if (had) states[key] = before;
          else delete states[key];
          throw new RangeError(connectionStateTooLarge(size));
        }
        changed = true;
      },
    },
    changed: () => changed,
  };
}
