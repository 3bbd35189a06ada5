import { ConnectedSocket, MessageBody, type OnGatewayConnection, SubscribeMessage, WebSocketGateway, WebSocketServer, type WsResponse } from '@nestjs/websockets';
import { type WebPubSubGatewayOptions, WebPubSubServer, WebPubSubSocket } from 'nestjs-web-pubsub/gateway';

@WebSocketGateway<WebPubSubGatewayOptions>({ hub: 'chat' })
export class ChatGateway implements OnGatewayConnection {
  @WebSocketServer() server!: WebPubSubServer;
  /** The connections this app instance's handleConnection saw. */
  readonly connections: string[] = [];

  handleConnection(client: WebPubSubSocket): void {
    this.connections.push(client.id);
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'echo', data };
  }

  @SubscribeMessage('join')
  async join(@MessageBody() room: string, @ConnectedSocket() client: WebPubSubSocket): Promise<WsResponse<string>> {
    await client.join(room);
    return { event: 'joined', data: room };
  }

  @SubscribeMessage('say')
  async say(@MessageBody() body: { room: string; text: string }): Promise<WsResponse<string>> {
    await this.server.to(body.room).emit('said', body);
    return { event: 'sent', data: body.room };
  }
}
