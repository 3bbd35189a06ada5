import { BadRequestException, Logger } from '@nestjs/common';
import {
  OnConnect,
  OnConnected,
  OnDisconnected,
  OnUserEvent,
  WebPubSubEventHandler,
  WebPubSubService,
  type ConnectedEvent,
  type ConnectionStateAccess,
  type ConnectRequest,
  type ConnectResponse,
  type DisconnectedEvent,
  type UserEventRequest,
} from 'nestjs-web-pubsub';
import { CHAT_HUB, ROOM_PATTERN } from './chat.constants.js';
import type { JoinedNotice, Welcome } from './chat.types.js';

/** What the service tells us about the chat's connections (see the event handler settings in the README). */
@WebPubSubEventHandler({ hub: CHAT_HUB })
export class ChatEvents {
  private readonly logger = new Logger(ChatEvents.name);

  constructor(private readonly webPubSub: WebPubSubService) {}

  /** Puts the connection in the room named in its URL (see `negotiate`); refuses a missing or bad room. */
  @OnConnect()
  connect(request: ConnectRequest, state: ConnectionStateAccess): ConnectResponse {
    const room = request.query.room?.[0];
    if (!room || !ROOM_PATTERN.test(room))
      throw new BadRequestException('Connect with ?room=<room> (from /negotiate).');
    state.set('room', room);
    return { groups: [room] };
  }

  /** Tells the room someone arrived. */
  @OnConnected()
  async connected({ context }: ConnectedEvent): Promise<void> {
    const room = String(context.states.room);
    const notice: JoinedNotice = { kind: 'joined', room, user: context.userId ?? 'someone' };
    await this.webPubSub.group(room).sendToAll(notice);
  }

  /** The page says hello once connected; the answer goes back to that connection only. */
  @OnUserEvent('hello')
  hello({ context }: UserEventRequest, state: ConnectionStateAccess): Welcome {
    const room = String(state.get('room'));
    const user = context.userId ?? 'someone';
    return { kind: 'welcome', room, user, text: `Welcome, ${user}! You are in #${room}.` };
  }

  @OnDisconnected()
  disconnected({ context, reason }: DisconnectedEvent): void {
    this.logger.log(
      `${context.userId ?? 'A connection'} left #${String(context.states.room)}${reason ? ` (${reason})` : ''}`,
    );
  }
}
