import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { WebPubSubModule } from 'nestjs-web-pubsub';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { ChatEvents } from './events/chat.events.js';
import { HealthModule } from './health/health.module.js';

@Module({
  imports: [
    ConfigModule.forRoot(),
    WebPubSubModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        connectionString: config.getOrThrow<string>('WEBPUBSUB_CONNECTION_STRING'),
        hub: 'chat',
      }),
    }),
    HealthModule,
  ],
  controllers: [AppController],
  providers: [AppService, ChatEvents],
})
export class AppModule {}
