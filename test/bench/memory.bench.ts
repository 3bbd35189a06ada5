import { AcceptingServer } from './accepting-server-process.js';
import { startChild, stopChild } from './child-process.js';
import { printTable, round } from './stats.js';

/*
 * Memory under sustained background broadcasting: BROADCASTS requests through the interceptor
 * (background delivery, queueLimit 1000, concurrency 4) while the service is 10x slower than the
 * load. The load's own rate is measured first (the same app, an undecorated route); the 202
 * server's delay is then set so the service takes a tenth of it. The peer, in the same run: the
 * same broadcasts to a service with no delay. Resident memory is sampled every 10 ms in the app's
 * own process; the queue must never hold more than queueLimit + concurrency.
 */

interface AppFigures {
  route: string;
  broadcasts: number;
  failed: number;
  answeredMs: number;
  totalMs: number;
  baselineRss: number;
  peakRss: number;
  peakRssFirstFifth: number;
  peakHeap: number;
  peakQueue: number;
  peakBlocked: number;
  queueLimit: number;
  concurrency: number;
}

export interface MemoryResult {
  service: string;
  serviceDelayMs: number;
  broadcasts: number;
  delivered: number;
  peakRssMiB: number;
  /** Peak RSS over the whole run ÷ over its first fifth: about 1 when memory is bounded. */
  peakRssVsFirstFifth: number;
  rssGrowthMiB: number;
  peakHeapMiB: number;
  peakQueue: number;
  queueBound: number;
  seconds: number;
}

const MiB = 1024 * 1024;

async function runApp(route: string, broadcasts: number, connectionString: string): Promise<AppFigures> {
  const { child, firstLine } = await startChild('./memory-app.js', {
    ROUTE: route,
    BROADCASTS: String(broadcasts),
    WEBPUBSUB_CONNECTION_STRING: connectionString,
  });
  await stopChild(child);
  return JSON.parse(firstLine) as AppFigures;
}

export async function benchMemory(options: { broadcasts: number }): Promise<MemoryResult[]> {
  // The load's rate, without broadcasting: what "10x slower" is measured against.
  const probe = await AcceptingServer.start();
  const plain = await runApp('plain', Math.min(options.broadcasts, 20_000), probe.connectionString);
  await probe.stop();
  const loadPerSecond = (plain.broadcasts * 1000) / plain.answeredMs;
  // With `concurrency` sends in flight, a delay of concurrency / (rate / 10) makes the service a tenth of the load.
  const slowDelayMs = Math.max(1, Math.round((plain.concurrency * 1000) / (loadPerSecond / 10)));

  const results: MemoryResult[] = [];
  for (const [label, delayMs] of [
    ['fast (no delay)', 0],
    ['10x slower than the load', slowDelayMs],
  ] as const) {
    const service = await AcceptingServer.start(delayMs);
    try {
      const figures = await runApp('background', options.broadcasts, service.connectionString);
      const delivered = await service.served();
      if (figures.failed > 0 || delivered !== options.broadcasts)
        throw new Error(
          `${label}: ${figures.failed} failed requests, ${delivered}/${options.broadcasts} broadcasts delivered`,
        );
      if (figures.peakQueue > figures.queueLimit + figures.concurrency)
        throw new Error(`${label}: the queue held ${figures.peakQueue}, over its bound`);
      results.push({
        service: label,
        serviceDelayMs: delayMs,
        broadcasts: figures.broadcasts,
        delivered,
        peakRssMiB: round(figures.peakRss / MiB, 1),
        peakRssVsFirstFifth: round(figures.peakRss / figures.peakRssFirstFifth),
        rssGrowthMiB: round((figures.peakRss - figures.baselineRss) / MiB, 1),
        peakHeapMiB: round(figures.peakHeap / MiB, 1),
        peakQueue: figures.peakQueue,
        queueBound: figures.queueLimit + figures.concurrency,
        seconds: round(figures.totalMs / 1000, 1),
      });
    } finally {
      await service.stop();
    }
  }
  printTable(
    `Memory: ${options.broadcasts.toLocaleString('en')} background broadcasts through the interceptor (load alone: ${Math.round(loadPerSecond)} requests/s; slow service delay ${slowDelayMs} ms × 4 in flight)`,
    results.map((r) => ({
      service: r.service,
      delivered: r.delivered,
      'peak RSS MiB': r.peakRssMiB,
      'RSS growth MiB': r.rssGrowthMiB,
      'peak ÷ first-fifth peak': r.peakRssVsFirstFifth,
      'peak heap MiB': r.peakHeapMiB,
      'peak queue': `${r.peakQueue} / ${r.queueBound}`,
      seconds: r.seconds,
    })),
  );
  const [fast, slow] = results;
  console.log(`Peak RSS with the slow service ÷ with the fast one: ${round(slow.peakRssMiB / fast.peakRssMiB)}`);
  return results;
}
