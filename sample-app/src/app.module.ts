import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { WebPubSubModule } from 'nestjs-web-pubsub';
import { ChatController } from './chat/chat.controller.js';
import { ChatEvents } from './chat/chat.events.js';
import { webPubSubOptions } from './webpubsub.config.js';

@Module({
  imports: [
    // Reads a .env file if there is one, then the environment.
    ConfigModule.forRoot({ isGlobal: true }),
    WebPubSubModule.forRootAsync({ inject: [ConfigService], useFactory: webPubSubOptions }),
  ],
  controllers: [ChatController],
  providers: [ChatEvents],
})
export class AppModule {}
