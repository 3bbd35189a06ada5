import http from 'node:http';

/*
 * A keep-alive HTTP server that answers every request 202 with an empty body, as Web PubSub answers
 * a send. Run as its own process (`node accepting-server.js [delayMs]`) so its work never shares the
 * measured process's CPU or event loop; it prints its port on stdout. With a delay it plays a slow
 * service.
 */
const delayMs = Number(process.argv[2] ?? 0);
let served = 0;

const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    served++;
    const answer = () => response.writeHead(202, { 'content-length': '0' }).end();
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
// `served` on request, for checks that every send arrived.
process.on('message', () => process.send?.(served));
