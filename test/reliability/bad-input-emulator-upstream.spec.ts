import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubEventHandler, type UserEventRequest } from '@azure/web-pubsub-express';
import express from 'express';
import { WebPubSubRestClient } from '../../lib/index.js';
import { useEmulator } from '../support/emulator-stage.js';
import { JsonClient } from '../support/json-client.js';
import { RawClient } from '../support/raw-client.js';
import { upgradeHeaders } from '../support/raw-path.js';
import { closeServer, listenOnLoopback } from '../support/loopback-server.js';
import { waitFor } from '../support/wait-for.js';
import { SECRET_KEY, watchForCrashes } from './bad-input-harness.js';

/*
 * Issue 23, emulator items 8, 9, 10 and 12: what reaches clients and event handlers when the
 * handler URL carries a secret (`?code=`, as Azure Functions do), when an event name is not ASCII
 * or holds control characters, when a client's query or header names are `__proto__` and friends,
 * and whether every event carries `ce-id` and `ce-time`.
 */

const crashes = watchForCrashes();
/** A function key in the handler URL: it must reach no client and no log line. */
const FUNCTION_KEY = 'FunctionKeyInTheUrl0123456789';
const logLines: string[] = [];
const logger = {
  log: (m: string) => logLines.push(m),
  warn: (m: string) => logLines.push(m),
  error: (m: string) => logLines.push(m),
};
const userEvents: UserEventRequest[] = [];
const posts: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];

const express_ = express();
express_.use(
  new WebPubSubEventHandler('names', {
    path: '/official',
    handleUserEvent: (request, response) => {
      userEvents.push(request);
      response.success();
    },
  }).getMiddleware(),
);
// A raw recorder (/raw/...) and a handler that passes the handshake and then hangs up (/broken/...).
const receiver = http.createServer((request, response) => {
  if (request.method === 'OPTIONS') return void response.writeHead(200, { 'WebHook-Allowed-Origin': '*' }).end();
  if (request.url?.startsWith('/broken/')) return void request.socket.destroy();
  if (request.url?.startsWith('/official')) return void express_(request, response);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    posts.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
    response.writeHead(204).end();
  });
});
let port = 0;
beforeAll(async () => {
  port = await listenOnLoopback(receiver);
});
const stage = useEmulator(() => ({
  accessKey: SECRET_KEY,
  logger,
  upstreamRetryDelaysMs: [],
  hubs: {
    leaky: {
      eventHandlers: [
        {
          urlTemplate: `http://127.0.0.1:${port}/broken/{event}?code=${FUNCTION_KEY}`,
          userEventPattern: '*',
          systemEvents: ['connected'],
        },
      ],
    },
    leakyconnect: {
      eventHandlers: [
        { urlTemplate: `http://127.0.0.1:${port}/broken/{event}?code=${FUNCTION_KEY}`, systemEvents: ['connect'] },
      ],
    },
    names: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/official/{event}`, userEventPattern: '*' }] },
    raw: {
      eventHandlers: [
        {
          urlTemplate: `http://127.0.0.1:${port}/raw/{event}`,
          userEventPattern: '*',
          systemEvents: ['connect', 'connected', 'disconnected'],
          groupPresenceEvents: { eventNames: ['joined', 'left'] },
        },
      ],
    },
  },
}));
afterAll(async () => {
  await closeServer(receiver);
  await crashes.check();
});

const wsUrl = async (hub: string, userId = 'alice') =>
  (await new WebPubSubRestClient(stage.emulator.connectionString, hub).getClientAccessToken({ userId })).url;

/** The answer to an upgrade that the emulator refuses: its status and body. */
function refusedUpgrade(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url.replace(/^ws/, 'http'), {
      headers: upgradeHeaders(),
    });
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      reject(new Error('the upgrade was accepted'));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('item 8: the event handler URL reaches no client', () => {
  it('a failed user event is acked with an error naming the event, not the URL or its ?code=', async () => {
    const client = await JsonClient.connect(await wsUrl('leaky'), 'leaky');
    try {
      const ack = await client.request({ type: 'event', event: 'order', dataType: 'text', data: 'x' }, 1);
      expect(ack).toMatchObject({ success: false, error: { message: expect.stringContaining('"order"') } });
      expect(JSON.stringify(ack)).not.toContain(FUNCTION_KEY);
      expect(JSON.stringify(ack)).not.toContain('/broken/');
    } finally {
      await client.close();
    }
  });

  it('a failed connect answers 500 with a body naming the event, not the URL or its ?code=', async () => {
    const answer = await refusedUpgrade(await wsUrl('leakyconnect'));
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('connect');
    expect(answer.body).not.toContain(FUNCTION_KEY);
    expect(answer.body).not.toContain('/broken/');
  });

  it("the emulator's own log names the handler with its query redacted", async () => {
    const line = await waitFor(
      () => logLines.find((text) => text.includes('/broken/')),
      'a log line naming the handler',
    );
    expect(line).toMatch(/\/broken\/\S*\?\(redacted\)/);
    expect(logLines.filter((text) => text.includes(FUNCTION_KEY))).toEqual([]);
  });
});

describe('item 9: event names the service allows, encoded as the CloudEvents HTTP binding says', () => {
  it('a user event named 名前 reaches @azure/web-pubsub-express, its ce-eventName percent-encoded UTF-8', async () => {
    const client = await JsonClient.connect(await wsUrl('names'), 'names');
    try {
      const ack = await client.request({ type: 'event', event: '名前', dataType: 'text', data: 'x' }, 1);
      expect(ack).toMatchObject({ success: true });
      const request = await waitFor(() => userEvents[0], 'the user event');
      expect(request.context.eventName).toBe('%E5%90%8D%E5%89%8D');
      expect(decodeURIComponent(request.context.eventName)).toBe('名前');
    } finally {
      await client.close();
    }
  });

  it('ce-type, ce-eventName and ce-userId encode space, " and % too, so one decoding round is exact', async () => {
    const client = await JsonClient.connect(await wsUrl('raw', 'a b%'), 'raw');
    try {
      expect(
        await client.request({ type: 'event', event: 'say "hi" 100%', dataType: 'text', data: 'x' }, 1),
      ).toMatchObject({ success: true });
      const post = await waitFor(() => posts.find((p) => p.path.startsWith('/raw/say')), 'the user event');
      expect(post.headers['ce-eventname']).toBe('say%20%22hi%22%20100%25');
      expect(post.headers['ce-type']).toBe('azure.webpubsub.user.say%20%22hi%22%20100%25');
      expect(post.headers['ce-userid']).toBe('a%20b%25');
    } finally {
      await client.close();
    }
  });

  it.each(['a\r\nb', 'tab\there', 'nul\u0000', 'del\u007f'])(
    'an event name with a control character (%j) is refused with BadRequest, sent nowhere',
    async (event) => {
      const client = await JsonClient.connect(await wsUrl('raw'), 'raw');
      try {
        const before = posts.length;
        const ack = await client.request({ type: 'event', event, dataType: 'text', data: 'x' }, 1);
        expect(ack).toMatchObject({
          success: false,
          error: { name: 'BadRequest', message: expect.stringContaining('control character') },
        });
        expect(await client.request({ type: 'event', event: 'fence', dataType: 'text', data: 'x' }, 2)).toMatchObject({
          success: true,
        });
        expect(
          posts
            .slice(before)
            .filter((p) => String(p.headers['ce-type']).includes('.user.'))
            .map((p) => p.path),
        ).toEqual(['/raw/fence']);
      } finally {
        await client.close();
      }
    },
  );
});

describe('item 10: query and header names that are Object.prototype members', () => {
  it('__proto__, constructor and toString as query and header names connect and reach the connect event', async () => {
    const url = `${await wsUrl('raw', 'proto')}&__proto__=p&constructor=c&toString=t&hasOwnProperty=h`;
    const raw = await RawClient.open(url, 'json.webpubsub.azure.v1', { constructor: 'h1', toString: 'h2' });
    try {
      const connect = await waitFor(
        () => posts.find((p) => p.path === '/raw/connect' && p.headers['ce-userid'] === 'proto'),
        'the connect event',
      );
      const body = JSON.parse(connect.body) as { query: Record<string, string[]>; headers: Record<string, string[]> };
      expect(Object.getOwnPropertyDescriptor(body.query, '__proto__')?.value).toEqual(['p']);
      expect(body.query.constructor).toEqual(['c']);
      expect(body.query.toString).toEqual(['t']);
      expect(body.query.hasOwnProperty).toEqual(['h']);
      expect(body.headers.constructor).toEqual(['h1']);
      expect(body.headers.tostring).toEqual(['h2']);
    } finally {
      await raw.close();
    }
  });
});

describe('item 12: every event carries ce-id and ce-time', () => {
  it('connect, connected, user, gp.joined, gp.left and disconnected all have them', async () => {
    const client = await JsonClient.connect(await wsUrl('raw', 'stamped'), 'stamped');
    const id = client.connectionId;
    const rest = new WebPubSubRestClient(stage.emulator.connectionString, 'raw');
    await rest.group('room').addConnection(id);
    await rest.group('room').removeConnection(id);
    await client.request({ type: 'event', event: 'stamp', dataType: 'text', data: 'x' }, 1);
    await client.close();
    const types = ['sys.connect', 'sys.connected', 'user.stamp', 'gp.joined', 'gp.left', 'sys.disconnected'];
    const mine = () => posts.filter((p) => p.headers['ce-connectionid'] === id);
    await waitFor(
      () => types.every((type) => mine().some((p) => String(p.headers['ce-type']).endsWith(type))) || undefined,
      'all six events',
    );
    for (const type of types) {
      const post = mine().find((p) => String(p.headers['ce-type']).endsWith(type))!;
      expect({ type, id: post.headers['ce-id'], time: post.headers['ce-time'] }).toEqual({
        type,
        id: expect.stringMatching(/^\S+$/),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      });
    }
  });
});
