import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { OnUserEvent, WebPubSubEventHandler, WebPubSubModule, type UserEventRequest } from '../../lib/index.js';
import { WebPubSubAdapter } from '../../lib/gateway/index.js';

/*
 * The app of the gateway benchmark, run as its own process (one per measured path): one Nest app, one event route, and the
 * same echo twice, on two hubs: as a gateway's @SubscribeMessage('echo') (hub `gateway`) and as an
 * event handler class's @OnUserEvent('echo') (hub `handler`). Both answer the event with
 * `{ event: 'echo', data }`, which the service would send back to the client. WEBPUBSUB_CONNECTION_STRING
 * points at the 202 server (its key signs the events; an echo makes no REST call). Logging as in
 * production: warnings and errors only. Prints its port.
 */

@WebSocketGateway({ hub: 'gateway' })
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown) {
    return { event: 'echo', data };
  }
}

@WebPubSubEventHandler({ hub: 'handler' })
class EchoEvents {
  @OnUserEvent('echo')
  echo({ data }: UserEventRequest) {
    return { event: 'echo', data };
  }
}

@Module({
  imports: [WebPubSubModule.forRoot({ hub: 'handler', httpLogging: 'errors' })],
  providers: [EchoGateway, EchoEvents],
})
class BenchModule {}

const app = await NestFactory.create(BenchModule, { logger: ['error', 'warn'] });
app.useWebSocketAdapter(new WebPubSubAdapter(app));
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as { port: number };
process.stdout.write(`${port}\n`);
