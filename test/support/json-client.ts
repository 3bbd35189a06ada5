import { JSON_PROTOCOL, RawClient } from './raw-client.js';
import { waitFor } from './wait-for.js';

/** A JSON-subprotocol frame as the service sends it (the fields tests read). */
export interface JsonFrame {
  type: string;
  event?: string;
  from?: string;
  group?: string;
  dataType?: string;
  data?: unknown;
  message?: string;
  connectionId?: string;
  userId?: string;
  ackId?: number;
  success?: boolean;
  error?: { name: string; message?: string };
  [field: string]: unknown;
}

/**
 * A raw client whose text frames are read as JSON-subprotocol messages, searched rather than read in
 * order: for tests that check what the service put on the wire (binary data still base64, system
 * messages included), where the library's WebPubSubTestClient would decode it.
 */
export class JsonClient {
  private readonly parsed: JsonFrame[] = [];
  private parsedUpTo = 0;

  private constructor(
    readonly raw: RawClient,
    readonly name: string,
  ) {}

  /** Connects (as `name` in failure messages) and waits for the `connected` message. */
  static async connect(url: string, name: string, protocols: string | string[] = JSON_PROTOCOL): Promise<JsonClient> {
    const client = new JsonClient(await RawClient.open(url, protocols), name);
    try {
      await client.waitFrame(
        (frame) => frame.type === 'system' && frame.event === 'connected',
        'the connected message',
      );
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** Every text frame so far, parsed, in order. */
  get frames(): JsonFrame[] {
    for (; this.parsedUpTo < this.raw.frames.length; this.parsedUpTo++) {
      const frame = this.raw.frames[this.parsedUpTo];
      if (!frame.isBinary) this.parsed.push(JSON.parse(frame.data as string) as JsonFrame);
    }
    return this.parsed;
  }

  get connectionId(): string {
    return this.frames.find((frame) => frame.event === 'connected')!.connectionId!;
  }

  /** Data of every `message` frame, in order. */
  get received(): unknown[] {
    return this.frames.filter((frame) => frame.type === 'message').map((frame) => frame.data);
  }

  /** The close code, once closed. */
  get closeCode(): number | undefined {
    return this.raw.closeEvent?.code;
  }

  send(frame: Record<string, unknown>): void {
    this.raw.send(frame);
  }

  /** Sends a frame with an ackId and waits for its ack. */
  async request(frame: Record<string, unknown>, ackId: number): Promise<JsonFrame> {
    this.send({ ...frame, ackId });
    return this.waitFrame((f) => f.type === 'ack' && f.ackId === ackId, `ack ${ackId}`);
  }

  /** The first frame (already received or still to come) that matches. */
  waitFrame(match: (frame: JsonFrame) => boolean, what: string, timeoutMs?: number): Promise<JsonFrame> {
    return waitFor(() => this.frames.find(match), `${this.name} to receive ${what}`, timeoutMs);
  }

  /** Waits for a message whose data equals `data`. */
  waitData(data: unknown): Promise<JsonFrame> {
    return this.waitFrame(
      (frame) => frame.type === 'message' && JSON.stringify(frame.data) === JSON.stringify(data),
      JSON.stringify(data),
    );
  }

  /** Waits until the service closed the socket; resolves with the close code. */
  waitClosed(): Promise<number> {
    return waitFor(() => this.closeCode, `${this.name} to be closed`);
  }

  close(): Promise<void> {
    return this.raw.close();
  }
}
