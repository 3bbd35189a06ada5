import http from 'node:http';
import { WebSocketServer } from 'ws';
import { WebPubSubEmulator } from '../../lib/emulator/index.js';

/*
 * The fan-out benchmark's servers, each run as its own process (`node fanout-servers.js emulator`
 * or `... plain`): the emulator, and its peer, a bare `ws` server whose POST /broadcast sends the
 * body to every socket (the floor of what a fan-out costs). Prints the connection string or URL.
 */
if (process.argv[2] === 'emulator') {
  const emulator = await WebPubSubEmulator.start();
  process.stdout.write(`${emulator.connectionString}\n`);
} else {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      for (const socket of sockets.clients) socket.send(body);
      response.writeHead(202).end();
    });
  });
  const sockets = new WebSocketServer({ server });
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`http://127.0.0.1:${(server.address() as { port: number }).port}\n`),
  );
}
