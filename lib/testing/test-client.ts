import WebSocket from 'ws';
import type { GenerateClientTokenOptions } from '../client/client-access-token.js';
import { TestClientMessages } from './test-client.messages.js';

/** A message the client received from the service (server and group messages, event answers). */
export interface ReceivedMessage {
  from: 'server' | 'group';
  /** The group, for group messages. */
  group?: string;
  /** The sender's user id, for group messages sent by a client. */
  fromUserId?: string;
  dataType: 'json' | 'text' | 'binary';
  /** Parsed JSON, a string, or a Buffer for binary data. */
  data: unknown;
}

export type TestClientDataType = ReceivedMessage['dataType'];

/** Anything that can mint a client access URL: `WebPubSubService`, `WebPubSubRestClient`. */
export interface ClientAccessUrlSource {
  getClientAccessToken(options?: GenerateClientTokenOptions): Promise<{ url: string }>;
}

interface Ack {
  success: boolean;
  error?: { name: string; message: string };
}

const PROTOCOL = 'json.webpubsub.azure.v1';
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * A small Web PubSub client for tests of your own app: it connects with the JSON subprotocol,
 * records every message it receives, and waits for the ones you expect. It keeps no timers, so a
 * test runner exits as soon as it is closed (the official client's keep-alive timers outlive it).
 *
 * @example
 * const client = await WebPubSubTestClient.connect(service, { userId: 'bob', groups: ['lobby'] });
 * await request(app.getHttpServer()).post('/rooms/lobby/messages').send({ text: 'hi' });
 * expect((await client.waitForMessage((m) => m.group === 'lobby')).data).toEqual({ text: 'hi' });
 * await client.close();
 */
export class WebPubSubTestClient {
  /** Everything received, in order. */
  readonly messages: ReceivedMessage[] = [];
  private readonly acks = new Map<number, (ack: Ack) => void>();
  private readonly listeners = new Set<() => void>();
  private nextAckId = 1;
  private closed = false;

  private connection?: { connectionId: string; userId?: string };

  private constructor(private readonly socket: WebSocket) {
    // Listening from the first frame: messages may arrive in the same chunk as `connected`.
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('close', () => {
      this.closed = true;
      for (const settle of this.acks.values()) settle({ success: false, error: { name: 'Closed', message: 'closed' } });
      this.acks.clear();
      this.notify();
    });
  }

  /** The connection id the service gave this client. */
  get connectionId(): string {
    return this.connection!.connectionId;
  }

  /** The user id the token (or a connect handler) gave it, if any. */
  get userId(): string | undefined {
    return this.connection!.userId;
  }

  /**
   * Connects with a client access URL, or with a service (or REST client) that mints one with
   * `tokenOptions` (userId, groups, roles, …). Resolves once the service says the client is
   * connected (after any connect event handler accepted it).
   */
  static async connect(
    urlOrService: string | ClientAccessUrlSource,
    tokenOptions: GenerateClientTokenOptions = {},
  ): Promise<WebPubSubTestClient> {
    const url =
      typeof urlOrService === 'string' ? urlOrService : (await urlOrService.getClientAccessToken(tokenOptions)).url;
    const socket = new WebSocket(url, PROTOCOL);
    const client = new WebPubSubTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        client.listeners.delete(onConnected);
        socket.terminate();
        reject(error);
      };
      const onConnected = () => {
        if (!client.connection) return;
        client.listeners.delete(onConnected);
        socket.off('close', onClose);
        resolve();
      };
      const onClose = (code: number, reason: Buffer) =>
        fail(new Error(TestClientMessages.closedBeforeConnected(code, reason.toString())));
      client.listeners.add(onConnected);
      socket.once('close', onClose);
      socket.once('error', (error) => fail(new Error(TestClientMessages.connectFailed(error.message))));
      socket.once('unexpected-response', (_request, response) =>
        fail(new Error(TestClientMessages.connectFailed(`HTTP ${response.statusCode}`))),
      );
    });
    // Errors after connecting show up as a closed connection (failed acks, close()).
    socket.on('error', () => undefined);
    return client;
  }

  /**
   * Resolves with the first message (already received or still to come) that `matches`, or fails
   * after `timeoutMs` naming what it waited for.
   */
  waitForMessage(
    matches: (message: ReceivedMessage) => boolean = () => true,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<ReceivedMessage> {
    return this.waitUntil(() => this.messages.find(matches), 'a matching message', timeoutMs);
  }

  /** Resolves once `count` messages have been received in total. */
  waitForMessages(count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReceivedMessage[]> {
    return this.waitUntil(
      () => (this.messages.length >= count ? this.messages.slice(0, count) : undefined),
      `${count} messages`,
      timeoutMs,
    );
  }

  /** Sends a user event (to your `@OnUserEvent` handler); resolves when the service acknowledged it. */
  async sendEvent(event: string, data: unknown, dataType: TestClientDataType = 'json'): Promise<void> {
    return this.request(`Event "${event}"`, { type: 'event', event, ...encode(data, dataType) });
  }

  /** Joins a group (needs the `webpubsub.joinLeaveGroup` role, or a group the token already names). */
  joinGroup(group: string): Promise<void> {
    return this.request(`Joining group "${group}"`, { type: 'joinGroup', group });
  }

  leaveGroup(group: string): Promise<void> {
    return this.request(`Leaving group "${group}"`, { type: 'leaveGroup', group });
  }

  /** Publishes to a group (needs the `webpubsub.sendToGroup` role). */
  async sendToGroup(
    group: string,
    data: unknown,
    dataType: TestClientDataType = 'json',
    options: { noEcho?: boolean } = {},
  ): Promise<void> {
    return this.request(`Sending to group "${group}"`, {
      type: 'sendToGroup',
      group,
      noEcho: options.noEcho ?? false,
      ...encode(data, dataType),
    });
  }

  /** Closes the connection; resolves once it is closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.close(1000);
    await done;
  }

  private request(action: string, frame: Record<string, unknown>): Promise<void> {
    if (this.closed) return Promise.reject(new Error(TestClientMessages.notConnected()));
    const ackId = this.nextAckId++;
    return new Promise((resolve, reject) => {
      this.acks.set(ackId, (ack) => {
        if (ack.success) resolve();
        else if (ack.error?.name === 'Closed') reject(new Error(TestClientMessages.closedBeforeAck(action)));
        else
          reject(new Error(TestClientMessages.ackFailed(action, ack.error?.name ?? 'Error', ack.error?.message ?? '')));
      });
      this.socket.send(JSON.stringify({ ...frame, ackId }));
    });
  }

  private receive(text: string): void {
    const frame = JSON.parse(text) as Record<string, unknown>;
    if (frame.type === 'ack') {
      const settle = this.acks.get(frame.ackId as number);
      this.acks.delete(frame.ackId as number);
      settle?.(frame as unknown as Ack);
    } else if (frame.type === 'system' && frame.event === 'connected') {
      this.connection = {
        connectionId: frame.connectionId as string,
        userId: (frame.userId as string | null) ?? undefined,
      };
      this.notify();
    } else if (frame.type === 'message') {
      const dataType = (frame.dataType as TestClientDataType | undefined) ?? 'json';
      this.messages.push({
        from: frame.from as ReceivedMessage['from'],
        ...(frame.group !== undefined ? { group: frame.group as string } : {}),
        ...(frame.fromUserId ? { fromUserId: frame.fromUserId as string } : {}),
        dataType,
        data: dataType === 'binary' ? Buffer.from(frame.data as string, 'base64') : frame.data,
      });
      this.notify();
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private waitUntil<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const found = check();
    if (found !== undefined) return Promise.resolve(found);
    if (this.closed) return Promise.reject(new Error(TestClientMessages.closedWhileWaiting(what)));
    return new Promise((resolve, reject) => {
      const listener = () => {
        const value = check();
        if (value !== undefined) finish(() => resolve(value));
        else if (this.closed) finish(() => reject(new Error(TestClientMessages.closedWhileWaiting(what))));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(TestClientMessages.timedOut(what, timeoutMs)))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        settle();
      };
      this.listeners.add(listener);
    });
  }
}

function encode(data: unknown, dataType: TestClientDataType): { dataType: TestClientDataType; data: unknown } {
  if (dataType === 'binary') {
    if (!(data instanceof Uint8Array)) throw new TypeError(TestClientMessages.binaryNeedsBytes());
    return { dataType, data: Buffer.from(data).toString('base64') };
  }
  if (dataType === 'text' && typeof data !== 'string') throw new TypeError(TestClientMessages.textNeedsString());
  return { dataType, data };
}
