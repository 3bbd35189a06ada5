import { describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { JsonClient } from '../../support/json-client.js';
import { JSON_PROTOCOL, refusalStatus } from '../../support/raw-client.js';
import { allowAnyOrigin, recordingLogger, useUpstreamStage } from './upstream-helpers.js';

/**
 * Which handler gets which event (userEventPattern, systemEvents, first match wins), retries of
 * non-blocking events, and connect answers that refuse the client. One receiver; the first path
 * segment names the handler.
 */
describe('upstream routing, retries and refusals', () => {
  const logger = recordingLogger();
  const connectedAttempts = new Map<string, number>();

  const stage = useUpstreamStage(
    (request, response) => {
      if (request.method === 'OPTIONS') return allowAnyOrigin(response);
      const type = String(request.headers['ce-type']);
      const id = String(request.headers['ce-connectionid']);
      if (request.path.startsWith('/retry/')) {
        // connected fails once per connection; disconnected and user events always fail.
        const attempt = (connectedAttempts.get(id) ?? 0) + 1;
        if (type.endsWith('sys.connected')) connectedAttempts.set(id, attempt);
        return void response.writeHead(type.endsWith('sys.connected') && attempt > 1 ? 204 : 503).end();
      }
      if (request.path.startsWith('/gate/') && type.endsWith('sys.connect')) {
        const status = (JSON.parse(request.body.toString('utf8')) as { query: Record<string, string[]> }).query
          .status?.[0];
        return void response
          .writeHead(status ? Number(status) : 204)
          .end(status ? 'refused by the handler' : undefined);
      }
      response.writeHead(204).end();
    },
    (port) => {
      const base = `http://127.0.0.1:${port}`;
      return {
        logger,
        upstreamRetryDelaysMs: [20, 20],
        hubs: {
          routed: {
            eventHandlers: [
              { urlTemplate: `${base}/first/{event}`, userEventPattern: 'a,b', systemEvents: ['connected'] },
              { urlTemplate: `${base}/second/{event}`, userEventPattern: '*', systemEvents: ['disconnected'] },
            ],
          },
          picky: { eventHandlers: [{ urlTemplate: `${base}/picky/{event}`, userEventPattern: 'only' }] },
          ...Object.fromEntries(
            ['retryConnected', 'retryBlocking'].map((hub) => [
              hub,
              {
                eventHandlers: [
                  {
                    urlTemplate: `${base}/retry/{hub}/{event}`,
                    userEventPattern: '*',
                    systemEvents: ['connected', 'disconnected'],
                  },
                ],
              },
            ]),
          ),
          gate: {
            eventHandlers: [
              { urlTemplate: `${base}/gate/{event}`, systemEvents: ['connect', 'connected', 'disconnected'] },
            ],
          },
        },
      };
    },
  );

  const rest = (hub: string) => new WebPubSubRestClient(stage.emulator.connectionString, hub);
  const posts = (prefix: string, connectionId: string) =>
    stage.receiver.requests.items
      .filter((r) => r.method === 'POST' && r.path.startsWith(prefix) && r.headers['ce-connectionid'] === connectionId)
      .map((r) => r.path);
  const awaitPost = (path: string, connectionId: string) =>
    stage.receiver.requests.waitFor(
      (r) => r.method === 'POST' && r.path === path && r.headers['ce-connectionid'] === connectionId,
      `POST ${path} for ${connectionId}`,
    );

  async function connect(
    hub: string,
    options: Parameters<WebPubSubRestClient['getClientAccessToken']>[0] = {},
    query = '',
  ) {
    const { url } = await rest(hub).getClientAccessToken(options);
    const client = await JsonClient.connect(url + query, `a client of ${hub}`);
    let ackId = 0;
    /** Sends a JSON-subprotocol event and resolves with its ack. */
    const sendEvent = (event: string) =>
      client.request({ type: 'event', event, dataType: 'text', data: event }, ++ackId);
    const { userId } = client.frames.find((frame) => frame.event === 'connected')!;
    return { client, connectionId: client.connectionId, userId, sendEvent };
  }

  it('routes each event to the first handler that takes it, and sends no connect without a connect handler', async () => {
    const client = await connect('routed', { userId: 'token-user', groups: ['token-group'] });
    // With no connect handler the token decides identity and groups.
    expect(client.userId).toBe('token-user');
    expect(stage.emulator.connections('routed').find((c) => c.connectionId === client.connectionId)?.groups).toEqual([
      'token-group',
    ]);
    for (const event of ['a', 'b', 'c']) expect(await client.sendEvent(event)).toMatchObject({ success: true });
    await rest('routed').closeConnection(client.connectionId);
    await awaitPost('/second/disconnected', client.connectionId);
    await awaitPost('/first/connected', client.connectionId);
    expect(posts('/first/', client.connectionId).sort()).toEqual(['/first/a', '/first/b', '/first/connected']);
    expect(posts('/second/', client.connectionId).sort()).toEqual(['/second/c', '/second/disconnected']);
    await client.client.close();
  });

  it('fails a user event no pattern matches (ack InternalServerError) without calling any handler', async () => {
    const client = await connect('picky');
    expect(await client.sendEvent('other')).toMatchObject({ success: false, error: { name: 'InternalServerError' } });
    expect(await client.sendEvent('only')).toMatchObject({ success: true });
    await client.client.close();
    // No systemEvents: only the matching user event reached the handler.
    expect(posts('/picky/', client.connectionId)).toEqual(['/picky/only']);
  });

  it('retries connected after a 503 until the handler accepts it', async () => {
    const client = await connect('retryConnected');
    const attempts = () =>
      stage.receiver.requests.items.filter(
        (r) => r.path === '/retry/retryConnected/connected' && r.headers['ce-connectionid'] === client.connectionId,
      );
    await stage.receiver.requests.waitFor(() => attempts().length === 2, 'the retried connected event');
    await client.client.close();
    // The disconnected event (always 503 here) being given up on is a barrier for a wrong third connected attempt.
    await logger.lines.waitFor(
      (line) => line.includes('/retry/retryConnected/disconnected'),
      'the logged disconnected failure',
    );
    expect(attempts()).toHaveLength(2);
    // A retry carries the same event.
    expect(attempts()[1].headers['ce-id']).toBe(attempts()[0].headers['ce-id']);
  });

  it('does not retry a blocking user event, and gives up on disconnected after the configured retries', async () => {
    const client = await connect('retryBlocking');
    expect(await client.sendEvent('busy')).toMatchObject({ success: false, error: { name: 'InternalServerError' } });
    // The ack comes after the only attempt of a blocking event.
    expect(posts('/retry/retryBlocking/busy', client.connectionId)).toEqual(['/retry/retryBlocking/busy']);
    await client.client.close();
    const line = await logger.lines.waitFor(
      (l) => l.includes('/retry/retryBlocking/disconnected'),
      'the logged disconnected failure',
    );
    expect(line).toContain('503');
    // One attempt plus one retry per configured delay.
    expect(posts('/retry/retryBlocking/disconnected', client.connectionId)).toHaveLength(3);
  });

  it.each([400, 401, 403])(
    'refuses the upgrade with %i when connect answers it, and sends nothing after',
    async (status) => {
      const { url } = await rest('gate').getClientAccessToken({ userId: 'u' });
      expect(await refusalStatus(`${url}&status=${status}`, JSON_PROTOCOL)).toBe(status);
      const rejected = await stage.receiver.requests.waitFor(
        (r) => r.path === '/gate/connect' && r.body.toString('utf8').includes(`"status":["${status}"]`),
        'the refused connect',
      );
      const rejectedId = String(rejected.headers['ce-connectionid']);
      // An accepted client's whole lifecycle is a barrier for anything the refused one could have caused.
      const accepted = await connect('gate', { userId: 'u' });
      await accepted.client.close();
      await awaitPost('/gate/disconnected', accepted.connectionId);
      expect(posts('/gate/', accepted.connectionId)).toEqual([
        '/gate/connect',
        '/gate/connected',
        '/gate/disconnected',
      ]);
      expect(posts('/gate/', rejectedId)).toEqual(['/gate/connect']);
    },
  );
});
