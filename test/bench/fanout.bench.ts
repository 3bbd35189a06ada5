import WebSocket from 'ws';
import { WebPubSubRestClient } from '../../lib/index.js';
import { startChild, stopChild } from './child-process.js';
import { median, printTable, round } from './stats.js';

/*
 * Emulator fan-out: one REST broadcast to 1,000 and 5,000 connected WebSocket clients (JSON
 * subprotocol), timed from the call until the last client has it. The emulator runs in its own
 * process; the clients live here. The peer, in the same run with the same clients: a bare `ws`
 * server that writes the body to every socket (the floor of a fan-out on this machine).
 */

export interface FanoutResult {
  clients: number;
  emulatorMs: number;
  plainWsMs: number;
  emulatorVsPlain: number;
}

/** Opens `count` sockets, 200 at a time, each counting the frames that contain `marker`. */
async function openClients(url: string, protocol: string | undefined, count: number, ready: (data: string) => boolean) {
  const sockets: WebSocket[] = [];
  const listeners = new Set<(data: string) => void>();
  for (let opened = 0; opened < count; opened += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - opened) }, async () => {
        const socket = new WebSocket(url, protocol);
        sockets.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          const onMessage = (data: WebSocket.RawData) => {
            if (!ready(data.toString())) return;
            socket.off('message', onMessage);
            resolve();
          };
          socket.on('message', onMessage);
          if (!protocol) socket.once('open', () => resolve());
        });
        socket.on('message', (data) => listeners.forEach((listener) => listener(data.toString())));
      }),
    );
  }
  return {
    /** Resolves when every socket has received a frame containing `marker`. */
    allReceive(marker: string): Promise<void> {
      return new Promise((resolve) => {
        let left = count;
        const listener = (data: string) => {
          if (!data.includes(marker)) return;
          if (--left === 0) {
            listeners.delete(listener);
            resolve();
          }
        };
        listeners.add(listener);
      });
    },
    close: () => sockets.forEach((socket) => socket.terminate()),
  };
}

async function time(send: () => Promise<unknown>, arrived: Promise<void>): Promise<number> {
  const started = performance.now();
  await send();
  await arrived;
  return performance.now() - started;
}

export async function benchFanout(options: { rounds: number; sizes: number[] }): Promise<FanoutResult[]> {
  const emulatorProcess = await startChild('./fanout-servers.js', {}, ['emulator']);
  const plainProcess = await startChild('./fanout-servers.js', {}, ['plain']);
  try {
    const service = new WebPubSubRestClient(emulatorProcess.firstLine, 'chat');
    const { url } = await service.getClientAccessToken({ userId: 'bench', expirationTimeInMinutes: 60 });
    const plainUrl = plainProcess.firstLine;
    const results: FanoutResult[] = [];
    for (const size of options.sizes) {
      const viaEmulator = await openClients(url, 'json.webpubsub.azure.v1', size, (data) =>
        data.includes('"event":"connected"'),
      );
      const viaPlain = await openClients(plainUrl.replace('http', 'ws'), undefined, size, () => true);
      const emulatorMs: number[] = [];
      const plainMs: number[] = [];
      for (let round = 0; round < options.rounds + 1; round++) {
        const marker = `round-${size}-${round}`;
        const e = await time(() => service.sendToAll({ marker }), viaEmulator.allReceive(marker));
        const p = await time(
          () => fetch(`${plainUrl}/broadcast`, { method: 'POST', body: JSON.stringify({ marker }) }),
          viaPlain.allReceive(marker),
        );
        // Round 0 warms both paths up and is not counted.
        if (round > 0) {
          emulatorMs.push(e);
          plainMs.push(p);
        }
      }
      viaEmulator.close();
      viaPlain.close();
      results.push({
        clients: size,
        emulatorMs: round(median(emulatorMs), 1),
        plainWsMs: round(median(plainMs), 1),
        emulatorVsPlain: round(median(emulatorMs.map((ms, i) => ms / plainMs[i]))),
      });
    }
    printTable(
      `Emulator fan-out: one broadcast until every client has it; medians of ${options.rounds} rounds`,
      results.map((r) => ({
        clients: r.clients,
        'emulator ms': r.emulatorMs,
        'bare ws ms': r.plainWsMs,
        'emulator ÷ bare ws': r.emulatorVsPlain,
      })),
    );
    return results;
  } finally {
    await stopChild(emulatorProcess.child);
    await stopChild(plainProcess.child);
  }
}
