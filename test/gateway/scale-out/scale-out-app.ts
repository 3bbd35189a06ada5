/*
 * One app process of the scale-out test (scale-out.spec.ts runs two of them behind one load
 * balancer). Transpiled with lib/ and run by plain Node; it prints `CHILD APP READY` once it listens,
 * and `GET /counters` tells what its gateway saw. Environment: PORT, APP_NAME, CONNECTION_STRING.
 */
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { WebPubSubModule } from '../../../lib/index.js';
import { WebPubSubAdapter, type WebPubSubServer, type WebPubSubSocket } from '../../../lib/gateway/index.js';

const name = process.env.APP_NAME ?? 'app';

/** Everything this process saw, per connection id. */
const counters = {
  name,
  handleConnection: [] as string[],
  handleDisconnect: [] as string[],
  /** User events handled here, per connection. */
  events: {} as Record<string, number>,
  /** Connections this process served events of without having run handleConnection for them. */
  boundOnly: [] as string[],
  /** Error and warning lines logged, and unhandled rejections. */
  problems: [] as string[],
};

process.on('unhandledRejection', (reason) => counters.problems.push(`unhandledRejection: ${String(reason)}`));

/** Nest's logger, also keeping every error and warning. */
class CountingLogger implements LoggerService {
  log(message: unknown): void {
    console.log(`[${name}] ${String(message)}`);
  }
  error(message: unknown, ...rest: unknown[]): void {
    counters.problems.push(`error: ${String(message)} ${rest.map(String).join(' ')}`);
    console.error(`[${name}] ERROR ${String(message)}`);
  }
  warn(message: unknown): void {
    counters.problems.push(`warn: ${String(message)}`);
    console.error(`[${name}] WARN ${String(message)}`);
  }
}

@WebSocketGateway({ hub: 'chat' })
@Injectable()
class ScaleOutGateway implements OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() server!: WebPubSubServer;

  handleConnection(client: WebPubSubSocket): void {
    counters.handleConnection.push(client.id);
  }

  handleDisconnect(client: WebPubSubSocket): void {
    counters.handleDisconnect.push(client.id);
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown, @ConnectedSocket() client: WebPubSubSocket): { event: string; data: unknown } {
    this.count(client);
    return { event: 'echo', data: { data, by: name, id: client.id, userId: client.userId } };
  }

  @SubscribeMessage('join')
  async join(
    @MessageBody() room: string,
    @ConnectedSocket() client: WebPubSubSocket,
  ): Promise<{ event: string; data: unknown }> {
    this.count(client);
    await client.join(room);
    return { event: 'joined', data: { room, by: name, id: client.id } };
  }

  /** Broadcasts to the room only when this is the process `from` names: the test keeps asking until it is. */
  @SubscribeMessage('say')
  async say(
    @MessageBody() body: { room: string; text: string; from: string },
    @ConnectedSocket() client: WebPubSubSocket,
  ): Promise<{ event: string; data: unknown }> {
    this.count(client);
    if (body.from !== name) return { event: 'sent', data: { by: name, skipped: true } };
    await this.server.to(body.room).emit('said', { text: body.text, by: name });
    return { event: 'sent', data: { by: name, skipped: false } };
  }

  /** To the whole hub: a marker every client gets after what was sent before it. */
  @SubscribeMessage('shout')
  async shout(
    @MessageBody() text: string,
    @ConnectedSocket() client: WebPubSubSocket,
  ): Promise<{ event: string; data: unknown }> {
    this.count(client);
    await this.server.emit('shouted', { text, by: name });
    return { event: 'shout-sent', data: { by: name } };
  }

  private count(client: WebPubSubSocket): void {
    counters.events[client.id] = (counters.events[client.id] ?? 0) + 1;
    if (!counters.handleConnection.includes(client.id) && !counters.boundOnly.includes(client.id))
      counters.boundOnly.push(client.id);
  }
}

@Controller('counters')
class CountersController {
  @Get()
  get(): typeof counters {
    return counters;
  }
}

@Module({
  imports: [
    WebPubSubModule.forRoot({ connectionString: process.env.CONNECTION_STRING!, hub: 'chat', httpLogging: 'off' }),
  ],
  controllers: [CountersController],
  providers: [ScaleOutGateway],
})
class ScaleOutAppModule {}

const app = await NestFactory.create(ScaleOutAppModule, { logger: new CountingLogger() });
app.useWebSocketAdapter(new WebPubSubAdapter(app));
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT), '127.0.0.1');
console.log('CHILD APP READY');
