import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchDecoratorOverhead } from './decorator-overhead.bench.js';
import { benchFanout } from './fanout.bench.js';
import { benchGateway } from './gateway.bench.js';
import { benchMemory } from './memory.bench.js';
import { profileRestClient } from './profile.bench.js';
import { benchRestThroughput, benchTracingOverhead } from './rest-throughput.bench.js';

/*
 * `npm run bench`: every benchmark, or those named as arguments (e.g. `npm run bench -- rest`).
 * Prints tables and writes test/bench/results.json. Each figure is a ratio against a peer measured
 * in the same run, as a median over rounds: absolute numbers drift between runs on shared machines.
 */
const selected = process.argv.slice(2);
const wants = (name: string) => selected.length === 0 || selected.includes(name);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const results: Record<string, unknown> = {
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    platform: `${os.platform()} ${os.arch()}`,
  },
  startedAt: new Date().toISOString(),
};
if (wants('rest'))
  results.restThroughput = await benchRestThroughput({ rounds, durationMs: 1000, concurrencies: [1, 16, 64] });
if (wants('rest') || wants('tracing'))
  results.tracingOverhead = await benchTracingOverhead({
    rounds: Math.max(rounds, 30),
    durationMs: 300,
    concurrencies: [1, 16],
  });
if (wants('profile')) results.restClientProfile = await profileRestClient({ seconds: 3 });
if (wants('decorator')) results.decoratorOverhead = await benchDecoratorOverhead({ rounds, seconds: 2 });
if (wants('gateway')) results.gateway = await benchGateway({ rounds, seconds: 2 });
if (wants('fanout')) results.fanout = await benchFanout({ rounds, sizes: [1000, 5000] });
if (wants('memory'))
  results.memory = await benchMemory({ broadcasts: Number(process.env.BENCH_MEMORY_BROADCASTS ?? 100_000) });

// A partial run (`npm run bench -- rest`) updates its sections and keeps the others.
const file = fileURLToPath(new URL('../../../results.json', import.meta.url));
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(file, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
console.log(`\nResults written to ${file}`);
