import { Injectable, UseGuards, UsePipes, type CanActivate, type PipeTransform } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  WsException,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';

/** What a gateway may call on its sockets and server, on Web PubSub and on the rooms-capable ws peer alike. */
export interface PortableSocket {
  id: string;
  join(room: string): unknown;
  leave(room: string): unknown;
}
export interface PortableServer {
  emit(event: string, data: unknown): unknown;
  to(room: string): {
    emit(event: string, data: unknown): unknown;
    except(id: string): { emit(event: string, data: unknown): unknown };
  };
}

@Injectable()
class DenyGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** A ValidationPipe stand-in: refuses an empty text. */
class NonEmptyTextPipe implements PipeTransform {
  transform(value: { text?: unknown }): unknown {
    if (typeof value?.text !== 'string' || value.text === '') throw new WsException('text must not be empty');
    return value;
  }
}

/** The gateway both adapters run, unchanged. */
@WebSocketGateway({ hub: 'chat' })
export class ChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  static connected: string[] = [];
  static disconnected: string[] = [];
  static secretRuns = 0;

  @WebSocketServer() server!: PortableServer;

  handleConnection(client: PortableSocket): void {
    ChatGateway.connected.push(client.id);
  }

  handleDisconnect(client: PortableSocket): void {
    ChatGateway.disconnected.push(client.id);
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'echo', data };
  }

  @SubscribeMessage('join')
  async join(
    @MessageBody() room: string,
    @ConnectedSocket() client: PortableSocket,
  ): Promise<{ event: string; data: unknown }> {
    await client.join(room);
    return { event: 'joined', data: { room, id: client.id } };
  }

  @SubscribeMessage('leave')
  async leave(
    @MessageBody() room: string,
    @ConnectedSocket() client: PortableSocket,
  ): Promise<{ event: string; data: unknown }> {
    await client.leave(room);
    return { event: 'left', data: { room } };
  }

  @SubscribeMessage('say')
  async say(
    @MessageBody() body: { room: string; text: string; exceptMe?: boolean },
    @ConnectedSocket() client: PortableSocket,
  ): Promise<{ event: string; data: unknown }> {
    const room = this.server.to(body.room);
    await (body.exceptMe ? room.except(client.id) : room).emit('said', { room: body.room, text: body.text });
    return { event: 'sent', data: { room: body.room } };
  }

  @SubscribeMessage('secret')
  @UseGuards(DenyGuard)
  secret(): string {
    ChatGateway.secretRuns++;
    return 'never';
  }

  @SubscribeMessage('post')
  @UsePipes(NonEmptyTextPipe)
  post(@MessageBody() body: { text: string }): { event: string; data: unknown } {
    return { event: 'posted', data: body };
  }

  static reset(): void {
    ChatGateway.connected = [];
    ChatGateway.disconnected = [];
    ChatGateway.secretRuns = 0;
  }
}
