import http from 'node:http';
import { createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest } from '@azure/core-rest-pipeline';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubRestClient } from '../../lib/index.js';
import { AcceptingServer } from './accepting-server-process.js';
import { median, printTable, round } from './stats.js';

/*
 * REST client throughput: `sendToAll` of a small JSON message, with 1, 16 and 64 calls in flight,
 * against a keep-alive server (another process) that answers 202. Peers measured in the same run,
 * interleaved round by round so machine noise hits all of them alike: the official
 * @azure/web-pubsub 1.2.0; core-rest-pipeline's default pipeline with no auth (what ours is built
 * on); and a plain node:http keep-alive loop (the floor of what HTTP costs).
 */

type Send = () => Promise<unknown>;

interface Sample {
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
}

const MESSAGE = { type: 'chat', text: 'hello', n: 1 };

export interface RestThroughputResult {
  concurrency: number;
  peer: string;
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
  /** Ours divided by this peer (requests/s), per round, then the median. */
  oursVsPeer?: number;
}

/** Runs `send` with `concurrency` calls in flight for `durationMs`; counts completions and CPU. */
async function measure(send: Send, concurrency: number, durationMs: number): Promise<Sample> {
  let completed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await send();
        completed++;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { requestsPerSecond: (completed * 1000) / elapsedMs, cpuMicrosPerRequest: (cpu.user + cpu.system) / completed };
}

function plainHttpSender(url: string): Send {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL('/api/hubs/chat/:send?api-version=2024-12-01', url);
  const body = JSON.stringify(MESSAGE);
  return () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 202 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`))));
      });
      request.on('error', reject);
      request.end(body);
    });
}

/** core-rest-pipeline's default pipeline and HTTP client with no auth: the library ours is built on. */
function barePipelineSender(url: string): Send {
  const pipeline = createPipelineFromOptions({});
  const httpClient = createDefaultHttpClient();
  const target = new URL('/api/hubs/chat/:send?api-version=2024-12-01', url).toString();
  const body = JSON.stringify(MESSAGE);
  return async () => {
    const request = createPipelineRequest({ url: target, method: 'POST', headers: createHttpHeaders({ 'content-type': 'application/json' }), body, allowInsecureConnection: true });
    const response = await pipeline.sendRequest(httpClient, request);
    if (response.status !== 202) throw new Error(`HTTP ${response.status}`);
  };
}

export async function benchRestThroughput(options: { rounds: number; durationMs: number; concurrencies: number[] }): Promise<RestThroughputResult[]> {
  const server = await AcceptingServer.start();
  try {
    const ours = new WebPubSubRestClient(server.connectionString, 'chat');
    const official = new WebPubSubServiceClient(server.connectionString, 'chat', { allowInsecureConnection: true });
    const peers: Array<[string, Send]> = [
      ['nestjs-web-pubsub', () => ours.sendToAll(MESSAGE)],
      ['@azure/web-pubsub 1.2.0', () => official.sendToAll(MESSAGE)],
      ['bare core-rest-pipeline', barePipelineSender(server.url)],
      ['plain node:http', plainHttpSender(server.url)],
    ];
    // Warm up every path (JIT, sockets) before anything is recorded.
    for (const [, send] of peers) await measure(send, 16, 300);

    const results: RestThroughputResult[] = [];
    for (const concurrency of options.concurrencies) {
      const samples = new Map<string, Sample[]>(peers.map(([name]) => [name, []]));
      for (let round = 0; round < options.rounds; round++) {
        for (const [name, send] of peers) samples.get(name)!.push(await measure(send, concurrency, options.durationMs));
      }
      const oursSamples = samples.get('nestjs-web-pubsub')!;
      for (const [name] of peers) {
        const peerSamples = samples.get(name)!;
        results.push({
          concurrency,
          peer: name,
          requestsPerSecond: round(median(peerSamples.map((s) => s.requestsPerSecond)), 0),
          cpuMicrosPerRequest: round(median(peerSamples.map((s) => s.cpuMicrosPerRequest)), 0),
          oursVsPeer: name === 'nestjs-web-pubsub' ? undefined : round(median(oursSamples.map((s, i) => s.requestsPerSecond / peerSamples[i].requestsPerSecond))),
        });
      }
    }
    printTable(
      `REST throughput: sendToAll (small JSON) against a keep-alive 202 server; medians of ${options.rounds} rounds of ${options.durationMs} ms`,
      results.map((r) => ({
        concurrency: r.concurrency,
        client: r.peer,
        'requests/s': r.requestsPerSecond,
        'CPU µs/request': r.cpuMicrosPerRequest,
        'ours ÷ this': r.oursVsPeer ?? '',
      })),
    );
    return results;
  } finally {
    await server.stop();
  }
}
