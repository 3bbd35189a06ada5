import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { BroadcastToGroup, WebPubSubModule } from '../../lib/index.js';
import { getWebPubSubContextToken } from '../../lib/core/web-pubsub.constants.js';
import type { WebPubSubInstanceContext } from '../../lib/core/web-pubsub.context.js';

/*
 * The memory benchmark's app, run as its own process so its resident memory is its own. It sends
 * BROADCASTS requests through Fastify's inject (the whole Nest pipeline, interceptor included, with
 * no sockets in the way of the load), IN_FLIGHT at a time, to ROUTE: `plain` (no decorator, to
 * measure the load's own rate) or `background` (@BroadcastToGroup with background delivery to the
 * 202 server at WEBPUBSUB_CONNECTION_STRING). Then app.close() sends what is still queued. Prints
 * one JSON line with the figures.
 */
const BROADCASTS = Number(process.env.BROADCASTS ?? 100_000);
const ROUTE = process.env.ROUTE ?? 'background';
const IN_FLIGHT = 64;
const QUEUE_LIMIT = 1000;
const CONCURRENCY = 4;

@Controller()
class LoadController {
  @Post('plain')
  plain(@Body() body: { n: number }) {
    return { room: 'lobby', n: body.n };
  }

  @Post('background')
  @BroadcastToGroup('lobby', { delivery: 'background' })
  background(@Body() body: { n: number }) {
    return { room: 'lobby', n: body.n };
  }
}

@Module({
  imports: [
    WebPubSubModule.forRoot({
      hub: 'chat',
      httpLogging: 'errors',
      broadcast: { queueLimit: QUEUE_LIMIT, concurrency: CONCURRENCY },
    }),
  ],
  controllers: [LoadController],
})
class LoadModule {}

const app = await NestFactory.create<NestFastifyApplication>(LoadModule, new FastifyAdapter(), {
  logger: ['error', 'warn'],
});
await app.init();
const fastify = app.getHttpAdapter().getInstance();
await fastify.ready();
const queue = app.get<string, WebPubSubInstanceContext>(getWebPubSubContextToken(), { strict: false }).backgroundQueue;

global.gc?.();
const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
let peakHeap = 0;
let peakQueue = 0;
let peakBlocked = 0;
/** The peak over the first fifth of the requests: if memory were not bounded, the end would be far above it. */
let peakRssFirstFifth = 0;
const sampler = setInterval(() => {
  const { rss, heapUsed } = process.memoryUsage();
  peakRss = Math.max(peakRss, rss);
  peakHeap = Math.max(peakHeap, heapUsed);
  peakQueue = Math.max(peakQueue, queue.size);
  peakBlocked = Math.max(peakBlocked, queue.blockedCount);
  if (next <= BROADCASTS / 5) peakRssFirstFifth = peakRss;
}, 10);

let next = 0;
let failed = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < BROADCASTS) {
      const n = next++;
      const response = await fastify.inject({ method: 'POST', url: `/${ROUTE}`, payload: { n } });
      if (response.statusCode !== 201) failed++;
    }
  }),
);
const answeredMs = performance.now() - started;
await app.close();
const totalMs = performance.now() - started;
clearInterval(sampler);

process.stdout.write(
  `${JSON.stringify({ route: ROUTE, broadcasts: BROADCASTS, failed, answeredMs, totalMs, baselineRss, peakRss, peakRssFirstFifth, peakHeap, peakQueue, peakBlocked, queueLimit: QUEUE_LIMIT, concurrency: CONCURRENCY })}\n`,
);
