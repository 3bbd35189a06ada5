import { UnauthorizedException } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { interval, map, of, take, type Observable } from 'rxjs';
import { OnConnect, type ConnectionStateAccess, type ConnectRequest } from '../../lib/index.js';
import type { WebPubSubServer, WebPubSubSocket } from '../../lib/gateway/index.js';

/** What only Web PubSub offers a gateway: @OnConnect answers, connection state, several results, close, broadcast failures. */
@WebSocketGateway({ hub: 'chat' })
export class BehaviourGateway implements OnGatewayDisconnect {
  static disconnected: Array<{ id: string; reason?: string }> = [];
  /** How each `emit` of `shout` ended: 'sent', or the error's message. */
  static shouts: string[] = [];

  @WebSocketServer() server!: WebPubSubServer;

  @OnConnect()
  connect(request: ConnectRequest, state: ConnectionStateAccess): unknown {
    const user = request.context.userId ?? '';
    if (user === 'intruder') throw new UnauthorizedException('who are you?');
    if (user === 'plain') return undefined;
    state.set('greeting', `hello ${user}`);
    return { userId: `app-${user}`, groups: [`room-${user}`], roles: ['webpubsub.joinLeaveGroup.extra'] };
  }

  handleDisconnect(client: WebPubSubSocket, reason?: string): void {
    BehaviourGateway.disconnected.push({ id: client.id, reason });
  }

  @SubscribeMessage('whoami')
  whoami(@ConnectedSocket() client: WebPubSubSocket): { event: string; data: unknown } {
    return { event: 'whoami', data: { id: client.id, userId: client.userId, greeting: client.state.get('greeting') } };
  }

  @SubscribeMessage('remember')
  remember(
    @MessageBody() value: unknown,
    @ConnectedSocket() client: WebPubSubSocket,
  ): { event: string; data: unknown } {
    const before = client.state.get('remembered');
    client.state.set('remembered', value);
    return { event: 'remembered', data: { before, now: client.state.get('remembered') } };
  }

  @SubscribeMessage('recall')
  recall(@ConnectedSocket() client: WebPubSubSocket): { event: string; data: unknown } {
    return { event: 'recalled', data: client.state.get('remembered') ?? null };
  }

  /** Several results at once: the first answers, the rest follow by REST. */
  @SubscribeMessage('count')
  count(@MessageBody() to: number): Observable<{ event: string; data: number }> {
    return of(...Array.from({ length: to }, (_, index) => index + 1)).pipe(map((n) => ({ event: 'count', data: n })));
  }

  /** Several results over time. */
  @SubscribeMessage('tick')
  tick(@MessageBody() to: number): Observable<{ event: string; data: number }> {
    return interval(5).pipe(
      take(to),
      map((n) => ({ event: 'tick', data: n + 1 })),
    );
  }

  @SubscribeMessage('bye')
  async bye(@MessageBody() reason: string, @ConnectedSocket() client: WebPubSubSocket): Promise<void> {
    await client.close(reason);
  }

  /** server.emit awaited, and how it ended. */
  @SubscribeMessage('shout')
  async shout(@MessageBody() text: string): Promise<{ event: string; data: unknown }> {
    try {
      await this.server.emit('shouted', text);
      BehaviourGateway.shouts.push('sent');
    } catch (error) {
      BehaviourGateway.shouts.push((error as Error).message);
    }
    return { event: 'shout-done', data: BehaviourGateway.shouts.at(-1) };
  }

  /** server.emit not awaited: whatever happens to it must not become an unhandled rejection. */
  @SubscribeMessage('shout-and-forget')
  shoutAndForget(@MessageBody() text: string): { event: string; data: unknown } {
    void this.server.emit('shouted', text);
    return { event: 'forgot', data: text };
  }

  static reset(): void {
    BehaviourGateway.disconnected = [];
    BehaviourGateway.shouts = [];
  }
}

/** The port warning: a port Web PubSub ignores. */
@WebSocketGateway(8099, { hub: 'chat' })
export class PortGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'echo', data };
  }

  /** A name the emulator percent-encodes in its headers, as the CloudEvents binding says. */
  @SubscribeMessage('名前')
  name(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: '名前', data };
  }
}
