import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../lib/index.js';
import { useEmulator } from '../support/emulator-stage.js';
import { JsonClient } from '../support/json-client.js';
import { closeServer, listenOnLoopback } from '../support/loopback-server.js';
import { rawPathCall, rawUpgradeStatus } from '../support/raw-path.js';
import { waitFor } from '../support/wait-for.js';
import { expectNoSecret, SECRET_KEY, watchForCrashes } from './bad-input-harness.js';

/*
 * Odd names at the emulator (issue items 1 and 10): `.` and `..` are dot segments, which URL parsing
 * removes, so as a name they would turn into another operation or upstream URL; the emulator refuses
 * them with 400 however they are spelled. Requests go out with raw paths: fetch and ws would
 * normalise them first. A malformed hub and a non-ASCII user id get an answer, not a hang or a 500.
 */

const crashes = watchForCrashes();
interface Posted {
  path: string;
  headers: http.IncomingHttpHeaders;
}
const posted: Posted[] = [];
const receiver = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.method === 'OPTIONS') return void response.writeHead(200, { 'WebHook-Allowed-Origin': '*' }).end();
    posted.push({ path: request.url ?? '', headers: request.headers });
    response.writeHead(204).end();
  });
});
let port = 0;
beforeAll(async () => {
  port = await listenOnLoopback(receiver);
});
const stage = useEmulator(() => ({
  accessKey: SECRET_KEY,
  hubs: {
    names: {
      eventHandlers: [
        {
          urlTemplate: `http://127.0.0.1:${port}/events/{event}`,
          userEventPattern: '*',
          systemEvents: ['connect', 'connected', 'disconnected'],
        },
      ],
    },
  },
}));
afterAll(async () => {
  await closeServer(receiver);
  await crashes.check();
});

const V = 'api-version=2024-12-01';
const DOTS = ['.', '..', '%2e', '%2e%2e', '%2E.', '.%2E'];
/** Every operation with a group, user or connection name in its path; `{n}` is the odd name. */
const ROUTES: Array<[method: string, path: string]> = [
  ['POST', 'groups/{n}/:send'],
  ['HEAD', 'groups/{n}'],
  ['POST', 'groups/{n}/:closeConnections'],
  ['GET', 'groups/{n}/connections'],
  ['PUT', 'groups/{n}/connections/c1'],
  ['DELETE', 'groups/{n}/connections/c1'],
  ['PUT', 'groups/room/connections/{n}'],
  ['DELETE', 'groups/room/connections/{n}'],
  ['HEAD', 'connections/{n}'],
  ['DELETE', 'connections/{n}'],
  ['POST', 'connections/{n}/:send'],
  ['DELETE', 'connections/{n}/groups'],
  ['PUT', 'permissions/sendToGroup/connections/{n}'],
  ['DELETE', 'permissions/sendToGroup/connections/{n}'],
  ['HEAD', 'permissions/sendToGroup/connections/{n}'],
  ['HEAD', 'users/{n}'],
  ['POST', 'users/{n}/:closeConnections'],
  ['POST', 'users/{n}/:send'],
  ['DELETE', 'users/{n}/groups'],
  ['PUT', 'users/{n}/groups/room'],
  ['PUT', 'users/alice/groups/{n}'],
  ['DELETE', 'users/{n}/groups/room'],
  ['DELETE', 'users/alice/groups/{n}'],
];
const ROWS = ROUTES.flatMap(([method, path]) =>
  DOTS.map((dot) => [`${method} ${path.replace('{n}', dot)}`, method, path.replace('{n}', dot)] as const),
);

describe('REST: "." and ".." as a group, user or connection name', () => {
  it.each(ROWS)('%s is a 400', async (_name, method, path) => {
    const answer = await rawPathCall(
      stage.emulator.endpoint,
      SECRET_KEY,
      method,
      `/api/hubs/chat/${path}?${V}`,
      method === 'POST' ? '{}' : undefined,
    );
    expect(answer.status).toBe(400);
    if (method !== 'HEAD') expect(JSON.parse(answer.body).message).toMatch(/"\." or "\.\."/);
  });

  it.each([
    ['a targetName', 'PUT', `/api/hubs/chat/permissions/sendToGroup/connections/c1?${V}&targetName=..`, undefined],
    ['a group in the body of :addToGroups', 'POST', `/api/hubs/chat/:addToGroups?${V}`, '{"groups":[".."]}'],
    ['a group in the body of :removeFromGroups', 'POST', `/api/hubs/chat/:removeFromGroups?${V}`, '{"groups":["."]}'],
    ['the userId of :generateToken', 'POST', `/api/hubs/chat/:generateToken?${V}&userId=..`, undefined],
    ['a group of :generateToken', 'POST', `/api/hubs/chat/:generateToken?${V}&group=%2e`, undefined],
    ['the hub', 'POST', `/api/hubs/%2e%2e/:send?${V}`, '{}'],
  ])('%s of ".." is a 400', async (_name, method, path, body) => {
    const answer = await rawPathCall(stage.emulator.endpoint, SECRET_KEY, method, path, body);
    expect(answer.status).toBe(400);
    expectNoSecret(answer.body);
  });

  it('no dot-segment call was an internal error or reached another operation', () => {
    expect(stage.emulator.restCalls.filter((call) => call.status !== 400)).toEqual([]);
  });
});

describe('client endpoint: odd hub names', () => {
  it.each([
    '/client/hubs/.',
    '/client/hubs/..',
    '/client/hubs/%2e%2e',
    '/client/hubs/%2E.',
    '/client/?hub=..',
    '/client/?hub=%2e%2e',
    '/client/hubs/bad%20hub',
    '/client/hubs/%E0%A4%A',
    '/client/hubs/chat%ZZ',
  ])('%s is refused with 400', async (path) => {
    expect(await rawUpgradeStatus(stage.emulator.endpoint, path)).toBe(400);
  });
});

describe('client endpoint: odd event names and user ids', () => {
  const wsUrl = async (userId?: string) =>
    (await new WebPubSubRestClient(stage.emulator.connectionString, 'names').getClientAccessToken({ userId })).url;

  it.each(['.', '..'])('a user event named "%s" is refused with BadRequest and goes nowhere', async (event) => {
    const client = await JsonClient.connect(await wsUrl('dots'), 'dots');
    try {
      const before = posted.length;
      const ack = await client.request({ type: 'event', event, dataType: 'text', data: 'x' }, 1);
      expect(ack).toMatchObject({
        success: false,
        error: { name: 'BadRequest', message: expect.stringMatching(/"\." or "\.\."/) },
      });
      // Frames run in order: once the next event is answered, the refused one would have been posted.
      expect(await client.request({ type: 'event', event: 'fence', dataType: 'text', data: 'x' }, 2)).toMatchObject({
        success: true,
      });
      expect(
        posted
          .slice(before)
          .filter((post) => String(post.headers['ce-type']).includes('.user.'))
          .map((post) => post.path),
      ).toEqual(['/events/fence']);
    } finally {
      await client.close();
    }
  });

  // ce-userId is a header, and a header carries no raw non-ASCII text: the emulator percent-encodes
  // it as UTF-8, as the CloudEvents HTTP binding does (README, "The local emulator").
  it('a non-ASCII user id connects, its events carry it percent-encoded, and REST reaches it', async () => {
    const client = await JsonClient.connect(await wsUrl('名前'), 'named');
    try {
      expect(client.frames[0]).toMatchObject({ event: 'connected', userId: '名前' });
      const connect = await waitFor(
        () =>
          posted.find(
            (post) =>
              post.headers['ce-connectionid'] === client.connectionId &&
              String(post.headers['ce-type']).endsWith('sys.connect'),
          ),
        'the connect event',
      );
      expect(connect.headers['ce-userid']).toBe('%E5%90%8D%E5%89%8D');
      const ack = await client.request({ type: 'event', event: 'événement', dataType: 'text', data: 'x' }, 1);
      expect(ack).toMatchObject({ success: true });
      const user = posted.find(
        (post) =>
          post.headers['ce-connectionid'] === client.connectionId && String(post.headers['ce-type']).includes('.user.'),
      )!;
      expect(decodeURIComponent(String(user.headers['ce-eventname']))).toBe('événement');
      expect(user.path).toBe(`/events/${encodeURIComponent('événement')}`);
      const rest = new WebPubSubRestClient(stage.emulator.connectionString, 'names');
      expect(await rest.userExists('名前')).toBe(true);
      await rest.sendToUser('名前', 'hello', { contentType: 'text/plain' });
      await client.waitData('hello');
    } finally {
      await client.close();
    }
  });
});
