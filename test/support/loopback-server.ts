import type http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';

/** Listens on a free loopback port; resolves with the port. */
export async function listenOnLoopback(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Closes the server at once, keep-alive sockets included (a test's server must not hold jest open). */
export function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
