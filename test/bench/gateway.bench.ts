import autocannon from 'autocannon';
import { AcceptingServer } from './accepting-server-process.js';
import { startChild, stopChild } from './child-process.js';
import { median, printTable, round } from './stats.js';
import { parseConnectionString } from '../../lib/client/index.js';
import { upstreamEventHeaders } from '../support/upstream-events.js';

/*
 * What a gateway costs per user event against an event handler class: the same echo as a gateway's
 * @SubscribeMessage('echo') and as @OnUserEvent('echo'), in one app (gateway-app.ts) on two hubs.
 * autocannon (16 connections) posts signed user events to the app's event route as Web PubSub does
 * (CloudEvents headers, ce-signature with the access key), over 32 connection ids. Without the
 * service or WebSocket clients in the loop, only the app's side is timed: the route's checks, then
 * either dispatch path. Each path gets its own process of that same app, so what one path turns on
 * for the whole process (the gateway's AsyncLocalStorage, which enables async hooks) is not charged
 * to the other. The two are interleaved round by round; ratios are against the event handler of the
 * same round.
 */

const PATHS = ['eventHandler', 'gateway'] as const;
const HUBS: Record<(typeof PATHS)[number], string> = { eventHandler: 'handler', gateway: 'gateway' };
const CONNECTIONS = 32;

export interface GatewayResult {
  path: (typeof PATHS)[number];
  eventsPerSecond: number;
  p99LatencyMs: number;
  vsEventHandler: number;
}

async function load(url: string, requests: autocannon.Request[], seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    method: 'POST',
    body: JSON.stringify({ text: 'hello' }),
    requests,
    connections: 16,
    duration: seconds,
  });
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return result;
}

export async function benchGateway(options: { rounds: number; seconds: number }): Promise<GatewayResult[]> {
  const service = await AcceptingServer.start();
  const env = { WEBPUBSUB_CONNECTION_STRING: service.connectionString };
  const apps = await Promise.all(PATHS.map(() => startChild('./gateway-app.js', env)));
  try {
    const urls = new Map(PATHS.map((path, i) => [path, `http://127.0.0.1:${apps[i].firstLine}/eventhandler`]));
    const key = parseConnectionString(service.connectionString).accessKey;
    const origin = new URL(service.url).host; // the service endpoint's host, as the module allows by default
    // The events of 32 connections, each signed for its connection id; autocannon cycles through them.
    const requests = new Map(
      PATHS.map((path) => [
        path,
        Array.from({ length: CONNECTIONS }, (_, i) => ({
          headers: upstreamEventHeaders('echo', {
            hub: HUBS[path],
            connectionId: `bench-connection-${i}`,
            userId: `user-${i}`,
            key,
            origin,
          }),
        })),
      ]),
    );
    await checkAnswer(urls, requests);
    for (const path of PATHS) await load(urls.get(path)!, requests.get(path)!, 1); // warm-up
    const samples = new Map(PATHS.map((path) => [path, [] as autocannon.Result[]]));
    for (let round = 0; round < options.rounds; round++) {
      for (const path of PATHS)
        samples.get(path)!.push(await load(urls.get(path)!, requests.get(path)!, options.seconds));
    }
    const restCalls = await service.served();
    if (restCalls !== 0) throw new Error(`An echo should make no REST call; the service saw ${restCalls}`);
    const baseline = samples.get('eventHandler')!;
    const results = PATHS.map((path) => {
      const runs = samples.get(path)!;
      return {
        path,
        eventsPerSecond: round(median(runs.map((r) => r.requests.average)), 0),
        p99LatencyMs: round(median(runs.map((r) => r.latency.p99)), 1),
        vsEventHandler: round(median(runs.map((r, i) => r.requests.average / baseline[i].requests.average))),
      };
    });
    printTable(
      `Gateway vs event handler: signed user events 'echo' to the event route (one app process each), autocannon 16 connections; medians of ${options.rounds} rounds of ${options.seconds} s`,
      results.map((r) => ({
        path: r.path === 'gateway' ? "gateway @SubscribeMessage('echo')" : "@OnUserEvent('echo')",
        'events/s': r.eventsPerSecond,
        'p99 ms': r.p99LatencyMs,
        '÷ event handler': r.vsEventHandler,
      })),
    );
    return results;
  } finally {
    await Promise.all(apps.map(({ child }) => stopChild(child)));
    await service.stop();
  }
}

/** Both paths answer the same echo before anything is timed (a wrong signature or hub would be a 4xx). */
async function checkAnswer(
  urls: Map<string, string>,
  requests: Map<string, Array<{ headers: Record<string, string> }>>,
): Promise<void> {
  for (const [path, [first]] of requests) {
    const response = await fetch(urls.get(path)!, {
      method: 'POST',
      headers: first.headers,
      body: JSON.stringify({ text: 'hello' }),
    });
    const body = await response.text();
    if (response.status !== 200 || body !== JSON.stringify({ event: 'echo', data: { text: 'hello' } })) {
      throw new Error(`${path}: expected 200 with the echo, got ${response.status} ${body}`);
    }
  }
}
