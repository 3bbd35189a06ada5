import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type WsResponse,
} from '@nestjs/websockets';
import type { WebPubSubServer, WebPubSubSocket } from 'nestjs-web-pubsub/gateway';
import { RoomNamePipe, SayMessagePipe, type SayMessage } from './chat-input.pipes.js';
import { GATEWAY_CHAT_HUB } from './gateway-chat.constants.js';

/**
 * The chat as a Nest gateway. Clients connect to Web PubSub (not to this app); their events reach
 * the gateway through the module's event route, and everything the gateway sends is a REST call to
 * the service. Every message the page receives is `{ event, data }`, as with Nest's ws adapter.
 */
@WebSocketGateway({ hub: GATEWAY_CHAT_HUB })
export class ChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);

  @WebSocketServer() server!: WebPubSubServer;

  /** The service's `connected` event: greet that connection only. */
  async handleConnection(socket: WebPubSubSocket): Promise<void> {
    await socket.send('welcome', { text: `Welcome, ${socket.userId ?? 'someone'}! Join a room to chat.` });
  }

  handleDisconnect(socket: WebPubSubSocket): void {
    this.logger.log(`${socket.userId ?? 'A connection'} left the gateway chat`);
  }

  /** Adds the connection to a room (a Web PubSub group); the return value is the answer to the sender. */
  @SubscribeMessage('join')
  async join(
    @MessageBody(RoomNamePipe) room: string,
    @ConnectedSocket() socket: WebPubSubSocket,
  ): Promise<WsResponse<string>> {
    await socket.join(room);
    return { event: 'joined', data: room };
  }

  /** To everyone in the room, the sender included (SayMessagePipe has refused empty text before this runs). */
  @SubscribeMessage('say')
  async say(
    @MessageBody(SayMessagePipe) { room, text }: SayMessage,
    @ConnectedSocket() socket: WebPubSubSocket,
  ): Promise<void> {
    await this.server.to(room).emit('said', { room, from: socket.userId ?? 'someone', text });
  }
}
