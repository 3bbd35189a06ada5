import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { WebPubSubModule } from 'nestjs-web-pubsub';
import { ChatController } from './chat/chat.controller.js';
import { ChatEvents } from './chat/chat.events.js';
import { ChatGateway } from './gateway-chat/chat.gateway.js';
import { GatewayChatController } from './gateway-chat/gateway-chat.controller.js';
import { webPubSubOptions } from './web-pubsub.config.js';

@Module({
  imports: [
    // Reads a .env file if there is one, then the environment.
    ConfigModule.forRoot({ isGlobal: true }),
    WebPubSubModule.forRootAsync({ inject: [ConfigService], useFactory: webPubSubOptions }),
  ],
  // The chat twice: REST route + event handler class (hub `chat`, page /), and a gateway (hub `gateway_chat`, page /gateway.html).
  controllers: [ChatController, GatewayChatController],
  providers: [ChatEvents, ChatGateway],
})
export class AppModule {}
