/* global process, console, setInterval, clearInterval, setTimeout, URL */
/*
 * Peak RSS of the emulator's process in the two memory cases of issue 23 item 5, run in a child
 * process (so jest's own memory is not counted) against a built dist/esm:
 *   node emulator-memory.mjs <dist/esm> slow-json|slow-plain <broadcasts>
 *     a client that never reads while <broadcasts> REST broadcasts of 64 KiB flow;
 *   node emulator-memory.mjs <dist/esm> presence <connections> <groups>
 *     one addConnectionsToGroups call with group presence on: connections x groups events to a
 *     handler in another process that takes 5 ms per event.
 * Prints one JSON line: peak and final RSS (MiB) and what happened.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';

const [dist, scenario, ...counts] = process.argv.slice(2);

if (scenario === 'receiver') {
  // The event handler, in its own process: answers each event after 5 ms, counts what it saw.
  let inFlight = 0;
  let peak = 0;
  let events = 0;
  const server = http.createServer((request, response) => {
    if (request.method === 'OPTIONS') return void response.writeHead(200, { 'WebHook-Allowed-Origin': '*' }).end();
    inFlight++;
    peak = Math.max(peak, inFlight);
    request.resume();
    setTimeout(() => {
      inFlight--;
      events++;
      response.writeHead(204).end();
      process.send?.({ events, peak });
    }, 5);
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
} else {
  const { WebPubSubEmulator } = await import(pathToFileURL(path.join(dist, 'emulator/index.js')).href);
  const { WebPubSubRestClient, odata } = await import(pathToFileURL(path.join(dist, 'index.js')).href);
  let peakRss = process.memoryUsage().rss;
  // Reading RSS opens /proc: without the fix, thousands of open sockets can leave no descriptor for it.
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    } catch {
      samplesMissed++;
    }
  }, 20);
  let samplesMissed = 0;
  const mib = (bytes) => Math.round(bytes / 1024 / 1024);
  const startRss = process.memoryUsage().rss;
  const started = Date.now();
  let result;
  if (scenario === 'slow-json' || scenario === 'slow-plain') result = await slowReader(Number(counts[0]));
  else if (scenario === 'presence') result = await presenceStorm(Number(counts[0]), Number(counts[1]));
  else throw new Error(`unknown scenario ${scenario}`);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      scenario,
      counts,
      startRssMiB: mib(startRss),
      peakRssMiB: mib(peakRss),
      seconds: (Date.now() - started) / 1000,
      samplesMissed,
      ...result,
    }),
  );
  process.exit(0);

  async function slowReader(broadcasts) {
    const emulator = await WebPubSubEmulator.start();
    const rest = new WebPubSubRestClient(emulator.connectionString, 'slow');
    const { url } = await rest.getClientAccessToken({ userId: 'slow' });
    const ws = new WebSocket(url, scenario === 'slow-json' ? 'json.webpubsub.azure.v1' : undefined);
    ws.on('error', () => undefined);
    let close;
    ws.on('close', (code) => (close = code));
    await new Promise((resolve) => ws.once('open', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    ws._socket.pause(); // never reads again
    const message = 'x'.repeat(64 * 1024);
    let sent = 0;
    for (; sent < broadcasts; sent++) await rest.sendToAll(message, { contentType: 'text/plain' });
    const open = emulator.connections('slow').length;
    await emulator.stop();
    return { broadcasts: sent, slowClientStillListed: open === 1, clientCloseSeen: close ?? null };
  }

  async function presenceStorm(connections, groups) {
    const receiver = fork(new URL(import.meta.url).pathname, [dist, 'receiver'], { stdio: 'inherit' });
    let seen = { events: 0, peak: 0 };
    const port = await new Promise((resolve) =>
      receiver.on('message', (message) => (message.port ? resolve(message.port) : (seen = message))),
    );
    const emulator = await WebPubSubEmulator.start({
      hubs: {
        storm: {
          eventHandlers: [
            { urlTemplate: `http://127.0.0.1:${port}/{event}`, groupPresenceEvents: { eventNames: ['joined'] } },
          ],
        },
      },
    });
    const rest = new WebPubSubRestClient(emulator.connectionString, 'storm');
    const { url } = await rest.getClientAccessToken({ userId: 'member' });
    const sockets = [];
    for (let i = 0; i < connections; i += 50) {
      const batch = Array.from({ length: Math.min(50, connections - i) }, () => {
        const ws = new WebSocket(url, 'json.webpubsub.azure.v1');
        ws.on('error', () => undefined);
        sockets.push(ws);
        return new Promise((resolve) => ws.once('open', resolve));
      });
      await Promise.all(batch);
    }
    const names = Array.from({ length: groups }, (_, i) => `room-${i}`);
    const expected = connections * groups;
    const called = Date.now();
    await rest.addConnectionsToGroups(names, odata`userId eq ${'member'}`);
    const deadline = Date.now() + 120_000;
    while (seen.events < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const deliverySeconds = (Date.now() - called) / 1000;
    for (const ws of sockets) ws.terminate();
    await emulator.stop();
    receiver.kill();
    return { expected, delivered: seen.events, handlerPeakInFlight: seen.peak, deliverySeconds };
  }
}
