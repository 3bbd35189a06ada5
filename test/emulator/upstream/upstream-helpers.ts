import { afterAll, beforeAll } from '@jest/globals';
import http from 'node:http';
import type { EmulatorLogger, WebPubSubEmulator, WebPubSubEmulatorOptions } from '../../../lib/emulator/index.js';
import { useEmulator, type EmulatorStage } from '../../support/emulator-stage.js';
import { closeServer, listenOnLoopback } from '../../support/loopback-server.js';

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
      const captured = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(captured);
      respond(captured, response);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    port,
    requests,
    posts: (type, connectionId) =>
      requests.items.filter(
        (r) =>
          r.method === 'POST' &&
          String(r.headers['ce-type']).endsWith(type) &&
          (connectionId === undefined || r.headers['ce-connectionid'] === connectionId),
      ),
    close: () => closeServer(server),
  };
}

/** An emulator whose events go to a receiver, for a describe block. */
export interface UpstreamStage extends EmulatorStage {
  readonly receiver: Receiver;
}

/**
 * Starts a receiver answering with `respond`, then an emulator with `options(receiver.port)`, before
 * the block; after it, stops the emulator, then closes the receiver.
 */
export function useUpstreamStage(
  respond: Responder,
  options: (receiverPort: number) => WebPubSubEmulatorOptions,
): UpstreamStage {
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    receiver = await startReceiver(respond);
  });
  const stage = useEmulator(() => options(receiver!.port));
  afterAll(() => receiver?.close());
  return {
    get emulator(): WebPubSubEmulator {
      return stage.emulator;
    },
    get receiver(): Receiver {
      return receiver!;
    },
    defer: (close) => stage.defer(close),
  };
}

/** Answers the abuse-protection handshake as a well-behaved handler does. */
export function allowAnyOrigin(response: http.ServerResponse): void {
  response.writeHead(200, { 'WebHook-Allowed-Origin': '*' }).end();
}

/** A logger that keeps every line, to check what the emulator reported (and that no key leaked). */
export function recordingLogger(): EmulatorLogger & { lines: EventLog<string> } {
  const lines = new EventLog<string>();
  return { lines, log: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}
