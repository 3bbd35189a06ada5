import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { WebPubSubRestClient } from '../../lib/index.js';
import { AcceptingServer } from './accepting-server-process.js';
import { printTable, round } from './stats.js';

/*
 * Where our REST client's time goes: a CPU profile of sendToAll with 16 calls in flight against the
 * 202 server, written to test/bench/rest-client.cpuprofile (open it in Chrome DevTools), and a
 * summary: the share of samples under each package (inclusive) and the top functions by self time.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

export interface ProfileSummary {
  file: string;
  byPackage: Array<{ where: string; percent: number }>;
  topSelf: Array<{ fn: string; percent: number }>;
  /** Samples whose running function is in our lib/ (self time), %. */
  oursSelfPercent: number;
}

/** node_modules package, our lib file, or Node's internals. */
function placeOf(url: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  const ours = /\/lib\/(.+)$/.exec(url);
  if (ours) return `ours: lib/${ours[1].replace(/\.js$/, '.ts')}`;
  return url.startsWith('node:') ? 'node internals' : '(native / GC / idle)';
}

function summarize(profile: Profile): Omit<ProfileSummary, 'file'> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const total = profile.samples.length;
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  let oursSelf = 0;
  for (const id of profile.samples) {
    const leaf = byId.get(id)!;
    if (placeOf(leaf.callFrame.url).startsWith('ours')) oursSelf++;
    const name = `${leaf.callFrame.functionName || '(anonymous)'} (${placeOf(leaf.callFrame.url)})`;
    self.set(name, (self.get(name) ?? 0) + 1);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const place = placeOf(byId.get(current)!.callFrame.url);
      if (seen.has(place)) continue;
      seen.add(place);
      inclusive.set(place, (inclusive.get(place) ?? 0) + 1);
    }
  }
  const percent = (count: number) => round((100 * count) / total, 1);
  return {
    byPackage: [...inclusive]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([where, count]) => ({ where, percent: percent(count) })),
    oursSelfPercent: percent(oursSelf),
    topSelf: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([fn, count]) => ({ fn, percent: percent(count) })),
  };
}

export async function profileRestClient(options: { seconds: number }): Promise<ProfileSummary> {
  const server = await AcceptingServer.start();
  const session = new Session();
  session.connect();
  try {
    const client = new WebPubSubRestClient(server.connectionString, 'chat');
    const message = { type: 'chat', text: 'hello', n: 1 };
    const run = async (ms: number) => {
      const deadline = performance.now() + ms;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (performance.now() < deadline) await client.sendToAll(message);
        }),
      );
    };
    await run(500); // warm-up, not profiled
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await run(options.seconds * 1000);
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    const file = fileURLToPath(new URL('../../../rest-client.cpuprofile', import.meta.url));
    writeFileSync(file, JSON.stringify(profile));
    const summary = { file, ...summarize(profile) };
    printTable(
      'CPU profile of our sendToAll (16 in flight): samples under each place, inclusive %',
      summary.byPackage.map((row) => ({ where: row.where, '%': row.percent })),
    );
    printTable(
      'Top functions by self time %',
      summary.topSelf.map((row) => ({ function: row.fn, '%': row.percent })),
    );
    console.log(`Self time in our code (lib/): ${summary.oursSelfPercent}% of samples. Profile written to ${file}`);
    return summary;
  } finally {
    session.disconnect();
    await server.stop();
  }
}
