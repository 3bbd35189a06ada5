import {
  odata,
  type OperationOptions,
  type SendWithContentTypeOptions,
  type WebPubSubRestClient,
} from '../client/index.js';
import { BroadcastMessages } from './broadcast.messages.js';
import type { BroadcastContext, BroadcastTarget, Resolvable } from './broadcast.options.js';

/** One send, planned from a target and a result: a label for logs, and the call. */
export interface PlannedSend {
  label: string;
  send: () => Promise<void>;
}

const resolve = <T>(value: Resolvable<T>, context: BroadcastContext): T =>
  typeof value === 'function' ? (value as (context: BroadcastContext) => T)(context) : value;

function requireId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(BroadcastMessages.targetInvalid(what));
  return value;
}

/**
 * Turns a declared target and one result into the sends to make. Resolvers run here, once per
 * result, so a dynamic target sees that result. `operation` is added to every send's options (tracing).
 */
export function planSends(
  target: BroadcastTarget,
  client: WebPubSubRestClient,
  message: unknown,
  context: BroadcastContext,
  operation: OperationOptions,
): PlannedSend[] {
  const { options } = target;
  const filter = options.filter === undefined ? undefined : resolve(options.filter, context);
  const excluded = options.excluded === undefined ? undefined : resolve(options.excluded, context);
  const base: SendWithContentTypeOptions = {
    ...operation,
    messageTtlSeconds: options.messageTtlSeconds,
    contentType: options.contentType,
  };
  const hub = client.hubName;
  const payload = message as never;
  switch (target.kind) {
    case 'hub':
      return [
        {
          label: `hub "${hub}"`,
          send: () => client.sendToAll(payload, { ...base, filter, excludedConnections: excluded }),
        },
      ];
    case 'user': {
      const userId = requireId(resolve(target.userId, context), 'userId');
      return [
        {
          label: `user "${userId}" of hub "${hub}"`,
          send: () => client.sendToUser(userId, payload, { ...base, filter }),
        },
      ];
    }
    case 'connection': {
      const connectionId = requireId(resolve(target.connectionId, context), 'connectionId');
      return [
        {
          label: `connection "${connectionId}" of hub "${hub}"`,
          send: () => client.sendToConnection(connectionId, payload, base),
        },
      ];
    }
    case 'group': {
      const resolved = resolve(target.groups, context);
      const groups = (Array.isArray(resolved) ? resolved : [resolved]).map((group) => requireId(group, 'group'));
      if (target.options.multiGroup === 'filter' && groups.length > 1) {
        // One message to the hub for the union of the groups: each member gets it once.
        const members = groups.map((group) => odata`${group} in groups`).join(' or ');
        const combined = filter ? `(${members}) and (${filter})` : members;
        return [
          {
            label: `groups ${groups.map((g) => `"${g}"`).join(', ')} of hub "${hub}" (one filtered message)`,
            send: () => client.sendToAll(payload, { ...base, filter: combined, excludedConnections: excluded }),
          },
        ];
      }
      return groups.map((group) => ({
        label: `group "${group}" of hub "${hub}"`,
        send: () => client.group(group).sendToAll(payload, { ...base, filter, excludedConnections: excluded }),
      }));
    }
  }
}
