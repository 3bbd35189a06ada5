import { randomBytes, randomUUID } from 'node:crypto';
import type { Permission } from '../protocol/rules.js';
import { GroupPermissions, type InvalidRole } from './group-permissions.js';

/**
 * What a connection needs of its WebSocket (a `ws` socket in practice). Declared here rather than
 * imported from `ws`, so the package's public declarations need no `@types/ws` in users' apps.
 */
export interface ClientSocket {
  readonly readyState: number;
  /** Bytes queued to be sent and not yet handed to the network (ws's count). */
  readonly bufferedAmount: number;
  send(data: string | Buffer, options?: { binary?: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export const JSON_SUBPROTOCOL = 'json.webpubsub.azure.v1';
export const RELIABLE_JSON_SUBPROTOCOL = 'json.reliable.webpubsub.azure.v1';

/** plain: raw frames, no envelope; json / reliable: the JSON subprotocols. */
export type ProtocolKind = 'plain' | 'json' | 'reliable';
export type DataType = 'json' | 'text' | 'binary';

/** A message body as the emulator carries it: JSON text, UTF-8 text, or bytes. */
export interface Payload {
  dataType: DataType;
  bytes: Buffer;
}

/** Where a message came from, as the client sees it. */
export type MessageSource = { from: 'server' } | { from: 'group'; group: string; fromUserId?: string };

/** The reliable protocol's replay buffer limits (as the service's); past them the connection is closed for good. */
export const MAX_UNACKED_MESSAGES = 1000;
export const MAX_UNACKED_BYTES = 16 * 1024 * 1024;

/**
 * One client connection: identity, roles, permissions, and (for the reliable protocol) sequence ids
 * and the buffer of messages not yet acknowledged. The socket may be absent while a dropped
 * reliable connection waits to be recovered.
 */
export class ClientConnection {
  reconnectionToken = randomBytes(24).toString('base64url');
  socket: ClientSocket | null = null;
  readonly groups = new Set<string>();
  /** Pattern roles the connection was given that the service cannot use (they grant nothing). */
  readonly invalidRoles: InvalidRole[] = [];
  /** Its group permissions: from its roles, then changed by grant / revoke over REST. */
  readonly permissions: Record<Permission, GroupPermissions>;
  /** ackIds whose request succeeded (a repeat gets `Duplicate`). */
  readonly succeededAckIds = new Set<number>();
  /** `ce-connectionState` as last set by a blocking event's response. */
  connectionState?: string;
  closed = false;
  /**
   * Ends the connection for good when the replay buffer is full. The owner sets it: a plain
   * socket close would look like a drop and leave the connection waiting for a recovery.
   */
  onBufferFull: () => void = () => {
    this.closed = true;
    this.closeSocket(1008, 'The reliable message buffer is full.');
  };
  /** Bytes that may wait to be sent to this client before it counts as too slow. */
  bufferLimitBytes = Number.POSITIVE_INFINITY;
  /** Ends a client that reads too slowly; the owner sets it (see onBufferFull for why). */
  onTooSlow: () => void = () => {
    this.closed = true;
    this.closeSocket(1008, 'The client reads too slowly.');
  };
  private sequenceId = 0;
  private readonly unacked: Array<{ sequenceId: number; frame: string; bytes: number }> = [];
  private unackedBytes = 0;
  private recoveryTimer?: NodeJS.Timeout;

  constructor(
    readonly connectionId: string,
    readonly hub: string,
    readonly userId: string | undefined,
    readonly roles: ReadonlySet<string>,
    readonly subprotocol: string | undefined,
    readonly kind: ProtocolKind,
    readonly upstreamContext: {
      claims: Record<string, string[]>;
      query: Record<string, string[]>;
      headers: Record<string, string[]>;
    },
  ) {
    this.permissions = {
      joinLeaveGroup: new GroupPermissions('joinLeaveGroup', roles, this.invalidRoles),
      sendToGroup: new GroupPermissions('sendToGroup', roles, this.invalidRoles),
    };
  }

  /** Delivers a message in the form the connection's protocol expects. Returns false if it had to be dropped. */
  deliver(source: MessageSource, payload: Payload): boolean {
    if (this.closed) return false;
    if (this.kind === 'plain') {
      if (!this.isOpen() || this.tooSlow()) return false;
      this.socket!.send(payload.dataType === 'binary' ? payload.bytes : payload.bytes.toString('utf8'), {
        binary: payload.dataType === 'binary',
      });
      return true;
    }
    const frame: Record<string, unknown> = {
      type: 'message',
      ...source,
      dataType: payload.dataType,
      data: toFrameData(payload),
    };
    if (this.isOpen() && this.tooSlow()) return false;
    if (this.kind === 'reliable') {
      frame.sequenceId = this.sequenceId + 1;
      const text = JSON.stringify(frame);
      const bytes = Buffer.byteLength(text);
      if (this.unacked.length >= MAX_UNACKED_MESSAGES || this.unackedBytes + bytes > MAX_UNACKED_BYTES) {
        // The message is not taken (its sequence id stays unused) and the connection ends.
        this.onBufferFull();
        return false;
      }
      this.sequenceId++;
      this.unacked.push({ sequenceId: this.sequenceId, frame: text, bytes });
      this.unackedBytes += bytes;
      if (this.isOpen()) this.socket!.send(text);
      return true;
    }
    if (!this.isOpen()) return false;
    this.socket!.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a control frame (ack, system, pong) to JSON-protocol clients. */
  sendFrame(frame: Record<string, unknown>): void {
    if (this.kind !== 'plain' && this.isOpen() && !this.tooSlow()) this.socket!.send(JSON.stringify(frame));
  }

  /**
   * Whether the client has more waiting for it than its limit; if so it is ended (once). A closed
   * connection's last frames (`disconnected`) still go: they are few and small.
   */
  private tooSlow(): boolean {
    if (this.closed || this.socket!.bufferedAmount <= this.bufferLimitBytes) return false;
    this.onTooSlow();
    return true;
  }

  /** Drops buffered messages up to and including `sequenceId` (the client has them). */
  acknowledge(sequenceId: number): void {
    let trimmed = 0;
    while (trimmed < this.unacked.length && this.unacked[trimmed].sequenceId <= sequenceId)
      this.unackedBytes -= this.unacked[trimmed++].bytes;
    // One splice rather than a shift per message: a client may acknowledge hundreds at once.
    if (trimmed > 0) this.unacked.splice(0, trimmed);
  }

  /** Attaches a new socket after recovery and replays what the client has not acknowledged. */
  resume(socket: ClientSocket): void {
    this.cancelRecoveryTimer();
    this.socket = socket;
    this.reconnectionToken = randomBytes(24).toString('base64url');
    this.sendFrame({
      type: 'system',
      event: 'connected',
      userId: this.userId ?? '',
      connectionId: this.connectionId,
      reconnectionToken: this.reconnectionToken,
    });
    for (const { frame } of this.unacked) socket.send(frame);
  }

  waitForRecovery(windowMs: number, onExpired: () => void): void {
    this.socket = null;
    this.recoveryTimer = setTimeout(onExpired, windowMs);
    this.recoveryTimer.unref();
  }

  cancelRecoveryTimer(): void {
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
  }

  isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === 1;
  }

  closeSocket(code: number, reason: string): void {
    if (this.socket && this.socket.readyState <= 1) this.socket.close(code, closeFrameReason(reason));
  }

  /** Roles from the token or connect response, as changed by grant / revoke over REST. */
  may(action: Permission, group: string): boolean {
    return this.permissions[action].allows(group);
  }
}

/** A close frame holds 123 bytes of reason (125 less the code); ws throws past that. */
const MAX_CLOSE_REASON_BYTES = 123;

/** The reason cut to what a close frame holds, at a character boundary (the full text goes elsewhere). */
export function closeFrameReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = '';
  let bytes = 0;
  for (const character of reason) {
    bytes += Buffer.byteLength(character);
    if (bytes > MAX_CLOSE_REASON_BYTES) break;
    cut += character;
  }
  return cut;
}

/** Connection ids look like the service's: 22 URL-safe characters. */
export function newConnectionId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 22);
}

/** JSON frames carry JSON as a value, text as a string, binary as base64. */
export function toFrameData(payload: Payload): unknown {
  if (payload.dataType === 'json') return JSON.parse(payload.bytes.toString('utf8'));
  if (payload.dataType === 'text') return payload.bytes.toString('utf8');
  return payload.bytes.toString('base64');
}

/** Maps a REST or upstream Content-Type to a payload data type. */
export function dataTypeOf(contentType: string | undefined): DataType | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'text/plain') return 'text';
  if (type === 'application/octet-stream') return 'binary';
  return undefined;
}

export function contentTypeOf(dataType: DataType): string {
  return dataType === 'json' ? 'application/json' : dataType === 'text' ? 'text/plain' : 'application/octet-stream';
}
