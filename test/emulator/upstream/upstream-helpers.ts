import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebPubSubClient } from '@azure/web-pubsub-client';
import WebSocket from 'ws';
import type { EmulatorLogger } from '../../../lib/emulator/index.js';

/** A list that tests can wait on: `waitFor` resolves with the first item (past or future) that matches. */
export class EventLog<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<{ match: (item: T) => boolean; resolve: (item: T) => void }>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(item)) {
        this.waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  waitFor(match: (item: T) => boolean, label: string, timeoutMs = 5000): Promise<T> {
    const found = this.items.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${label}; saw ${this.items.length} item(s).`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      this.waiters.add(waiter);
    });
  }
}

/** One request as a raw upstream receiver saw it. */
export interface CapturedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Responder = (request: CapturedRequest, response: http.ServerResponse) => void;

export interface Receiver {
  port: number;
  requests: EventLog<CapturedRequest>;
  /** Events (POSTs) whose ce-type ends with `type`, e.g. `sys.connected` or `user.echo`. */
  posts(type: string, connectionId?: string): CapturedRequest[];
  close(): Promise<void>;
}

/** A plain node:http event handler that records every request (with its whole body) and lets `respond` answer. */
export async function startReceiver(respond: Responder): Promise<Receiver> {
  const requests = new EventLog<CapturedRequest>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const captured = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) };
      requests.push(captured);
      respond(captured, response);
    });
  });
  const port = await listen(server);
  return {
    port,
    requests,
    posts: (type, connectionId) =>
      requests.items.filter(
        (r) => r.method === 'POST' && String(r.headers['ce-type']).endsWith(type) && (connectionId === undefined || r.headers['ce-connectionid'] === connectionId),
      ),
    close: () => closeServer(server),
  };
}

/** Answers the abuse-protection handshake as a well-behaved handler does. */
export function allowAnyOrigin(response: http.ServerResponse): void {
  response.writeHead(200, { 'WebHook-Allowed-Origin': '*' }).end();
}

export async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A logger that keeps every line, to check what the emulator reported (and that no key leaked). */
export function recordingLogger(): EmulatorLogger & { lines: EventLog<string> } {
  const lines = new EventLog<string>();
  return { lines, log: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

/** A raw `ws` client: resolves once open (collecting text frames), or rejects with the HTTP status of a refused upgrade. */
export function openSocket(url: string, protocols: string[] = ['json.webpubsub.azure.v1']): Promise<{ ws: WebSocket; frames: EventLog<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const frames = new EventLog<Record<string, unknown>>();
    ws.on('message', (data, isBinary) => {
      if (!isBinary) frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
    });
    ws.on('error', (error) => reject(error));
    ws.on('unexpected-response', (request, response) => {
      response.resume();
      request.destroy();
      reject(Object.assign(new Error(`upgrade refused with HTTP ${response.statusCode}`), { status: response.statusCode }));
    });
    ws.on('open', () => resolve({ ws, frames }));
  });
}

/** Closes a raw socket and waits until it is closed. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}

/**
 * Watches an official client from creation so `stop()` can wait for its `stopped` event even when
 * the client already stopped on its own (server close with autoReconnect off): no socket or timer
 * outlives the test.
 */
export function stoppable(client: WebPubSubClient): () => Promise<void> {
  const stopped = new Promise<void>((resolve) => client.on('stopped', () => resolve()));
  return () => {
    client.stop();
    return stopped;
  };
}
