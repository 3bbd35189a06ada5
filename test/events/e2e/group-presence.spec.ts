import { describe, expect, it } from '@jest/globals';
import {
  OnDisconnected,
  OnGroupJoined,
  OnGroupLeft,
  WebPubSubEventHandler,
  type DisconnectedEvent,
  type GroupJoinedRequest,
  type GroupLeftRequest,
} from '../../../lib/index.js';
import { useEventsStack } from '../../support/events-stack.js';
import { DEFAULT_ADAPTER } from '../../support/http-adapters.js';
import { waitFor } from '../../support/wait-for.js';

/** Records every presence event as `joined:<group>` / `left:<group>` per connection. */
@WebPubSubEventHandler({ hub: 'rooms' })
class RoomPresence {
  readonly seen: Array<{ connectionId: string; userId?: string; change: string }> = [];
  readonly disconnected: string[] = [];

  @OnGroupJoined()
  joined({ context, group }: GroupJoinedRequest): void {
    this.seen.push({ connectionId: context.connectionId, userId: context.userId, change: `joined:${group}` });
  }

  @OnGroupLeft()
  left({ context, group }: GroupLeftRequest): void {
    this.seen.push({ connectionId: context.connectionId, userId: context.userId, change: `left:${group}` });
  }

  @OnDisconnected()
  gone({ context }: DisconnectedEvent): void {
    this.disconnected.push(context.connectionId);
  }
}

/**
 * @OnGroupJoined / @OnGroupLeft end to end: the emulator sends group presence events to the app's
 * route because the hub's event handler lists them, as the service's `groupPresenceEvents` does.
 */
describe.each(DEFAULT_ADAPTER)('group presence events from the emulator on %s', (adapter) => {
  const stack = useEventsStack({
    adapter,
    hub: 'rooms',
    hubs: {
      rooms: {
        template: '/eventhandler/{event}',
        groupPresenceEvents: { eventNames: ['joined', 'left'], groupFilters: ['room.*'] },
      },
    },
    providers: [RoomPresence],
  });

  it('calls @OnGroupJoined and @OnGroupLeft for client and REST joins of filtered groups, with the connection context', async () => {
    const presence = stack.app.get(RoomPresence);
    const client = await stack.connect({ userId: 'ann', roles: ['webpubsub.joinLeaveGroup'] });
    const mine = () =>
      presence.seen.filter((event) => event.connectionId === client.connectionId).map((event) => event.change);

    await client.joinGroup('room.a');
    await client.joinGroup('lobby'); // outside the filter: no event
    await stack.service.group('room.b').addConnection(client.connectionId);
    await client.leaveGroup('room.a');
    await waitFor(() => mine().length >= 3, 'three presence events');
    expect(mine().sort()).toEqual(['joined:room.a', 'joined:room.b', 'left:room.a']);
    expect(presence.seen.find((event) => event.connectionId === client.connectionId)?.userId).toBe('ann');

    // Closing ends the memberships without presence events: `disconnected` is the one to read.
    await client.close();
    await waitFor(() => presence.disconnected.includes(client.connectionId), '@OnDisconnected');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mine().sort()).toEqual(['joined:room.a', 'joined:room.b', 'left:room.a']);
    expect(stack.errorLines()).toEqual([]);
  });
});
