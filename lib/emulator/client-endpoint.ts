import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientPath } from '../protocol/client-token.js';
import { verifyJwt, type JwtClaims } from '../protocol/jwt.js';
import { isGroupName, isHubName } from '../protocol/rules.js';
import {
  ClientConnection,
  closeFrameReason,
  newConnectionId,
  JSON_SUBPROTOCOL,
  MAX_UNACKED_BYTES,
  MAX_UNACKED_MESSAGES,
  RELIABLE_JSON_SUBPROTOCOL,
  type ProtocolKind,
} from './client-connection.js';
import { ClientProtocol } from './client-protocol.js';
import { readConnectAnswer } from './connect-answer.js';
import { upstreamSubjectOf, type EmulatorCore } from './emulator-core.js';
import { EmulatorMessages } from './emulator.messages.js';
import { failureText } from './rest-auth.js';
import { clientText } from './upstream-request.js';

/** 1 MiB per frame, as the service allows. */
const MAX_FRAME_BYTES = 1024 * 1024;
/** Frames read from one client and not yet handled, past which its socket is paused. */
const MAX_WAITING_FRAMES = 4;
/** How long a client closed for reading too slowly gets to read up to the close frame. */
const SLOW_CLIENT_GRACE_MS = 5000;
const RESERVED_QUERY = new Set(['access_token', 'awps_connection_id', 'awps_reconnection_token']);

interface Admission {
  connectionId: string;
  hub: string;
  userId?: string;
  roles: Set<string>;
  groups: string[];
  subprotocol?: string;
  connectionState?: string;
  claims: Record<string, string[]>;
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
}

class Rejection extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The client endpoint `/client/hubs/{hub}`: checks the access token (401 before the upgrade),
 * runs the blocking `connect` event, echoes the chosen subprotocol, recovers dropped reliable
 * connections, and sends `connected` / `disconnected` upstream.
 */
export class ClientEndpoint {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (_offered, request) =>
      (request as IncomingMessage & { chosenProtocol?: string }).chosenProtocol ?? false,
  });
  private readonly protocol: ClientProtocol;
  /** Sockets between the upgrade request and the WebSocket (e.g. while the connect handler decides). */
  private readonly upgrading = new Set<Duplex>();
  private stopping = false;

  constructor(private readonly core: EmulatorCore) {
    this.protocol = new ClientProtocol(core);
  }

  matches(url: string): boolean {
    return /^\/client(\/|\?|$)/.test(url);
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.upgrading.add(socket);
    socket.once('close', () => this.upgrading.delete(socket));
    const offered = (request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((value) => value.trim())
      .filter(Boolean);
    try {
      const url = new URL(request.url ?? '/', 'http://emulator');
      const hub = hubOf(request.url ?? '/', url);
      if (!isHubName(hub)) throw new Rejection(400, EmulatorMessages.invalidHub(hub));
      const recoveryId = url.searchParams.get('awps_connection_id');
      const reconnectionToken = url.searchParams.get('awps_reconnection_token') ?? '';
      const recovering = !!recoveryId && this.recoverable(hub, recoveryId, reconnectionToken);
      const claims = this.verifyToken(request, url, hub, recovering);
      if (recoveryId) return this.recover(request, socket, head, hub, recoveryId, recovering);
      if (offered.some((name) => name.startsWith('protobuf.')) && !offered.some((name) => name.startsWith('json.'))) {
        throw new Rejection(400, EmulatorMessages.protobufUnsupported());
      }
      const admission = await this.admit(hub, claims, url, request, offered);
      // The same test ws makes before it would silently drop the upgrade.
      if (socket.destroyed || !socket.readable || !socket.writable) {
        socket.destroy(); // a half-closed socket would otherwise hold the emulator's server open
        return this.abandoned(admission);
      }
      (request as IncomingMessage & { chosenProtocol?: string }).chosenProtocol = admission.subprotocol;
      this.server.handleUpgrade(request, socket, head, (ws) => {
        this.upgrading.delete(socket);
        this.accept(ws, admission, url.searchParams);
      });
    } catch (error) {
      const status = error instanceof Rejection ? error.status : 500;
      if (!(error instanceof Rejection)) this.core.logger.error((error as Error).message);
      else if (status >= 400) this.core.logger.warn(`Client rejected with HTTP ${status}: ${error.message}`);
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Rejected'}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${error instanceof Rejection ? error.message : ''}`,
      );
    }
  }

  /**
   * The client left while the connect handler was deciding, and the handler accepted: the service
   * still ends an accepted connect with `disconnected`, so the handler can release what it set up.
   */
  private abandoned(admission: Admission): void {
    this.core.upstream
      .invoke(upstreamSubjectOf(admission), {
        kind: 'system',
        name: 'disconnected',
        body: { reason: EmulatorMessages.leftDuringConnect() },
      })
      .catch((error: Error) => this.core.logger.warn(error.message));
  }

  /** A real recovery still needs a token signed for this hub, but its expiry was checked at connect (the reconnection token vouches now). */
  private verifyToken(request: IncomingMessage, url: URL, hub: string, recovery: boolean): JwtClaims {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const token = url.searchParams.get('access_token') ?? bearer;
    if (!token) throw new Rejection(401, EmulatorMessages.missingToken());
    const accepted = new Set(
      [`http://${request.headers.host}`, this.core.options.endpoint].map((origin) =>
        `${origin}${clientPath(hub)}`.toLowerCase(),
      ),
    );
    const result = verifyJwt(token, {
      keys: this.core.options.keys,
      audience: (aud) => typeof aud === 'string' && accepted.has(aud.toLowerCase()),
      ...(recovery ? { clockSkewSeconds: Number.POSITIVE_INFINITY } : {}),
    });
    if (!result.ok) throw new Rejection(401, EmulatorMessages.unauthorized(failureText(result.reason)));
    return result.claims;
  }

  /** Token defaults, then the connect handler's answer (which may reject, or set userId/groups/roles/subprotocol). */
  private async admit(
    hub: string,
    claims: JwtClaims,
    url: URL,
    request: IncomingMessage,
    offered: string[],
  ): Promise<Admission> {
    const tokenGroups = asList(claims['webpubsub.group']);
    if (!tokenGroups.every(isGroupName)) {
      throw new Rejection(400, EmulatorMessages.invalidInitialGroup());
    }
    const admission: Admission = {
      connectionId: newConnectionId(),
      hub,
      userId: typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined,
      roles: new Set(asList(claims.role)),
      groups: tokenGroups,
      subprotocol:
        offered.find((name) => name === JSON_SUBPROTOCOL || name === RELIABLE_JSON_SUBPROTOCOL) ?? offered[0],
      claims: Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, asList(value).map(String)])),
      query: groupEntries([...url.searchParams].filter(([name]) => !RESERVED_QUERY.has(name))),
      headers: groupEntries(
        Object.entries(request.headers)
          .filter(([name]) => name !== 'authorization')
          .flatMap(([name, value]) => asList(value).map((v) => [name, String(v)] as [string, string])),
      ),
    };
    if (!this.core.upstream.handlerFor(hub, { kind: 'system', name: 'connect' })) return admission;
    const response = await this.core.upstream
      .invoke(
        { hub, connectionId: admission.connectionId, userId: admission.userId },
        {
          kind: 'system',
          name: 'connect',
          body: {
            claims: admission.claims,
            query: admission.query,
            headers: admission.headers,
            subprotocols: offered,
            clientCertificates: [],
          },
        },
      )
      .catch((error: Error) => {
        // The handler's URL (and its ?code=) stays in the log; the client's 500 names the event only.
        this.core.logger.warn(error.message);
        throw new Rejection(500, clientText(error, EmulatorMessages.internalError()));
      });
    if (!response) return admission;
    if (response.status < 200 || response.status > 299)
      throw new Rejection(response.status, EmulatorMessages.connectRejected(response.status));
    admission.connectionState = response.headers.get('ce-connectionstate') ?? undefined;
    if (response.status === 204 || response.body.length === 0) return admission;
    const answer = readConnectAnswer(response.body);
    if ('invalid' in answer) throw new Rejection(500, EmulatorMessages.invalidConnectAnswer(answer.invalid));
    if (answer.userId) admission.userId = answer.userId;
    if (answer.roles) admission.roles = new Set(answer.roles);
    if (answer.groups && answer.groups.length > 0) admission.groups = answer.groups;
    if (answer.subprotocol) {
      if (!offered.includes(answer.subprotocol))
        throw new Rejection(
          500,
          `The connect handler chose subprotocol "${answer.subprotocol}", which the client did not offer.`,
        );
      admission.subprotocol = answer.subprotocol;
    }
    return admission;
  }

  private accept(ws: WebSocket, admission: Admission, query: URLSearchParams): void {
    const kind: ProtocolKind =
      admission.subprotocol === RELIABLE_JSON_SUBPROTOCOL
        ? 'reliable'
        : admission.subprotocol === JSON_SUBPROTOCOL
          ? 'json'
          : 'plain';
    const connection = new ClientConnection(
      admission.connectionId,
      admission.hub,
      admission.userId,
      admission.roles,
      admission.subprotocol,
      kind,
      admission,
    );
    connection.connectionState = admission.connectionState;
    // The service skips a pattern role it cannot read and connects the client anyway.
    for (const { role, reason } of connection.invalidRoles)
      this.core.logger.warn(EmulatorMessages.invalidPatternRole(connection.connectionId, role, reason));
    connection.socket = ws;
    // Final, not a drop: the client gets `disconnected` and 1008 and must start a new connection.
    connection.onBufferFull = () =>
      this.core.closeConnection(
        connection,
        EmulatorMessages.replayBufferFull(MAX_UNACKED_MESSAGES, MAX_UNACKED_BYTES / 1024 / 1024),
        1008,
      );
    // As the service's "SlowClient" close: too much waits to be sent, so the connection ends for good.
    connection.bufferLimitBytes = this.core.options.clientBufferLimitBytes;
    connection.onTooSlow = () => {
      const socket = connection.socket;
      this.core.closeConnection(connection, EmulatorMessages.slowClient(connection.bufferLimitBytes), 1008);
      // The close frame waits behind the unread data; a client that never reads is cut off soon.
      setTimeout(() => socket?.terminate(), SLOW_CLIENT_GRACE_MS).unref();
    };
    this.core.hub(admission.hub).add(connection, admission.groups);
    connection.sendFrame({
      type: 'system',
      event: 'connected',
      userId: connection.userId ?? '',
      connectionId: connection.connectionId,
      ...(kind === 'reliable' ? { reconnectionToken: connection.reconnectionToken } : {}),
    });
    this.core.upstream
      .invoke(upstreamSubjectOf(connection), { kind: 'system', name: 'connected', body: {} })
      .catch((error: Error) => this.core.logger.warn(error.message));
    this.attach(ws, connection, query);
  }

  private attach(ws: WebSocket, connection: ClientConnection, query: URLSearchParams): void {
    let queue = Promise.resolve();
    let waiting = 0;
    ws.on('message', (data, isBinary) => {
      // Backpressure: while a few frames wait (a slow event handler), stop reading the socket, so
      // the client's frames wait in its own buffers rather than pile up here.
      if (++waiting >= MAX_WAITING_FRAMES) ws.pause();
      // One frame at a time per connection, so acks and deliveries keep the client's order.
      queue = queue
        .then(() => this.protocol.onMessage(connection, data, isBinary, query))
        .catch((error: Error) => this.core.logger.error(error.message))
        .finally(() => {
          if (--waiting < MAX_WAITING_FRAMES && ws.isPaused) ws.resume();
        });
    });
    ws.on('error', (error) => this.core.logger.warn(`Client ${connection.connectionId}: ${error.message}`));
    ws.on('close', (code) => {
      if (connection.socket !== ws || connection.closed) return;
      // Only a drop (1006: no close frame, e.g. a network failure) of a reliable connection may be
      // recovered; a close the client sent (1000, 1001, 1005 from the SDK's stop()), or the emulator
      // stopping, ends it.
      if (connection.kind === 'reliable' && code === 1006 && !this.stopping) {
        connection.waitForRecovery(this.core.options.recoveryWindowMs, () =>
          this.core.closeConnection(connection, undefined),
        );
        return;
      }
      this.core.closeConnection(connection, undefined);
    });
  }

  /** A real recovery: a reliable connection of this hub that is still open to it, and its reconnection token. */
  private recoverable(hub: string, connectionId: string, token: string): boolean {
    const connection = this.core.hub(hub).connections.get(connectionId);
    return (
      !!connection && connection.kind === 'reliable' && !connection.closed && connection.reconnectionToken === token
    );
  }

  /** `valid`: what recoverable() found for this upgrade (nothing asynchronous has run since). */
  private recover(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    hub: string,
    connectionId: string,
    valid: boolean,
  ): void {
    const connection = this.core.hub(hub).connections.get(connectionId);
    (request as IncomingMessage & { chosenProtocol?: string }).chosenProtocol =
      connection?.subprotocol ?? RELIABLE_JSON_SUBPROTOCOL;
    this.server.handleUpgrade(request, socket, head, (ws) => {
      if (!valid || !connection || connection.closed) {
        ws.close(1008, closeFrameReason(EmulatorMessages.recoveryFailed()));
        return;
      }
      // The client may notice a dead socket before the emulator does: the new socket replaces it.
      const previous = connection.socket;
      connection.resume(ws);
      previous?.terminate();
      this.attach(ws, connection, new URL(request.url ?? '/', 'http://emulator').searchParams);
    });
  }

  close(): void {
    this.stopping = true;
    // Neither the HTTP server nor ws tracks these: left open, they would keep stop() waiting.
    for (const socket of this.upgrading) socket.destroy();
    for (const client of this.server.clients) client.terminate();
    this.server.close();
  }
}

/**
 * The hub of `/client/hubs/{hub}` or `/client/?hub=`, read from the raw path: URL parsing removes
 * dot segments, so `/client/hubs/..` would otherwise look like `/client/`.
 */
function hubOf(rawUrl: string, url: URL): string {
  const path = rawUrl.split('?')[0];
  const encoded = /^\/client\/hubs\/([^/]+)$/.exec(path)?.[1];
  if (encoded === undefined) {
    if (!/^\/client\/?$/.test(path) || !url.searchParams.get('hub'))
      throw new Rejection(404, EmulatorMessages.notFound());
    return url.searchParams.get('hub')!;
  }
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new Rejection(400, EmulatorMessages.malformedHub());
  }
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Null-prototype: a client's query or header may be named `__proto__`, `constructor` or `toString`. */
function groupEntries(entries: Array<[string, string]>): Record<string, string[]> {
  const grouped = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of entries) (grouped[name] ??= []).push(value);
  return grouped;
}
