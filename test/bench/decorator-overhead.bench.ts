import autocannon from 'autocannon';
import { AcceptingServer } from './accepting-server-process.js';
import { startChild, stopChild } from './child-process.js';
import { median, printTable, round } from './stats.js';

/*
 * What a broadcast decorator costs a route: the same Nest route (another process) without a
 * decorator, with an awaited @BroadcastToGroup, and with a background one, under autocannon with 16
 * connections. The broadcasts go to the 202 server (a third process). Routes are interleaved round
 * by round; ratios are against the undecorated route of the same round.
 */

const ROUTES = ['plain', 'await', 'background'] as const;

export interface DecoratorOverheadResult {
  route: (typeof ROUTES)[number];
  requestsPerSecond: number;
  p99LatencyMs: number;
  vsUndecorated: number;
}

async function load(url: string, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'hello' }),
    connections: 16,
    duration: seconds,
  });
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return result;
}

export async function benchDecoratorOverhead(options: {
  rounds: number;
  seconds: number;
}): Promise<DecoratorOverheadResult[]> {
  const service = await AcceptingServer.start();
  const { child, firstLine: port } = await startChild('./decorated-app.js', {
    WEBPUBSUB_CONNECTION_STRING: service.connectionString,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (const route of ROUTES) await load(`${base}/${route}`, 1); // warm-up
    const samples = new Map(ROUTES.map((route) => [route, [] as autocannon.Result[]]));
    for (let round = 0; round < options.rounds; round++) {
      for (const route of ROUTES) samples.get(route)!.push(await load(`${base}/${route}`, options.seconds));
    }
    const plain = samples.get('plain')!;
    const results = ROUTES.map((route) => {
      const runs = samples.get(route)!;
      return {
        route,
        requestsPerSecond: round(median(runs.map((r) => r.requests.average)), 0),
        p99LatencyMs: round(median(runs.map((r) => r.latency.p99)), 1),
        vsUndecorated: round(median(runs.map((r, i) => r.requests.average / plain[i].requests.average))),
      };
    });
    printTable(
      `Decorator overhead: POST route, autocannon 16 connections; medians of ${options.rounds} rounds of ${options.seconds} s`,
      results.map((r) => ({
        route: r.route,
        'requests/s': r.requestsPerSecond,
        'p99 ms': r.p99LatencyMs,
        '÷ undecorated': r.vsUndecorated,
      })),
    );
    return results;
  } finally {
    await stopChild(child);
    await service.stop();
  }
}
