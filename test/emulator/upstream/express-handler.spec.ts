import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SendMessageError, WebPubSubJsonProtocol, type WebPubSubClientOptions } from '@azure/web-pubsub-client';
import {
  WebPubSubEventHandler,
  type ConnectRequest,
  type ConnectedRequest,
  type DisconnectedRequest,
  type UserEventRequest,
} from '@azure/web-pubsub-express';
import express from 'express';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { closeServer, listenOnLoopback } from '../../support/loopback-server.js';
import { startOfficialClient, type OfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';
import { EventLog } from './upstream-helpers.js';

/**
 * The official @azure/web-pubsub-express receiver, mounted in an Express 5 app, takes the
 * emulator's upstream events unchanged. Each client picks the connect handler's behaviour with a
 * `mode` query parameter, which also proves the query reaches the connect event.
 */
describe('upstream events to @azure/web-pubsub-express', () => {
  let server: http.Server;
  /** The app's port, known before the emulator starts so its event handler URLs can name it. */
  let port: number;
  let rest: WebPubSubRestClient;
  const seen = new EventLog<{ method: string; path: string; origin?: string; allowedOrigin?: string | string[] }>();
  const connects = new EventLog<ConnectRequest>();
  const connected = new EventLog<ConnectedRequest>();
  const userEvents = new EventLog<UserEventRequest>();
  const disconnected = new EventLog<DisconnectedRequest>();
  let guarded: express.RequestHandler | undefined;

  const chat = new WebPubSubEventHandler('chat', {
    path: '/eventhandler',
    handleConnect(request, response) {
      connects.push(request);
      const mode = request.query?.mode?.[0];
      if (mode === 'reject') return response.fail(401, 'not you');
      if (mode === 'default') return response.success();
      response.setState('visits', 1);
      response.success({ userId: 'assigned-user', groups: ['assigned-group'], roles: ['webpubsub.joinLeaveGroup'] });
    },
    onConnected: (request) => connected.push(request),
    handleUserEvent(request, response) {
      userEvents.push(request);
      if (request.context.eventName === 'boom') return response.fail(500, 'handler failed');
      if (request.dataType === 'json') return response.success(JSON.stringify({ echo: request.data }), 'json');
      if (request.dataType === 'text') return response.success(`echo:${request.data as string}`, 'text');
      // Typed as ArrayBuffer, but the SDK hands over a Buffer and writes the reply with res.end(), which needs one.
      const reply = Buffer.concat([Buffer.from([0xff]), Buffer.from(request.data as ArrayBuffer)]);
      return response.success(reply as unknown as ArrayBuffer, 'binary');
    },
    onDisconnected: (request) => disconnected.push(request),
  });

  beforeAll(async () => {
    const app = express();
    // Record what reaches the app (and what the handler answered) before the SDK middleware runs.
    app.use((req, res, next) => {
      res.on('finish', () =>
        seen.push({
          method: req.method,
          path: req.path,
          origin: req.get('webhook-request-origin'),
          allowedOrigin: res.getHeader('webhook-allowed-origin') as string | string[] | undefined,
        }),
      );
      next();
    });
    app.use(chat.getMiddleware());
    // Handlers whose allowedEndpoints need the emulator's address, known only once it has started.
    app.use((req, res, next) => (guarded ? guarded(req, res, next) : next()));
    server = http.createServer(app);
    port = await listenOnLoopback(server);
  });
  const stage = useEmulator(() => ({
    hubs: {
      chat: {
        eventHandlers: [
          {
            urlTemplate: `http://127.0.0.1:${port}/eventhandler/{event}`,
            userEventPattern: '*',
            systemEvents: ['connect', 'connected', 'disconnected'],
          },
        ],
      },
      allowed: {
        eventHandlers: [
          { urlTemplate: `http://127.0.0.1:${port}/allowed/{event}`, systemEvents: ['connect', 'connected'] },
        ],
      },
      denied: {
        eventHandlers: [
          { urlTemplate: `http://127.0.0.1:${port}/denied/{event}`, systemEvents: ['connect', 'connected'] },
        ],
      },
    },
  }));
  // Declared after useEmulator: the app's server closes once the emulator has stopped.
  afterAll(() => server && closeServer(server));

  beforeAll(() => {
    const { emulator } = stage;
    rest = new WebPubSubRestClient(emulator.connectionString, 'chat');
    const allowed = new WebPubSubEventHandler('allowed', {
      path: '/allowed',
      allowedEndpoints: [emulator.endpoint],
      onConnected: (r) => connected.push(r),
    });
    const denied = new WebPubSubEventHandler('denied', {
      path: '/denied',
      allowedEndpoints: ['http://elsewhere.example:4000'],
      onConnected: (r) => connected.push(r),
    });
    const middlewares = [allowed.getMiddleware(), denied.getMiddleware()];
    guarded = (req, res, next) => middlewares[0](req, res, () => middlewares[1](req, res, next));
  });

  /**
   * The reliable protocol's sequence-ack loop leaves its last delay (up to 40 s) running after
   * stop(), which would hold Jest open: use the non-reliable JSON protocol (keep-alives are off too).
   */
  const quiet: WebPubSubClientOptions = { autoReconnect: false, protocol: WebPubSubJsonProtocol() };

  /** A client URL with a token for `token-user` and no roles; `mode` steers the connect handler. */
  async function modeUrl(mode: string): Promise<string> {
    const { url } = await rest.getClientAccessToken({ userId: 'token-user', roles: [] });
    return `${url}&mode=${mode}`;
  }

  /** A started official client, stopped after the test. */
  async function started(url: string): Promise<OfficialClient> {
    const client = await startOfficialClient(url, quiet);
    stage.defer(() => client.stop());
    return client;
  }

  it('passes the abuse-protection handshake before any event', async () => {
    await started(await modeUrl('assign'));
    const options = await seen.waitFor((r) => r.method === 'OPTIONS', 'the OPTIONS handshake');
    expect(options.path).toBe('/eventhandler/validate');
    expect(options.origin).toBe(new URL(stage.emulator.endpoint).host);
    expect(options.allowedOrigin).toBe('*');
    expect(seen.items.findIndex((r) => r.method === 'OPTIONS')).toBeLessThan(
      seen.items.findIndex((r) => r.method === 'POST'),
    );
  });

  it('honours allowedEndpoints: only the emulator host passes the handshake', async () => {
    const allowedUrl = (await rest.hub('allowed').getClientAccessToken()).url;
    const { connectionId } = await started(allowedUrl);
    await connected.waitFor(
      (r) => r.context.connectionId === connectionId && r.context.hub === 'allowed',
      'onConnected on the allowed hub',
    );
    expect(seen.items.find((r) => r.method === 'OPTIONS' && r.path === '/allowed/validate')?.allowedOrigin).toEqual([
      new URL(stage.emulator.endpoint).host,
    ]);

    await expect(startOfficialClient((await rest.hub('denied').getClientAccessToken()).url, quiet)).rejects.toThrow();
    expect(seen.items.find((r) => r.method === 'OPTIONS' && r.path === '/denied/validate')?.allowedOrigin).toEqual([
      'elsewhere.example:4000',
    ]);
    expect(seen.items.filter((r) => r.path.startsWith('/denied/') && r.method === 'POST')).toEqual([]);
  });

  it('gives handleConnect the claims, query and subprotocols, without the token', async () => {
    const { connectionId } = await started(await modeUrl('assign'));
    const request = await connects.waitFor((r) => r.context.connectionId === connectionId, 'the connect event');
    expect(request.context.hub).toBe('chat');
    expect(request.context.userId).toBe('token-user');
    expect(request.claims?.sub).toEqual(['token-user']);
    expect(request.query).toEqual({ mode: ['assign'] });
    expect(request.subprotocols).toEqual(['json.webpubsub.azure.v1']);
    expect(Object.keys(request.headers ?? {}).map((name) => name.toLowerCase())).not.toContain('authorization');
    expect(JSON.stringify(request)).not.toContain('access_token');
  });

  it('honours the userId, groups and roles of the connect response', async () => {
    const { client, connectionId, userId, group } = await started(await modeUrl('assign'));
    expect(userId).toBe('assigned-user');
    expect(stage.emulator.connections('chat').find((c) => c.connectionId === connectionId)).toMatchObject({
      userId: 'assigned-user',
      groups: ['assigned-group'],
    });
    await rest.group('assigned-group').sendToAll('to the assigned group', { contentType: 'text/plain' });
    await waitFor(() => group[0], 'a message to the assigned group');
    expect(group.map((message) => ({ group: message.group, data: message.data }))).toEqual([
      { group: 'assigned-group', data: 'to the assigned group' },
    ]);
    // The token gave no roles; the response's webpubsub.joinLeaveGroup is what lets this succeed.
    await expect(client.joinGroup('another-group')).resolves.toBeDefined();
    expect(
      stage.emulator
        .connections('chat')
        .find((c) => c.connectionId === connectionId)
        ?.groups.sort(),
    ).toEqual(['another-group', 'assigned-group']);
  });

  it('keeps the token identity when handleConnect answers with no body (204)', async () => {
    const { client, userId } = await started(await modeUrl('default'));
    expect(userId).toBe('token-user');
    // Token roles were empty, so joining is forbidden.
    const error = await client.joinGroup('g').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as SendMessageError).errorDetail?.name).toBe('Forbidden');
  });

  it('calls onConnected with the connection state set during connect', async () => {
    const { connectionId } = await started(await modeUrl('assign'));
    const request = await connected.waitFor((r) => r.context.connectionId === connectionId, 'onConnected');
    expect(request.context.userId).toBe('assigned-user');
    expect(request.context.states).toEqual({ visits: 1 });
  });

  it('rejects the client when handleConnect fails, with no connected or disconnected event', async () => {
    // A failed start() leaves the client stopped (it emits no `stopped` event), so nothing to clean up.
    await expect(startOfficialClient(await modeUrl('reject'), quiet)).rejects.toThrow();
    const rejected = await connects.waitFor((r) => r.query?.mode?.[0] === 'reject', 'the rejected connect');
    const rejectedId = rejected.context.connectionId;
    expect(stage.emulator.connections('chat').map((c) => c.connectionId)).not.toContain(rejectedId);
    // A later accepted client's whole lifecycle serves as a barrier for anything the rejected one might have caused.
    const { connectionId } = await started(await modeUrl('assign'));
    await rest.closeConnection(connectionId);
    await disconnected.waitFor((r) => r.context.connectionId === connectionId, 'the barrier disconnected event');
    expect(connected.items.map((r) => r.context.connectionId)).not.toContain(rejectedId);
    expect(disconnected.items.map((r) => r.context.connectionId)).not.toContain(rejectedId);
  });

  it.each([
    ['json', { n: 1, list: ['a'] }, { echo: { n: 1, list: ['a'] } }],
    ['text', 'hello', 'echo:hello'],
  ] as const)(
    'sends a %s user event to handleUserEvent and its reply back to the client',
    async (dataType, data, reply) => {
      const { client, connectionId, server } = await started(await modeUrl('assign'));
      await client.sendEvent('echo', data, dataType);
      const request = await userEvents.waitFor((r) => r.context.connectionId === connectionId, 'handleUserEvent');
      expect(request).toMatchObject({
        dataType,
        data,
        context: { eventName: 'echo', userId: 'assigned-user', states: { visits: 1 } },
      });
      // The reply is delivered before the ack that resolved sendEvent.
      expect(server.map((message) => ({ dataType: message.dataType, data: message.data }))).toEqual([
        { dataType, data: reply },
      ]);
    },
  );

  it('sends a binary user event as bytes and returns binary bytes', async () => {
    const { client, connectionId, server: replies } = await started(await modeUrl('assign'));
    await client.sendEvent('echo', new Uint8Array([0, 1, 2, 250]).buffer, 'binary');
    const request = await userEvents.waitFor((r) => r.context.connectionId === connectionId, 'handleUserEvent');
    expect(request.dataType).toBe('binary');
    expect(Buffer.isBuffer(request.data)).toBe(true);
    expect([...Buffer.from(request.data as ArrayBuffer)]).toEqual([0, 1, 2, 250]);
    expect(replies).toHaveLength(1);
    expect(replies[0].dataType).toBe('binary');
    expect([...new Uint8Array(replies[0].data as ArrayBuffer)]).toEqual([0xff, 0, 1, 2, 250]);
  });

  it('rejects sendEvent with InternalServerError when handleUserEvent fails', async () => {
    const { client } = await started(await modeUrl('assign'));
    const error = await client.sendEvent('boom', 'x', 'text').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SendMessageError);
    expect((error as SendMessageError).errorDetail?.name).toBe('InternalServerError');
  });

  it('calls onDisconnected with the reason given to closeConnection', async () => {
    const { connectionId, disconnected: clientSide } = await started(await modeUrl('assign'));
    await rest.closeConnection(connectionId, { reason: 'maintenance window' });
    const request = await disconnected.waitFor((r) => r.context.connectionId === connectionId, 'onDisconnected');
    expect(request.reason).toBe('maintenance window');
    expect(request.context.states).toEqual({ visits: 1 });
    expect((await waitFor(() => clientSide[0], 'the client disconnected event')).message?.message).toBe(
      'maintenance window',
    );
  });
});
