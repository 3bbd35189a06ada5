import { beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../../lib/index.js';
import type { WebPubSubEmulatorOptions } from '../../../lib/emulator/index.js';
import { JsonClient, type JsonFrame } from '../../support/json-client.js';
import { RawClient } from '../../support/raw-client.js';
import { ceSignature } from '../../support/upstream-events.js';
import { allowAnyOrigin, useUpstreamStage, type CapturedRequest } from './upstream-helpers.js';

/**
 * The wire format of upstream events, as a plain node:http receiver sees it: CloudEvents binary
 * mode headers (reference §4 table), bodies and content types, and ce-signature checked against
 * an HMAC computed here with node:crypto.
 */
const PRIMARY_KEY = 'primary-key-0123456789abcdefghijklmnopqrstuv';
const SECONDARY_KEY = 'secondary-key-zyxwvutsrqponmlkjihgfedcba98';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Answers like a handler: connect picks json.webpubsub.azure.v1 when offered and sets state; user events echo their body; the rest 204. */
function respond(request: CapturedRequest, response: import('node:http').ServerResponse): void {
  if (request.method === 'OPTIONS') return allowAnyOrigin(response);
  const type = String(request.headers['ce-type']);
  if (type === 'azure.webpubsub.sys.connect') {
    const offered = (JSON.parse(request.body.toString('utf8')) as { subprotocols: string[] }).subprotocols;
    response.writeHead(200, { 'Content-Type': 'application/json', 'ce-connectionState': 'c3RhdGUtZnJvbS1jb25uZWN0' });
    return void response.end(
      JSON.stringify(offered.includes('json.webpubsub.azure.v1') ? { subprotocol: 'json.webpubsub.azure.v1' } : {}),
    );
  }
  if (type === 'azure.webpubsub.user.remember')
    return void response.writeHead(204, { 'ce-connectionState': 'bmV3LXN0YXRl' }).end();
  if (type.startsWith('azure.webpubsub.user.'))
    return void response.writeHead(200, { 'Content-Type': String(request.headers['content-type']) }).end(request.body);
  response.writeHead(204).end();
}

/** The emulator's options: every event of hub `chat` to the receiver on `port`. */
function emulatorOptions(port: number, secondaryAccessKey?: string): WebPubSubEmulatorOptions {
  return {
    accessKey: PRIMARY_KEY,
    secondaryAccessKey,
    hubs: {
      chat: {
        eventHandlers: [
          {
            urlTemplate: `http://127.0.0.1:${port}/upstream/{hub}/{event}`,
            userEventPattern: '*',
            systemEvents: ['connect', 'connected', 'disconnected'],
          },
        ],
      },
    },
  };
}

describe('upstream CloudEvents on the wire', () => {
  const stage = useUpstreamStage(respond, (port) => emulatorOptions(port));
  let rest: WebPubSubRestClient;
  let client: JsonClient;
  let connectionId: string;
  let replies: JsonFrame[];

  beforeAll(async () => {
    rest = new WebPubSubRestClient(stage.emulator.connectionString, 'chat');
    const { url } = await rest.getClientAccessToken({ userId: 'u1' });
    // Offers both JSON subprotocols; the connect response chooses the plain JSON one.
    client = await JsonClient.connect(`${url}&extra=1&extra=2`, 'the client', [
      'json.reliable.webpubsub.azure.v1',
      'json.webpubsub.azure.v1',
    ]);
    stage.defer(() => client.close());
    connectionId = client.connectionId;
    // One user event of each dataType, then one that replaces the connection state.
    for (const [ackId, dataType, data] of [
      [1, 'json', { a: 1 }],
      [2, 'text', 'hi'],
      [3, 'binary', 'AAEC+g=='],
    ] as const) {
      await client.request({ type: 'event', event: 'echo', dataType, data }, ackId);
    }
    await client.request({ type: 'event', event: 'remember', dataType: 'text', data: '' }, 4);
    replies = client.frames.filter((f) => f.type === 'message');
    await rest.closeConnection(connectionId, { reason: 'closed by the test' });
    await stage.receiver.requests.waitFor(
      (r) => String(r.headers['ce-type']).endsWith('sys.disconnected'),
      'the disconnected event',
    );
    expect(client.raw.ws.protocol).toBe('json.webpubsub.azure.v1');
  });

  const one = (type: string): CapturedRequest => {
    const found = stage.receiver.posts(type, connectionId);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('sends the handshake to the {event}=validate URL before any event, with no signature', () => {
    const [first] = stage.receiver.requests.items;
    expect(first.method).toBe('OPTIONS');
    expect(first.path).toBe('/upstream/chat/validate');
    expect(first.headers['webhook-request-origin']).toBe(new URL(stage.emulator.endpoint).host);
    expect(first.headers['ce-awpsversion']).toBe('1.0');
    expect(first.headers['ce-signature']).toBeUndefined();
    expect(stage.receiver.requests.items.filter((r) => r.method === 'OPTIONS')).toHaveLength(1);
  });

  it('sends connect with every CloudEvents header and the documented body', () => {
    const connect = one('sys.connect');
    expect(connect.path).toBe('/upstream/chat/connect');
    expect(connect.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-awpsversion': '1.0',
      'ce-type': 'azure.webpubsub.sys.connect',
      'ce-source': `/hubs/chat/client/${connectionId}`,
      'ce-hub': 'chat',
      'ce-connectionid': connectionId,
      'ce-eventname': 'connect',
      'ce-userid': 'u1',
      'webhook-request-origin': new URL(stage.emulator.endpoint).host,
      'content-type': 'application/json; charset=utf-8',
    });
    expect(connect.headers['ce-id']).toEqual(expect.any(String));
    expect(String(connect.headers['ce-time'])).toMatch(ISO_UTC);
    expect(Math.abs(Date.parse(String(connect.headers['ce-time'])) - Date.now())).toBeLessThan(60_000);
    const body = JSON.parse(connect.body.toString('utf8'));
    expect(Object.keys(body).sort()).toEqual(['claims', 'clientCertificates', 'headers', 'query', 'subprotocols']);
    expect(body.claims.sub).toEqual(['u1']);
    expect(body.query).toEqual({ extra: ['1', '2'] });
    expect(body.subprotocols).toEqual(['json.reliable.webpubsub.azure.v1', 'json.webpubsub.azure.v1']);
    expect(Object.keys(body.headers).map((name) => name.toLowerCase())).not.toContain('authorization');
    expect(Object.values(body.headers).every((value) => Array.isArray(value))).toBe(true);
    expect(connect.body.toString('utf8')).not.toContain('access_token');
  });

  it('sends connected with the chosen subprotocol and the state set by connect', () => {
    const connected = one('sys.connected');
    expect(connected.headers).toMatchObject({
      'ce-type': 'azure.webpubsub.sys.connected',
      'ce-eventname': 'connected',
      'ce-subprotocol': 'json.webpubsub.azure.v1',
      'ce-connectionstate': 'c3RhdGUtZnJvbS1jb25uZWN0',
      'ce-userid': 'u1',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(JSON.parse(connected.body.toString('utf8'))).toEqual({});
  });

  it('returns each user event reply to the client with the dataType of its content type', () => {
    expect(replies).toEqual([
      { type: 'message', from: 'server', dataType: 'json', data: { a: 1 } },
      { type: 'message', from: 'server', dataType: 'text', data: 'hi' },
      { type: 'message', from: 'server', dataType: 'binary', data: 'AAEC+g==' },
    ]);
  });

  it('sends user events with the payload and the content type of their dataType', () => {
    const echoes = stage.receiver.posts('user.echo', connectionId);
    expect(echoes.map((r) => [r.headers['content-type'], [...r.body]])).toEqual([
      ['application/json', [...Buffer.from('{"a":1}')]],
      ['text/plain', [...Buffer.from('hi')]],
      ['application/octet-stream', [0, 1, 2, 250]],
    ]);
    for (const echo of echoes) {
      expect(echo.path).toBe('/upstream/chat/echo');
      expect(echo.headers).toMatchObject({
        'ce-type': 'azure.webpubsub.user.echo',
        'ce-eventname': 'echo',
        'ce-source': `/hubs/chat/client/${connectionId}`,
        'ce-connectionstate': 'c3RhdGUtZnJvbS1jb25uZWN0',
      });
    }
  });

  it('sends disconnected with the close reason and the state a user event set', () => {
    const disconnected = one('sys.disconnected');
    expect(disconnected.headers).toMatchObject({
      'ce-type': 'azure.webpubsub.sys.disconnected',
      'ce-eventname': 'disconnected',
      'ce-connectionstate': 'bmV3LXN0YXRl',
    });
    expect(JSON.parse(disconnected.body.toString('utf8'))).toEqual({ reason: 'closed by the test' });
  });

  it('gives every event of a connection its own ce-id', () => {
    const ids = stage.receiver.posts('', connectionId).map((r) => r.headers['ce-id']);
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('signs every event with sha256=HMAC-SHA256(access key, connection id)', () => {
    const posts = stage.receiver.posts('', connectionId);
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) expect(post.headers['ce-signature']).toBe(ceSignature(PRIMARY_KEY, connectionId));
  });

  it('omits ce-userId for an anonymous client', async () => {
    const { url } = await rest.getClientAccessToken();
    const anonymous = await JsonClient.connect(url, 'the anonymous client');
    const id = anonymous.connectionId;
    const connected = await stage.receiver.requests.waitFor(
      (r) => r.headers['ce-connectionid'] === id && String(r.headers['ce-type']).endsWith('sys.connected'),
      'connected event',
    );
    await anonymous.close();
    expect(stage.receiver.posts('sys.connect', id)[0].headers['ce-userid']).toBeUndefined();
    expect(connected.headers['ce-userid']).toBeUndefined();
  });
});

describe('user events from a simple WebSocket client', () => {
  const stage = useUpstreamStage(respond, (port) => emulatorOptions(port));

  it('sends each frame as user event "message" (text/plain or octet-stream) and returns the reply raw', async () => {
    const { url } = await new WebPubSubRestClient(stage.emulator.connectionString, 'chat').getClientAccessToken({
      userId: 'plain',
    });
    const client = await RawClient.open(url);
    stage.defer(() => client.close());
    client.send('hello');
    client.send(Buffer.from([9, 8, 7]));
    const replies: Array<[boolean, string]> = [];
    for (const what of ['the text reply', 'the binary reply']) {
      const { isBinary, data } = await client.next(what);
      replies.push([isBinary, isBinary ? (data as Buffer).toString('hex') : (data as string)]);
    }
    await client.close();
    expect(replies).toEqual([
      [false, 'hello'],
      [true, '090807'],
    ]);
    const messages = stage.receiver.requests.items.filter(
      (r) => r.headers['ce-type'] === 'azure.webpubsub.user.message',
    );
    expect(messages.map((r) => [r.headers['ce-eventname'], r.headers['content-type'], r.body.toString('hex')])).toEqual(
      [
        ['message', 'text/plain', Buffer.from('hello').toString('hex')],
        ['message', 'application/octet-stream', '090807'],
      ],
    );
    expect(messages[0].headers['ce-subprotocol']).toBeUndefined();
  });
});

describe('ce-signature with a secondary access key', () => {
  const stage = useUpstreamStage(respond, (port) => emulatorOptions(port, SECONDARY_KEY));

  it('carries one signature per key, primary first, comma-separated', async () => {
    const { url } = await new WebPubSubRestClient(stage.emulator.connectionString, 'chat').getClientAccessToken({
      userId: 'u2',
    });
    const client = await JsonClient.connect(url, 'the client');
    const id = client.connectionId;
    await client.close();
    const disconnected = await stage.receiver.requests.waitFor(
      (r) => r.headers['ce-connectionid'] === id && String(r.headers['ce-type']).endsWith('sys.disconnected'),
      'disconnected event',
    );
    const expected = `${ceSignature(PRIMARY_KEY, id)},${ceSignature(SECONDARY_KEY, id)}`;
    expect(disconnected.headers['ce-signature']).toBe(expected);
    expect(stage.receiver.posts('sys.connect', id)[0].headers['ce-signature']).toBe(expected);
  });
});
