import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubRestClient } from '../../lib/index.js';
import { useEmulator } from '../support/emulator-stage.js';
import { closeServer, listenOnLoopback } from '../support/loopback-server.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Issue item 8: while the event handler is slow, a client's frames must not pile up in the
 * emulator. A plain WebSocket client in another process (so its own send buffer is not counted
 * here) sends 150 frames of 1 MiB while the handler holds the first event; the emulator's Buffer
 * memory must stay bounded, and once the handler answers, every frame still arrives.
 */

const FRAMES = 150;
const MIB = 1024 * 1024;
/** Without backpressure the emulator held all 150 MiB; with it, a few frames plus socket buffers. */
const BOUND_MIB = 32;

let release: () => void = () => undefined;
const held = new Promise<void>((resolve) => (release = resolve));
let userEvents = 0;
const receiver = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.method === 'OPTIONS') return void response.writeHead(200, { 'WebHook-Allowed-Origin': '*' }).end();
    // The first user event waits until the test releases it; the emulator sends one at a time.
    void (userEvents++ === 0 ? held : Promise.resolve()).then(() => response.writeHead(204).end());
  });
});
let port = 0;
beforeAll(async () => {
  port = await listenOnLoopback(receiver);
});
const stage = useEmulator(() => ({
  hubs: { flood: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/{event}`, userEventPattern: '*' }] } },
}));
let child: ChildProcess | undefined;
afterAll(async () => {
  release();
  child?.kill();
  await closeServer(receiver);
});

/** A plain ws client in its own process that sends FRAMES frames of 1 MiB at once and says so. */
function floodFromChild(url: string): Promise<void> {
  const script = `
    import { WebSocket } from 'ws';
    const ws = new WebSocket(process.env.FLOOD_URL);
    ws.on('open', () => {
      const frame = Buffer.alloc(${MIB}, 1);
      for (let i = 0; i < ${FRAMES}; i++) ws.send(frame);
      process.stdout.write('sent\\n');
    });
    ws.on('error', (error) => process.stderr.write(error.message));`;
  child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    env: { ...process.env, FLOOD_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', () => resolve());
    child!.once('exit', (code) => reject(new Error(`The flooding client exited with ${code}`)));
  });
}

describe('backpressure per connection', () => {
  it(`keeps the emulator's memory bounded while ${FRAMES} frames of 1 MiB wait for a slow handler`, async () => {
    const { url } = await new WebPubSubRestClient(stage.emulator.connectionString, 'flood').getClientAccessToken();
    const before = process.memoryUsage();
    await floodFromChild(url);
    let peakBuffers = 0;
    let peakRss = 0;
    // Loopback moves 150 MiB well within this; sample the whole time.
    for (const end = Date.now() + 2500; Date.now() < end;) {
      const now = process.memoryUsage();
      peakBuffers = Math.max(peakBuffers, now.arrayBuffers - before.arrayBuffers);
      peakRss = Math.max(peakRss, now.rss - before.rss);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    console.log(
      `backpressure: peak growth while the handler was slow: Buffers ${(peakBuffers / MIB).toFixed(1)} MiB, RSS ${(peakRss / MIB).toFixed(1)} MiB`,
    );
    expect(peakBuffers / MIB).toBeLessThan(BOUND_MIB);

    release();
    await waitFor(
      () => userEvents >= FRAMES,
      () => `all ${FRAMES} frames to reach the handler (${userEvents} so far)`,
      30_000,
    );
    expect(userEvents).toBe(FRAMES);
    expect(stage.emulator.connections('flood')).toEqual([expect.objectContaining({ open: true })]);
  }, 60_000);
});
