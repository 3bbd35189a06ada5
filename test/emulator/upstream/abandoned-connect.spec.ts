import { describe, expect, it } from '@jest/globals';
import type http from 'node:http';
import WebSocket from 'ws';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { allowAnyOrigin, useUpstreamStage } from './upstream-helpers.js';

/*
 * A client that leaves while the connect handler is still deciding. Like the service, the emulator
 * ends every accepted connect with `disconnected` (so the handler can release what it set up), and
 * sends no `connected` for a connection that never opened.
 */
/** 'stopped', or 'still running' if stop() has not finished within 3 s. */
function stopsPromptly(emulator: WebPubSubEmulator): Promise<string> {
  return Promise.race([
    emulator.stop().then(() => 'stopped'),
    new Promise<string>((resolve) => setTimeout(resolve, 3000, 'still running')),
  ]);
}

describe('a client that leaves during its connect event', () => {
  /** The held answer to the connect event, released by the test. */
  let answerConnect: ((status: number) => void) | undefined;

  const stage = useUpstreamStage(
    (request, response: http.ServerResponse) => {
      if (request.method === 'OPTIONS') return allowAnyOrigin(response);
      if (String(request.headers['ce-type']).endsWith('sys.connect')) {
        answerConnect = (status) => response.writeHead(status).end();
        return;
      }
      response.writeHead(204).end();
    },
    (port) => ({
      upstreamRetryDelaysMs: [],
      hubs: {
        chat: {
          eventHandlers: [
            { urlTemplate: `http://127.0.0.1:${port}/{event}`, systemEvents: ['connect', 'connected', 'disconnected'] },
          ],
        },
      },
    }),
  );

  it('gets disconnected (with a reason) and no connected when the handler then accepts', async () => {
    const { url } = await new WebPubSubRestClient(stage.emulator.connectionString, 'chat').getClientAccessToken({
      userId: 'quitter',
    });
    const client = new WebSocket(url, 'json.webpubsub.azure.v1');
    client.on('error', () => undefined);
    const connect = await stage.receiver.requests.waitFor(
      (request) => String(request.headers['ce-type']).endsWith('sys.connect'),
      'the connect event',
    );
    const connectionId = String(connect.headers['ce-connectionid']);

    const closed = new Promise((resolve) => client.once('close', resolve));
    client.terminate();
    await closed;
    // Time for the client's FIN to reach the emulator's end of the socket on loopback.
    await new Promise((resolve) => setTimeout(resolve, 100));
    answerConnect!(204);

    const disconnected = await stage.receiver.requests.waitFor(
      (request) =>
        String(request.headers['ce-type']).endsWith('sys.disconnected') &&
        request.headers['ce-connectionid'] === connectionId,
      'the disconnected event',
    );
    expect(disconnected.headers['ce-userid']).toBe('quitter');
    expect(JSON.parse(disconnected.body.toString('utf8'))).toEqual({
      reason: 'The client closed the connection before the connect event handler answered.',
    });
    expect(stage.receiver.posts('sys.connected', connectionId)).toEqual([]);
    expect(stage.emulator.connections('chat')).toEqual([]);
    // The abandoned socket is closed too: a half-closed one would keep stop() (and the test run) waiting.
    await expect(stopsPromptly(stage.emulator)).resolves.toBe('stopped');
  });

  it('does not keep stop() waiting for a connect event still in flight', async () => {
    const pending = await WebPubSubEmulator.start({
      hubs: {
        chat: {
          eventHandlers: [
            { urlTemplate: `http://127.0.0.1:${stage.receiver.port}/{event}`, systemEvents: ['connect'] },
          ],
        },
      },
    });
    const { url } = await new WebPubSubRestClient(pending.connectionString, 'chat').getClientAccessToken({
      userId: 'waiter',
    });
    const client = new WebSocket(url, 'json.webpubsub.azure.v1');
    client.on('error', () => undefined);
    const before = stage.receiver.posts('sys.connect').length;
    await stage.receiver.requests.waitFor(
      () => stage.receiver.posts('sys.connect').length > before,
      'the second connect event',
    );
    await expect(stopsPromptly(pending)).resolves.toBe('stopped');
    answerConnect!(204);
  });
});
