import type http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { JsonClient } from '../../support/json-client.js';
import { JSON_PROTOCOL, refusalStatus } from '../../support/raw-client.js';
import { recordingLogger, useUpstreamStage, type CapturedRequest } from './upstream-helpers.js';

/**
 * The abuse-protection handshake (reference §4): OPTIONS, or GET when OPTIONS is 404, must get a
 * 2xx with WebHook-Allowed-Origin `*` or the emulator's host before any event is sent. The first
 * path segment of each URL picks how the receiver answers the handshake.
 */
const ACCESS_KEY = 'abuse-protection-key-DO-NOT-LOG-0123456789ab';

const HANDSHAKES: Record<string, (request: CapturedRequest, response: http.ServerResponse, attempt: number) => void> = {
  // Echoes the requesting origin, as a handler that validates origins does.
  good: (req, res) =>
    res.writeHead(200, { 'WebHook-Allowed-Origin': String(req.headers['webhook-request-origin']) }).end(),
  bare: (_req, res) => res.writeHead(200).end(),
  wrong: (_req, res) => res.writeHead(200, { 'WebHook-Allowed-Origin': 'elsewhere.example.com' }).end(),
  error: (_req, res) => res.writeHead(500, { 'WebHook-Allowed-Origin': '*' }).end(),
  missing: (_req, res) => res.writeHead(404).end(),
  getonly: (req, res) =>
    (req.method === 'GET' ? res.writeHead(200, { 'WebHook-Allowed-Origin': '*' }) : res.writeHead(404)).end(),
  flaky: (_req, res, attempt) =>
    (attempt === 1 ? res.writeHead(503) : res.writeHead(200, { 'WebHook-Allowed-Origin': '*' })).end(),
};

describe('upstream abuse-protection handshake', () => {
  const logger = recordingLogger();
  const attempts = new Map<string, number>();
  const hub = (port: number, scenario: string, systemEvents: Array<'connect' | 'connected'>) => ({
    eventHandlers: [
      { urlTemplate: `http://127.0.0.1:${port}/${scenario}/{hub}/{event}`, userEventPattern: '*', systemEvents },
    ],
  });
  const stage = useUpstreamStage(
    (request, response) => {
      const scenario = request.path.split('/')[1];
      if (request.method === 'POST') return void response.writeHead(204).end();
      attempts.set(scenario, (attempts.get(scenario) ?? 0) + 1);
      HANDSHAKES[scenario](request, response, attempts.get(scenario)!);
    },
    (port) => ({
      accessKey: ACCESS_KEY,
      logger,
      hubs: {
        ...Object.fromEntries(
          Object.keys(HANDSHAKES).map((scenario) => [scenario, hub(port, scenario, ['connect', 'connected'])]),
        ),
        lateBare: hub(port, 'bare', ['connected']),
      },
    }),
  );

  const tokenUrl = async (hub: string) =>
    (await new WebPubSubRestClient(stage.emulator.connectionString, hub).getClientAccessToken({ userId: 'u' })).url;
  const requestsTo = (scenario: string, hub = scenario) =>
    stage.receiver.requests.items.filter((r) => r.path.startsWith(`/${scenario}/${hub}/`));

  /** A refused upgrade's HTTP status (fails the test if the client got in). */
  async function refusedStatus(hub: string): Promise<number> {
    const url = await tokenUrl(hub);
    const outcome = await refusalStatus(url, JSON_PROTOCOL);
    // Nothing the emulator logged may carry the key or the client's token.
    expect(
      logger.lines.items.filter(
        (line) => line.includes(ACCESS_KEY) || line.includes(new URL(url).searchParams.get('access_token')!),
      ),
    ).toEqual([]);
    return outcome;
  }

  it('sends events once the handler allows the emulator origin', async () => {
    const client = await JsonClient.connect(await tokenUrl('good'), 'the client');
    await stage.receiver.requests.waitFor((r) => r.path === '/good/good/connected', 'the connected event');
    await client.close();
    const [handshake, ...events] = requestsTo('good');
    expect(handshake).toMatchObject({ method: 'OPTIONS', path: '/good/good/validate' });
    expect(handshake.headers['webhook-request-origin']).toBe(new URL(stage.emulator.endpoint).host);
    expect(events.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /good/good/connect',
      'POST /good/good/connected',
    ]);
  });

  it.each([
    ['answers OPTIONS without WebHook-Allowed-Origin', 'bare'],
    ['allows another origin', 'wrong'],
    ['answers OPTIONS with 500', 'error'],
    ['answers 404 to OPTIONS and then GET', 'missing'],
  ])('refuses the client and sends no event when the handler %s', async (_description, scenario) => {
    const status = await refusedStatus(scenario);
    expect(status).toBeGreaterThanOrEqual(500);
    expect(status).toBeLessThan(600);
    expect(requestsTo(scenario).filter((r) => r.method === 'POST')).toEqual([]);
    const validateUrl = `http://127.0.0.1:${stage.receiver.port}/${scenario}/${scenario}/validate`;
    expect(logger.lines.items.some((line) => line.includes(validateUrl) && /abuse-protection/i.test(line))).toBe(true);
  });

  it('falls back to GET when OPTIONS is 404', async () => {
    const client = await JsonClient.connect(await tokenUrl('getonly'), 'the client');
    await stage.receiver.requests.waitFor((r) => r.path === '/getonly/getonly/connected', 'the connected event');
    await client.close();
    const handshakes = requestsTo('getonly').filter((r) => r.path.endsWith('/validate'));
    expect(handshakes.map((r) => r.method)).toEqual(['OPTIONS', 'GET']);
    expect(handshakes[1].headers['webhook-request-origin']).toBe(new URL(stage.emulator.endpoint).host);
    expect(handshakes[1].headers['ce-awpsversion']).toBe('1.0');
  });

  it('tries a failed handshake again for the next event', async () => {
    expect(await refusedStatus('flaky')).toBeGreaterThanOrEqual(500);
    const client = await JsonClient.connect(await tokenUrl('flaky'), 'the client');
    await stage.receiver.requests.waitFor((r) => r.path === '/flaky/flaky/connected', 'the connected event');
    await client.close();
    expect(requestsTo('flaky').filter((r) => r.method === 'OPTIONS')).toHaveLength(2);
  });

  it('admits the client but drops (and logs) a non-blocking event whose handler fails the handshake', async () => {
    const url = await tokenUrl('lateBare');
    const client = await JsonClient.connect(url, 'the client');
    const validateUrl = `http://127.0.0.1:${stage.receiver.port}/bare/lateBare/validate`;
    await logger.lines.waitFor((line) => line.includes(validateUrl), 'a log line naming the handler URL');
    await client.close();
    expect(requestsTo('bare', 'lateBare').filter((r) => r.method === 'POST')).toEqual([]);
    expect(logger.lines.items.filter((line) => line.includes(ACCESS_KEY))).toEqual([]);
  });
});
