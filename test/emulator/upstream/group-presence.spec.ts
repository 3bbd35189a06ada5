import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import {
  WebPubSubEventHandler,
  type DisconnectedRequest,
  type GroupJoinedRequest,
  type GroupLeftRequest,
} from '@azure/web-pubsub-express';
import express from 'express';
import { odata, WebPubSubRestClient } from '../../../lib/index.js';
import { WebPubSubEmulator, type GroupPresenceEventSettings } from '../../../lib/emulator/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { closeServer, listenOnLoopback } from '../../support/loopback-server.js';
import { startOfficialClient, type OfficialClient } from '../../support/official-client.js';
import { EventLog } from './upstream-helpers.js';

type Presence = { hub: string; connectionId: string; userId?: string; eventName: string; change: string };

/**
 * Group presence events (`azure.webpubsub.gp.joined` / `gp.left`) as @azure/web-pubsub-express 1.1.0
 * reads them: the emulator sends them to a handler whose settings list them (the service's preview
 * `groupPresenceEvents`), for every way a live connection joins or leaves a group, and only then.
 */
describe('group presence events to @azure/web-pubsub-express', () => {
  let server: http.Server;
  let port: number;
  let rest: WebPubSubRestClient;
  const presence = new EventLog<Presence>();
  const disconnected = new EventLog<DisconnectedRequest>();

  /** One official handler per hub, recording what it read. */
  function presenceHandler(hub: string): WebPubSubEventHandler {
    const record = (change: string) => (request: GroupJoinedRequest | GroupLeftRequest) =>
      presence.push({
        hub: request.context.hub,
        connectionId: request.context.connectionId,
        userId: request.context.userId,
        eventName: request.context.eventName,
        change: `${change}:${request.group}`,
      });
    return new WebPubSubEventHandler(hub, {
      path: `/${hub}`,
      onGroupJoined: record('joined'),
      onGroupLeft: record('left'),
      onDisconnected: (request) => disconnected.push(request),
    });
  }

  beforeAll(async () => {
    const app = express();
    for (const hub of ['all', 'filtered', 'silent']) app.use(presenceHandler(hub).getMiddleware());
    server = http.createServer(app);
    port = await listenOnLoopback(server);
  });
  const handler = (hub: string, groupPresenceEvents?: GroupPresenceEventSettings) => ({
    eventHandlers: [
      {
        urlTemplate: `http://127.0.0.1:${port}/${hub}/{event}`,
        systemEvents: ['disconnected' as const],
        groupPresenceEvents,
      },
    ],
  });
  const stage = useEmulator(() => ({
    upstreamRetryDelaysMs: [],
    hubs: {
      all: handler('all', { eventNames: ['joined', 'left'] }),
      filtered: handler('filtered', { eventNames: ['joined'], groupFilters: ['room.*', 'vip'] }),
      silent: handler('silent'),
    },
  }));
  afterAll(() => server && closeServer(server));
  beforeAll(() => {
    rest = new WebPubSubRestClient(stage.emulator.connectionString, 'all');
  });

  async function client(hub: string, userId: string, groups: string[] = []): Promise<OfficialClient> {
    const { url } = await rest.hub(hub).getClientAccessToken({ userId, groups, roles: ['webpubsub.joinLeaveGroup'] });
    const started = await startOfficialClient(url, { autoReconnect: false, protocol: WebPubSubJsonProtocol() });
    stage.defer(() => started.stop());
    return started;
  }

  const changesOf = (connectionId: string) =>
    presence.items.filter((event) => event.connectionId === connectionId).map((event) => event.change);

  it('announces every way a connection joins or leaves, once per change, with its context', async () => {
    const ann = await client('all', 'ann', ['from-token']);
    const hub = rest.hub('all');
    await ann.client.joinGroup('by-client');
    await ann.client.joinGroup('by-client'); // already a member: no second event
    await hub.group('by-rest').addConnection(ann.connectionId);
    await hub.group('by-user').addUser('ann');
    await hub.addConnectionsToGroups(['by-filter'], odata`userId eq ${'ann'}`);
    await ann.client.leaveGroup('by-client');
    await hub.group('by-rest').removeConnection(ann.connectionId);
    await hub.group('by-user').removeUser('ann');
    await hub.removeConnectionFromAllGroups(ann.connectionId); // leaves from-token and by-filter
    await hub.group('never-joined').removeConnection(ann.connectionId); // not a member: no event

    const expected = [
      'joined:from-token',
      'joined:by-client',
      'joined:by-rest',
      'joined:by-user',
      'joined:by-filter',
      'left:by-client',
      'left:by-rest',
      'left:by-user',
      'left:from-token',
      'left:by-filter',
    ];
    await presence.waitFor(() => changesOf(ann.connectionId).length >= expected.length, 'ten presence events');
    expect(changesOf(ann.connectionId).sort()).toEqual([...expected].sort());
    const first = presence.items.find((event) => event.connectionId === ann.connectionId)!;
    expect(first).toMatchObject({ hub: 'all', userId: 'ann' });
    expect(
      presence.items
        .filter((event) => event.connectionId === ann.connectionId)
        .map((event) => event.eventName)
        .sort(),
    ).toEqual([...Array(5).fill('joined'), ...Array(5).fill('left')]);
  });

  it('sends no left events when a connection closes: disconnected is the event for that', async () => {
    const bob = await client('all', 'bob', ['stays']);
    await bob.client.joinGroup('also-stays');
    await presence.waitFor(() => changesOf(bob.connectionId).length >= 2, 'the two joined events');
    await rest.hub('all').closeConnection(bob.connectionId);
    await disconnected.waitFor(
      (request) => request.context.connectionId === bob.connectionId,
      'the disconnected event',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changesOf(bob.connectionId).sort()).toEqual(['joined:also-stays', 'joined:stays']);
  });

  it('sends only the listed event names, for groups matching a filter', async () => {
    const cat = await client('filtered', 'cat');
    await cat.client.joinGroup('lobby');
    await cat.client.joinGroup('room.1');
    await cat.client.joinGroup('room.1.sub'); // `*` does not cross a dot
    await cat.client.joinGroup('vip');
    await cat.client.leaveGroup('room.1'); // `left` is not listed
    await presence.waitFor(() => changesOf(cat.connectionId).length >= 2, 'the two matching joined events');
    // A marker sent last: once it arrived, anything sent before it had time to.
    await cat.client.joinGroup('room.marker');
    await presence.waitFor((event) => event.change === 'joined:room.marker', 'the marker');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(changesOf(cat.connectionId).sort()).toEqual(['joined:room.1', 'joined:room.marker', 'joined:vip']);
  });

  it('sends none to a handler that does not list them', async () => {
    const dan = await client('silent', 'dan', ['g1']);
    await dan.client.joinGroup('g2');
    await rest.hub('silent').closeConnection(dan.connectionId);
    await disconnected.waitFor(
      (request) => request.context.connectionId === dan.connectionId,
      'the disconnected event (same handler)',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(changesOf(dan.connectionId)).toEqual([]);
  });

  it.each([
    [{ eventNames: ['entered'] }, 'hubs.h.eventHandlers[0].groupPresenceEvents.eventNames', '"joined" and "left"'],
    [{ eventNames: 'joined' }, 'hubs.h.eventHandlers[0].groupPresenceEvents.eventNames', '"joined" and "left"'],
    [{ eventNames: ['joined'], groupFilters: ['a*b*c*d*e*f*'] }, 'groupPresenceEvents.groupFilters', 'more than 5'],
    [{ eventNames: ['joined'], groupFilters: ['bad\\x'] }, 'groupPresenceEvents.groupFilters', 'is not an escape'],
    [{ eventNames: ['joined'], groupFilters: 'room.*' }, 'groupPresenceEvents.groupFilters', 'e.g. ["room.*"]'],
  ])('refuses groupPresenceEvents %j at start, naming the option', async (settings, option, fix) => {
    const start = WebPubSubEmulator.start({
      hubs: {
        h: {
          eventHandlers: [
            {
              urlTemplate: 'http://127.0.0.1:1/{event}',
              groupPresenceEvents: settings as unknown as GroupPresenceEventSettings,
            },
          ],
        },
      },
    });
    await expect(start).rejects.toThrow(TypeError);
    const message = await start.catch((error: Error) => error.message);
    expect(message).toContain(option);
    expect(message).toContain(fix);
  });
});
