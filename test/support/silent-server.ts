import net from 'node:net';

/** A TCP server on loopback that accepts connections, reads what arrives and never answers. */
export interface SilentServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** A connection string for this server (any key: nothing is ever checked). */
  connectionString: string;
  /** Request lines received so far (`POST /api/hubs/chat/:send?...`), in arrival order. */
  readonly requestLines: string[];
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * The service that accepts TCP and never answers (a hung load balancer, a stopped process behind a
 * live port): real sockets, so the client's own timers and the pipeline are what is tested.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  const requestLines: string[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      for (const line of chunk.toString('latin1').split('\r\n')) {
        if (/^(GET|POST|PUT|DELETE|HEAD) \//.test(line)) requestLines.push(line.replace(/ HTTP\/1\.1$/, ''));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    connectionString: `Endpoint=${url};AccessKey=SilentServerKey0123456789abcdefABCDEF=;Version=1.0;`,
    requestLines,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
