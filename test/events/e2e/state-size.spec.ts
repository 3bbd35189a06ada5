import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SendMessageError, WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { WebPubSubEventHandler } from '@azure/web-pubsub-express';
import express from 'express';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { closeServer, listenOnLoopback } from '../../support/loopback-server.js';
import { startOfficialClient } from '../../support/official-client.js';
import { waitFor } from '../../support/wait-for.js';

/*
 * Issue 23 point 6, the emulator's half: an app that sets connection state over the limit (here the
 * official @azure/web-pubsub-express, which sets any size) is refused by the emulator with a message
 * naming the limit, and the connection keeps working: later events and `disconnected` still arrive.
 */
describe('connection state over the limit, through the emulator', () => {
  let server: http.Server;
  let port: number;
  const events: string[] = [];
  const chat = new WebPubSubEventHandler('chat', {
    path: '/eventhandler',
    handleConnect(request, response) {
      if (request.query?.big?.[0]) response.setState('blob', 'x'.repeat(7000));
      response.success();
    },
    handleUserEvent(request, response) {
      events.push(request.context.eventName);
      if (request.context.eventName === 'big') response.setState('blob', 'x'.repeat(7000));
      response.success('ok', 'text');
    },
    onDisconnected: (request) => events.push(`disconnected ${request.context.connectionId}`),
  });
  beforeAll(async () => {
    const app = express();
    app.use(chat.getMiddleware());
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
            systemEvents: ['connect', 'disconnected'],
          },
        ],
      },
    },
  }));
  afterAll(() => server && closeServer(server));

  const url = async (query = '') =>
    `${(await new WebPubSubRestClient(stage.emulator.connectionString, 'chat').getClientAccessToken({ userId: 'u' })).url}${query}`;

  it('refuses a user event answer that sets it, naming the limit; later events and disconnected still arrive', async () => {
    const started = await startOfficialClient(await url(), { protocol: WebPubSubJsonProtocol() });
    const error = await started.client.sendEvent('big', 'x', 'text').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SendMessageError);
    expect((error as SendMessageError).errorDetail?.message).toMatch(/over the limit of 8192 bytes/);
    await started.client.sendEvent('after', 'x', 'text');
    await started.stop();
    await waitFor(() => events.includes(`disconnected ${started.connectionId}`), 'disconnected');
    expect(events.filter((name) => !name.startsWith('disconnected'))).toEqual(['big', 'after']);
  });

  it('refuses a connect answer that sets it', async () => {
    await expect(startOfficialClient(await url('&big=1'), { protocol: WebPubSubJsonProtocol() })).rejects.toThrow();
  });
});
