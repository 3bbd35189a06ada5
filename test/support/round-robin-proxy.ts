import http from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server.js';

/** One request the proxy forwarded: where to, and what it was. */
export interface ProxiedRequest {
  target: number;
  method: string;
  path: string;
  /** `ce-type` of an upstream event (undefined for the abuse-protection handshake). */
  eventType?: string;
  status: number;
}

/**
 * A load balancer in front of several app processes, as a real deployment puts one in front of its
 * replicas: each incoming request (upstream events and the abuse-protection handshake alike) goes to
 * the next target in turn, over real sockets, with its method, path, headers and body; the target's
 * answer goes back unchanged. `requests` records where each one went.
 */
export class RoundRobinProxy {
  readonly requests: ProxiedRequest[] = [];
  private next = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(targets: readonly string[]): Promise<RoundRobinProxy> {
    const holder: { proxy?: RoundRobinProxy } = {};
    const server = http.createServer((request, response) => holder.proxy!.forward(targets, request, response));
    const port = await listenOnLoopback(server);
    holder.proxy = new RoundRobinProxy(server, `http://127.0.0.1:${port}`);
    return holder.proxy;
  }

  /** How many requests went to each target. */
  countsPerTarget(targetCount: number): number[] {
    const counts = new Array<number>(targetCount).fill(0);
    for (const request of this.requests) counts[request.target]++;
    return counts;
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  private forward(targets: readonly string[], request: http.IncomingMessage, response: http.ServerResponse): void {
    const target = this.next++ % targets.length;
    const url = new URL(request.url ?? '/', targets[target]);
    const headers = { ...request.headers, host: url.host };
    const upstream = http.request(url, { method: request.method, headers }, (answer) => {
      const eventType = request.headers['ce-type'];
      this.requests.push({
        target,
        method: request.method ?? '',
        path: request.url ?? '',
        eventType: typeof eventType === 'string' ? eventType : undefined,
        status: answer.statusCode ?? 0,
      });
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      this.requests.push({ target, method: request.method ?? '', path: request.url ?? '', status: 502 });
      response.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: target ${target} failed: ${error.message}`);
    });
    request.pipe(upstream);
  }
}
