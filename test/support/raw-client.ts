import { WebSocket } from 'ws';
import { waitFor } from './wait-for.js';

/** The subprotocols of the client endpoint. */
export const JSON_PROTOCOL = 'json.webpubsub.azure.v1';
export const RELIABLE_PROTOCOL = 'json.reliable.webpubsub.azure.v1';

/** Raw frames as `ws` hands them over: text as string, binary as Buffer. */
export interface Frame {
  data: string | Buffer;
  isBinary: boolean;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

/** The HTTP status of a refused WebSocket upgrade. */
export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`The WebSocket upgrade was refused with HTTP ${status}`);
  }
}

/**
 * A raw `ws` client that keeps every frame as it came, for tests of the wire itself: frames are read
 * in order with `next()`, so a test can assert exactly what came and that nothing else did.
 */
export class RawClient {
  readonly frames: Frame[] = [];
  closeEvent?: CloseEvent;
  private read = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.frames.push({ data: isBinary ? bytes : bytes.toString('utf8'), isBinary });
    });
    ws.on('close', (code, reason) => (this.closeEvent = { code, reason: reason.toString('utf8') }));
    ws.on('error', () => undefined);
  }

  /** Opens a socket; rejects with HandshakeRefused if the upgrade is refused. */
  static async open(url: string, protocols?: string | string[], headers?: Record<string, string>): Promise<RawClient> {
    const ws = new WebSocket(url, protocols, { headers });
    const raw = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (request, response) => {
        reject(new HandshakeRefused(response.statusCode ?? 0));
        response.resume();
        request.destroy();
      });
      ws.once('error', reject);
    });
    return raw;
  }

  /** True until the socket starts closing. */
  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** The next unread frame. */
  async next(what = 'the next frame'): Promise<Frame> {
    const frame = await waitFor(() => this.frames[this.read], what);
    this.read++;
    return frame;
  }

  /** The next unread frame, parsed as a JSON-subprotocol message. */
  async nextJson(what = 'the next JSON frame'): Promise<Record<string, unknown>> {
    const frame = await this.next(what);
    if (frame.isBinary) throw new Error(`Expected a text frame for ${what}, got a binary one`);
    return JSON.parse(frame.data as string) as Record<string, unknown>;
  }

  /** Frames received but not yet read. */
  unread(): Frame[] {
    return this.frames.slice(this.read);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  /** Sends `ping` and waits for `pong`: every frame sent before has then been processed. */
  async roundTrip(): Promise<void> {
    this.send({ type: 'ping' });
    const frame = await this.nextJson('pong');
    if (frame.type !== 'pong') throw new Error(`Expected pong, got ${JSON.stringify(frame)}`);
  }

  async closed(what = 'the socket to close'): Promise<CloseEvent> {
    return waitFor(() => this.closeEvent, what);
  }

  async close(): Promise<void> {
    if (this.closeEvent) return;
    this.ws.close();
    await waitFor(() => this.closeEvent, 'the raw client to close', 2000).catch(() => this.ws.terminate());
  }
}

/** The HTTP status with which the upgrade is refused; fails (after closing the socket) if it is accepted. */
export async function refusalStatus(
  url: string,
  protocols?: string | string[],
  headers?: Record<string, string>,
): Promise<number> {
  let accepted: RawClient;
  try {
    accepted = await RawClient.open(url, protocols, headers);
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.status;
    throw error;
  }
  await accepted.close();
  throw new Error(`The upgrade of ${url.replace(/access_token=[^&]*/, 'access_token=…')} was accepted`);
}
