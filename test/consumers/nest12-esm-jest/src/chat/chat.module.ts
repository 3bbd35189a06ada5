import { Module } from '@nestjs/common';
import { ChatGateway } from './chat.gateway.js';

/** The gateway, in a module of its own: an app that imports it sets `WebPubSubAdapter` (see test/gateway.e2e-spec.ts). */
@Module({ providers: [ChatGateway] })
export class ChatModule {}
