import http from 'node:http';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
} from '@azure/core-rest-pipeline';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { AzureKeyCredential, WebPubSubRestClient } from '../../lib/index.js';
import { buildSendToAllRequest } from '../../lib/rest/index.js';
import { parseConnectionString } from '../../lib/client/index.js';
import { WebPubSubTransport } from '../../lib/client/index.js';
import { AcceptingServer } from './accepting-server-process.js';
import { median, printTable, round } from './stats.js';

/*
 * REST client throughput: `sendToAll` of a small JSON message, with 1, 16 and 64 calls in flight,
 * against a keep-alive server (another process) that answers 202. Peers measured in the same run,
 * interleaved round by round so machine noise hits all of them alike: the official
 * @azure/web-pubsub 1.2.0; core-rest-pipeline's default pipeline with no auth (what ours is built
 * on); a plain node:http keep-alive loop (the floor of what HTTP costs); and ours without the
 * operation's span (the same request through the same transport, no `withSpan`), which prices tracing
 * with no tracer registered.
 */

const UNTRACED = 'nestjs-web-pubsub, no operation span';

/** Our transport and request builder without the client's operation span: what tracing costs when off. */
function untracedSender(connectionString: string, httpClient?: HttpClient): Send {
  const { endpoint, accessKey } = parseConnectionString(connectionString);
  const transport = new WebPubSubTransport(endpoint, new AzureKeyCredential(accessKey), { httpClient });
  // As `sendToAll` is written, less its span: an async method awaiting the transport.
  return async () => {
    await transport.call(buildSendToAllRequest({ hub: 'chat' }, MESSAGE));
  };
}

export interface TracingOverheadResult {
  concurrency: number;
  /** Ours ÷ ours without the operation span (requests/s), per round, then the median: 1 means free. */
  oursVsUntraced: number;
  /** Ours ÷ ours without the span (CPU per request), per round, then the median: 1.03 would be 3% more. */
  cpuOursVsUntraced: number;
  cpuMicrosPerRequest: { ours: number; untraced: number };
}

/**
 * What the operation span costs with no tracer registered: ours against the same request through the
 * same transport without the span, interleaved round by round (the order alternating), through an
 * HTTP client that answers at once, so only the client is timed: the span's fixed cost against
 * nothing else, its worst case. Over the network (the REST table's "no operation span" row) the
 * same difference sits inside the network's noise.
 */
export async function benchTracingOverhead(options: {
  rounds: number;
  durationMs: number;
  concurrencies: number[];
}): Promise<TracingOverheadResult[]> {
  const connectionString =
    'Endpoint=http://127.0.0.1:1;AccessKey=benchmark-key-0123456789abcdefghijklmnopqrstuv;Version=1.0;';
  const httpClient: HttpClient = {
    sendRequest: async (request) => ({ request, status: 202, headers: createHttpHeaders() }),
  };
  const peers: Array<[string, Send]> = [
    ['ours', sendToAllWith(new WebPubSubRestClient(connectionString, 'chat', { httpClient }))],
    ['untraced', untracedSender(connectionString, httpClient)],
  ];
  for (const [, send] of peers) await measure(send, 16, 300);
  const results: TracingOverheadResult[] = [];
  for (const concurrency of options.concurrencies) {
    const samples: Record<string, Sample[]> = { ours: [], untraced: [] };
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which goes first, so drift within a round favours neither.
      for (const [name, send] of round % 2 ? [...peers].reverse() : peers)
        samples[name].push(await measure(send, concurrency, options.durationMs));
    }
    results.push({
      concurrency,
      oursVsUntraced: round(
        median(samples.ours.map((s, i) => s.requestsPerSecond / samples.untraced[i].requestsPerSecond)),
        3,
      ),
      cpuOursVsUntraced: round(
        median(samples.ours.map((s, i) => s.cpuMicrosPerRequest / samples.untraced[i].cpuMicrosPerRequest)),
        3,
      ),
      cpuMicrosPerRequest: {
        ours: round(median(samples.ours.map((s) => s.cpuMicrosPerRequest)), 1),
        untraced: round(median(samples.untraced.map((s) => s.cpuMicrosPerRequest)), 1),
      },
    });
  }
  printTable(
    `Tracing with no tracer registered: sendToAll with and without the operation span, through an in-process 202 HTTP client; medians of ${options.rounds} rounds of ${options.durationMs} ms`,
    results.map((r) => ({
      concurrency: r.concurrency,
      'requests/s ours ÷ no span': r.oursVsUntraced,
      'CPU/request ours ÷ no span': r.cpuOursVsUntraced,
      'CPU µs/request (ours)': r.cpuMicrosPerRequest.ours,
      'CPU µs/request (no span)': r.cpuMicrosPerRequest.untraced,
    })),
  );
  return results;
}

function sendToAllWith(client: WebPubSubRestClient): Send {
  return () => client.sendToAll(MESSAGE);
}

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
  return {
    requestsPerSecond: (completed * 1000) / elapsedMs,
    cpuMicrosPerRequest: (cpu.user + cpu.system) / completed,
  };
}

function plainHttpSender(url: string): Send {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL('/api/hubs/chat/:send?api-version=2024-12-01', url);
  const body = JSON.stringify(MESSAGE);
  return () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 202 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`)),
          );
        },
      );
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
    const request = createPipelineRequest({
      url: target,
      method: 'POST',
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      body,
      allowInsecureConnection: true,
    });
    const response = await pipeline.sendRequest(httpClient, request);
    if (response.status !== 202) throw new Error(`HTTP ${response.status}`);
  };
}

export async function benchRestThroughput(options: {
  rounds: number;
  durationMs: number;
  concurrencies: number[];
}): Promise<RestThroughputResult[]> {
  const server = await AcceptingServer.start();
  try {
    const ours = new WebPubSubRestClient(server.connectionString, 'chat');
    const official = new WebPubSubServiceClient(server.connectionString, 'chat', { allowInsecureConnection: true });
    const peers: Array<[string, Send]> = [
      ['nestjs-web-pubsub', () => ours.sendToAll(MESSAGE)],
      ['@azure/web-pubsub 1.2.0', () => official.sendToAll(MESSAGE)],
      ['bare core-rest-pipeline', barePipelineSender(server.url)],
      ['plain node:http', plainHttpSender(server.url)],
      [UNTRACED, untracedSender(server.connectionString)],
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
          oursVsPeer:
            name === 'nestjs-web-pubsub'
              ? undefined
              : round(median(oursSamples.map((s, i) => s.requestsPerSecond / peerSamples[i].requestsPerSecond))),
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
