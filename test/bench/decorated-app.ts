import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BroadcastToGroup, WebPubSubModule } from '../../lib/index.js';

/*
 * The app of the decorator benchmark, run as its own process: the same route three times, without
 * a decorator, with an awaited @BroadcastToGroup and with a background one. WEBPUBSUB_CONNECTION_STRING
 * points at the 202 server. Logging as in production: warnings and errors only. Prints its port.
 */
interface Message {
  text: string;
}

@Controller()
class BenchController {
  @Post('plain')
  plain(@Body() body: Message) {
    return { room: 'lobby', text: body.text };
  }

  @Post('await')
  @BroadcastToGroup('lobby')
  awaited(@Body() body: Message) {
    return { room: 'lobby', text: body.text };
  }

  @Post('background')
  @BroadcastToGroup('lobby', { delivery: 'background' })
  background(@Body() body: Message) {
    return { room: 'lobby', text: body.text };
  }
}

@Module({
  imports: [WebPubSubModule.forRoot({ hub: 'chat', httpLogging: 'errors' })],
  controllers: [BenchController],
})
class BenchModule {}

const app = await NestFactory.create(BenchModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as { port: number };
process.stdout.write(`${port}\n`);
