import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * A loopback port that was free a moment ago, for servers that must know their URL before they
 * start (an emulator configured with the app's event route before the app listens).
 *
 * Picked below the kernel's ephemeral range: a port from `listen(0)` comes from that range, and so
 * do the local ports of outgoing connections, so between the probe and the real listen any client
 * socket of the run (the emulator's upstream calls, a test client) could take it (seen as
 * EADDRINUSE with 2 jest workers). Below the range only another explicit bind can, and each pick is
 * random and checked by binding it.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  for (let attempt = 0; attempt < 50 && ephemeralLow - low > 1_000; attempt++) {
    const port = low + Math.floor(Math.random() * (ephemeralLow - low));
    if (await canListen(port)) return port;
  }
  return listenAndRelease(0);
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low, high];
  } catch {
    // Not Linux: listen(0) below.
  }
  return [0, 0];
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenAndRelease(port);
    return true;
  } catch {
    return false;
  }
}

async function listenAndRelease(port: number): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return bound;
}
