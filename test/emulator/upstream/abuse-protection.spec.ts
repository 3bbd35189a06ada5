import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../../lib/index.js';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { closeSocket, openSocket, recordingLogger, startReceiver, type CapturedRequest, type Receiver } from './upstream-helpers.js';

/**
 * The abuse-protection handshake (reference §4): OPTIONS, or GET when OPTIONS is 404, must get a
 * 2xx with WebHook-Allowed-Origin `*` or the emulator's host before any event is sent. The first
 * path segment of each URL picks how the receiver answers the handshake.
 */
const ACCESS_KEY = 'abuse-protection-key-DO-NOT-LOG-0123456789ab';

const HANDSHAKES: Record<string, (request: CapturedRequest, response: http.ServerResponse, attempt: number) => void> = {
  // Echoes the requesting origin, as a handler that validates origins does.
  good: (req, res) => res.writeHead(200, { 'WebHook-Allowed-Origin': String(req.headers['webhook-request-origin']) }).end(),
  bare: (_req, res) => res.writeHead(200).end(),
  wrong: (_req, res) => res.writeHead(200, { 'WebHook-Allowed-Origin': 'elsewhere.example.com' }).end(),
  error: (_req, res) => res.writeHead(500, { 'WebHook-Allowed-Origin': '*' }).end(),
  missing: (_req, res) => res.writeHead(404).end(),
  getonly: (req, res) => (req.method === 'GET' ? res.writeHead(200, { 'WebHook-Allowed-Origin': '*' }) : res.writeHead(404)).end(),
  flaky: (_req, res, attempt) => (attempt === 1 ? res.writeHead(503) : res.writeHead(200, { 'WebHook-Allowed-Origin': '*' })).end(),
};

describe('upstream abuse-protection handshake', () => {
  let receiver: Receiver;
  let emulator: WebPubSubEmulator;
  const logger = recordingLogger();
  const attempts = new Map<string, number>();

  beforeAll(async () => {
    receiver = await startReceiver((request, response) => {
      const scenario = request.path.split('/')[1];
      if (request.method === 'POST') return void response.writeHead(204).end();
      attempts.set(scenario, (attempts.get(scenario) ?? 0) + 1);
      HANDSHAKES[scenario](request, response, attempts.get(scenario)!);
    });
    const hub = (scenario: string, systemEvents: Array<'connect' | 'connected'>) => ({
      eventHandlers: [{ urlTemplate: `http://127.0.0.1:${receiver.port}/${scenario}/{hub}/{event}`, userEventPattern: '*', systemEvents }],
    });
    emulator = await WebPubSubEmulator.start({
      accessKey: ACCESS_KEY,
      logger,
      hubs: {
        ...Object.fromEntries(Object.keys(HANDSHAKES).map((scenario) => [scenario, hub(scenario, ['connect', 'connected'])])),
        lateBare: hub('bare', ['connected']),
      },
    });
  });

  afterAll(async () => {
    await emulator?.stop();
    await receiver?.close();
  });

  const tokenUrl = async (hub: string) => (await new WebPubSubRestClient(emulator.connectionString, hub).getClientAccessToken({ userId: 'u' })).url;
  const requestsTo = (scenario: string, hub = scenario) => receiver.requests.items.filter((r) => r.path.startsWith(`/${scenario}/${hub}/`));

  /** A refused upgrade's HTTP status (fails the test if the client got in). */
  async function refusedStatus(hub: string): Promise<number> {
    const url = await tokenUrl(hub);
    const outcome = await openSocket(url).then(
      async ({ ws }) => {
        await closeSocket(ws);
        return 101;
      },
      (error: { status?: number }) => error.status ?? 0,
    );
    // Nothing the emulator logged may carry the key or the client's token.
    expect(logger.lines.items.filter((line) => line.includes(ACCESS_KEY) || line.includes(new URL(url).searchParams.get('access_token')!))).toEqual([]);
    return outcome;
  }

  it('sends events once the handler allows the emulator origin', async () => {
    const { ws, frames } = await openSocket(await tokenUrl('good'));
    await frames.waitFor((f) => f.event === 'connected', 'connected frame');
    await receiver.requests.waitFor((r) => r.path === '/good/good/connected', 'the connected event');
    await closeSocket(ws);
    const [handshake, ...events] = requestsTo('good');
    expect(handshake).toMatchObject({ method: 'OPTIONS', path: '/good/good/validate' });
    expect(handshake.headers['webhook-request-origin']).toBe(new URL(emulator.endpoint).host);
    expect(events.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /good/good/connect', 'POST /good/good/connected']);
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
    const validateUrl = `http://127.0.0.1:${receiver.port}/${scenario}/${scenario}/validate`;
    expect(logger.lines.items.some((line) => line.includes(validateUrl) && /abuse-protection/i.test(line))).toBe(true);
  });

  it('falls back to GET when OPTIONS is 404', async () => {
    const { ws, frames } = await openSocket(await tokenUrl('getonly'));
    await frames.waitFor((f) => f.event === 'connected', 'connected frame');
    await receiver.requests.waitFor((r) => r.path === '/getonly/getonly/connected', 'the connected event');
    await closeSocket(ws);
    const handshakes = requestsTo('getonly').filter((r) => r.path.endsWith('/validate'));
    expect(handshakes.map((r) => r.method)).toEqual(['OPTIONS', 'GET']);
    expect(handshakes[1].headers['webhook-request-origin']).toBe(new URL(emulator.endpoint).host);
    expect(handshakes[1].headers['ce-awpsversion']).toBe('1.0');
  });

  it('tries a failed handshake again for the next event', async () => {
    expect(await refusedStatus('flaky')).toBeGreaterThanOrEqual(500);
    const { ws, frames } = await openSocket(await tokenUrl('flaky'));
    await frames.waitFor((f) => f.event === 'connected', 'connected frame');
    await receiver.requests.waitFor((r) => r.path === '/flaky/flaky/connected', 'the connected event');
    await closeSocket(ws);
    expect(requestsTo('flaky').filter((r) => r.method === 'OPTIONS')).toHaveLength(2);
  });

  it('admits the client but drops (and logs) a non-blocking event whose handler fails the handshake', async () => {
    const url = await tokenUrl('lateBare');
    const { ws, frames } = await openSocket(url);
    await frames.waitFor((f) => f.event === 'connected', 'connected frame');
    const validateUrl = `http://127.0.0.1:${receiver.port}/bare/lateBare/validate`;
    await logger.lines.waitFor((line) => line.includes(validateUrl), 'a log line naming the handler URL');
    await closeSocket(ws);
    expect(requestsTo('bare', 'lateBare').filter((r) => r.method === 'POST')).toEqual([]);
    expect(logger.lines.items.filter((line) => line.includes(ACCESS_KEY))).toEqual([]);
  });
});
