import { contentTypeOf, dataTypeOf, type ClientConnection, type DataType, type Payload } from './client-connection.js';
import { upstreamSubjectOf, type EmulatorCore } from './emulator-core.js';
import { EmulatorMessages } from './emulator.messages.js';
import { isDotSegment, isGroupName } from '../protocol/rules.js';
import { clientText } from './upstream-request.js';
import { hasControlCharacter } from '../protocol/upstream-event.js';

/** A frame's data as `ws` hands it over (its `RawData`, spelled out so no declaration of ours needs `@types/ws`). */
type SocketData = Buffer | ArrayBuffer | Buffer[];

interface ClientFrame {
  type?: unknown;
  ackId?: unknown;
  group?: unknown;
  event?: unknown;
  data?: unknown;
  dataType?: unknown;
  noEcho?: unknown;
  sequenceId?: unknown;
  invocationId?: unknown;
}

class FrameError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a connected client sends: JSON-subprotocol frames (join/leave/sendToGroup/event/
 * sequenceAck/ping) with acks and permission checks, or raw frames from plain WebSocket clients
 * (user event `message`, or publishing to a group with `webpubsub_mode=sendToGroup`).
 */
export class ClientProtocol {
  constructor(private readonly core: EmulatorCore) {}

  async onMessage(
    connection: ClientConnection,
    raw: SocketData,
    isBinary: boolean,
    query: URLSearchParams,
  ): Promise<void> {
    const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
    if (connection.kind === 'plain') return this.onPlainMessage(connection, bytes, isBinary, query);
    if (isBinary) return this.core.closeConnection(connection, undefined, 1003);
    let frame: ClientFrame;
    try {
      frame = JSON.parse(bytes.toString('utf8'));
      if (typeof frame !== 'object' || frame === null) throw new Error('not an object');
    } catch {
      return this.core.closeConnection(connection, undefined, 1007);
    }
    const ackId = typeof frame.ackId === 'number' ? frame.ackId : undefined;
    if (frame.type === 'ping') return connection.sendFrame({ type: 'pong' });
    if (frame.type === 'sequenceAck') {
      if (typeof frame.sequenceId === 'number') connection.acknowledge(frame.sequenceId);
      return;
    }
    if (ackId !== undefined && connection.succeededAckIds.has(ackId)) {
      return connection.sendFrame({
        type: 'ack',
        ackId,
        success: false,
        error: { name: 'Duplicate', message: EmulatorMessages.duplicateAck(ackId) },
      });
    }
    try {
      await this.run(connection, frame);
      if (ackId !== undefined) {
        connection.succeededAckIds.add(ackId);
        connection.sendFrame({ type: 'ack', ackId, success: true });
      }
    } catch (error) {
      // The log gets the whole story (the handler's URL, query redacted); the client only the event.
      const { errorName, message } =
        error instanceof FrameError
          ? error
          : new FrameError('InternalServerError', clientText(error, EmulatorMessages.internalError()));
      if (!(error instanceof FrameError) || errorName === 'InternalServerError')
        this.core.logger.warn((error as Error).message);
      if (ackId !== undefined)
        connection.sendFrame({ type: 'ack', ackId, success: false, error: { name: errorName, message } });
    }
  }

  private async run(connection: ClientConnection, frame: ClientFrame): Promise<void> {
    const hub = this.core.hub(connection.hub);
    switch (frame.type) {
      case 'joinGroup':
      case 'leaveGroup': {
        const group = groupOf(frame);
        if (!connection.may('joinLeaveGroup', group))
          throw new FrameError(
            'Forbidden',
            EmulatorMessages.forbidden(frame.type === 'joinGroup' ? 'join' : 'leave', group),
          );
        if (frame.type === 'joinGroup') hub.join(connection, group);
        else hub.leave(connection, group);
        return;
      }
      case 'sendToGroup': {
        const group = groupOf(frame);
        if (!connection.may('sendToGroup', group))
          throw new FrameError('Forbidden', EmulatorMessages.forbidden('send to', group));
        const payload = payloadOf(frame);
        const targets = hub.groupMembers(group).filter((member) => !(frame.noEcho === true && member === connection));
        hub.deliver(
          targets,
          { from: 'group', group, ...(connection.userId ? { fromUserId: connection.userId } : {}) },
          payload,
        );
        return;
      }
      case 'event': {
        if (typeof frame.event !== 'string' || frame.event === '')
          throw new FrameError('BadRequest', EmulatorMessages.invalidMessage('"event" must be a non-empty string.'));
        // The event name goes into the handler's URL, where `..` would become another path.
        if (isDotSegment(frame.event)) throw new FrameError('BadRequest', EmulatorMessages.dotName('event name'));
        // It goes into ce-type and ce-eventName too, and a header line cannot hold a control character.
        if (hasControlCharacter(frame.event))
          throw new FrameError('BadRequest', EmulatorMessages.controlCharacterInName('event name'));
        const payload = payloadOf(frame);
        await this.userEvent(connection, frame.event, contentTypeOf(payload.dataType), payload.bytes);
        return;
      }
      case 'invoke':
        connection.sendFrame({
          type: 'invokeResponse',
          invocationId: frame.invocationId,
          success: false,
          error: { name: 'NotSupported', message: EmulatorMessages.notSupported('invoke') },
        });
        return;
      default:
        throw new FrameError('BadRequest', EmulatorMessages.notSupported(String(frame.type)));
    }
  }

  /** Sends a user event upstream; a reply body goes back to this connection as a server message. */
  private async userEvent(
    connection: ClientConnection,
    event: string,
    contentType: string,
    body: Buffer,
  ): Promise<void> {
    const response = await this.core.upstream.invoke(upstreamSubjectOf(connection), {
      kind: 'user',
      name: event,
      contentType,
      body,
    });
    if (!response) throw new FrameError('InternalServerError', EmulatorMessages.noEventHandler(event));
    if (response.status < 200 || response.status > 299) {
      throw new FrameError(
        'InternalServerError',
        EmulatorMessages.upstreamFailed(event, 'the event handler', `HTTP ${response.status}`),
      );
    }
    const state = response.headers.get('ce-connectionstate');
    if (state !== null) connection.connectionState = state;
    if (response.status === 200 && response.body.length > 0) {
      const dataType: DataType = dataTypeOf(response.headers.get('content-type') ?? undefined) ?? 'binary';
      this.core.hub(connection.hub).deliver([connection], { from: 'server' }, { dataType, bytes: response.body });
    }
  }

  private async onPlainMessage(
    connection: ClientConnection,
    bytes: Buffer,
    isBinary: boolean,
    query: URLSearchParams,
  ): Promise<void> {
    const payload: Payload = { dataType: isBinary ? 'binary' : 'text', bytes };
    if (query.get('webpubsub_mode') === 'sendToGroup') {
      const group = query.get('group') ?? '';
      if (!group || !connection.may('sendToGroup', group)) {
        this.core.logger.warn(EmulatorMessages.forbidden('send to', group));
        return;
      }
      const hub = this.core.hub(connection.hub);
      const targets = hub
        .groupMembers(group)
        .filter((member) => !(query.get('noEcho') === 'true' && member === connection));
      hub.deliver(
        targets,
        { from: 'group', group, ...(connection.userId ? { fromUserId: connection.userId } : {}) },
        payload,
      );
      return;
    }
    try {
      await this.userEvent(connection, 'message', contentTypeOf(payload.dataType), bytes);
    } catch (error) {
      // The service drops a simple client whose message no handler took or whose handler failed.
      this.core.logger.warn((error as Error).message);
      this.core.closeConnection(connection, undefined, 1011);
    }
  }
}

function groupOf(frame: ClientFrame): string {
  const group = frame.group;
  if (!isGroupName(group)) {
    throw new FrameError('BadRequest', EmulatorMessages.invalidMessage('"group" must be a valid group name.'));
  }
  return group;
}

/** Decodes a frame's data by its dataType: json (default), text (a string), binary/protobuf (base64). */
function payloadOf(frame: ClientFrame): Payload {
  const dataType = frame.dataType ?? 'json';
  if (dataType === 'json') return { dataType: 'json', bytes: Buffer.from(JSON.stringify(frame.data ?? null)) };
  if (dataType === 'text') {
    if (typeof frame.data !== 'string')
      throw new FrameError('BadRequest', EmulatorMessages.invalidMessage('text data must be a string.'));
    return { dataType: 'text', bytes: Buffer.from(frame.data, 'utf8') };
  }
  if (dataType === 'binary' || dataType === 'protobuf') {
    if (typeof frame.data !== 'string')
      throw new FrameError('BadRequest', EmulatorMessages.invalidMessage('binary data must be a base64 string.'));
    return { dataType: 'binary', bytes: Buffer.from(frame.data, 'base64') };
  }
  throw new FrameError('BadRequest', EmulatorMessages.invalidMessage(`unknown dataType "${String(dataType)}".`));
}
