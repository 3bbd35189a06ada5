import { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long a connection may stay silent once the app is closing; a request's bytes follow the connect at once. */
export const UNUSED_CONNECTION_GRACE_MS = 250;

/**
 * Closes, at shutdown, the connections to the app's HTTP server on which no request ever arrived.
 * Node counts such a connection as busy (it waits for its headers, up to `headersTimeout`), so
 * `server.close()`, and with it `app.close()`, waits for it, as long as the client keeps it open
 * (Fastify's 72 s keep-alive hint lets one keep it that long). Node's fetch does this after it gave
 * up on an event answered late: as the old connection closes it opens a fresh one and sends nothing.
 * Connections that carried a request are left to Node and the platform (idle ones close at once).
 * Plain HTTP servers only: behind TLS or HTTP/2 the request's socket is not the accepted one.
 */
export class UnusedConnections {
  private readonly unused = new Map<Socket, number>();
  private closing = false;

  static track(server: unknown): UnusedConnections | undefined {
    return server instanceof Server ? new UnusedConnections(server) : undefined;
  }

  private constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.unused.set(socket, Date.now());
      socket.once('close', () => this.unused.delete(socket));
      if (this.closing) this.closeLater(socket, UNUSED_CONNECTION_GRACE_MS);
    });
    server.on('request', (request: { socket: Socket }) => this.unused.delete(request.socket));
  }

  /** At shutdown: a connection silent for the grace period is closed (at once, if it already was). */
  closeUnused(): void {
    this.closing = true;
    const now = Date.now();
    for (const [socket, acceptedAt] of this.unused)
      this.closeLater(socket, acceptedAt + UNUSED_CONNECTION_GRACE_MS - now);
  }

  private closeLater(socket: Socket, delayMs: number): void {
    const close = () => {
      if (this.unused.delete(socket)) socket.destroy();
    };
    if (delayMs <= 0) return close();
    setTimeout(close, delayMs).unref();
  }
}
