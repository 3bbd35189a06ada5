import net from 'node:net';

/** Resolves with the error code of a TCP connect to the port (`ECONNREFUSED` once nothing listens). */
export function connectOutcome(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** The port of an `http://host:port` endpoint. */
export function portOf(endpoint: string): number {
  return Number(new URL(endpoint).port);
}
