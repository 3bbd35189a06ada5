import { Controller, Get, UseGuards } from '@nestjs/common';
import { WebPubSubService } from 'nestjs-web-pubsub';
import type { ChatUser } from '../chat/chat.types.js';
import { ChatUserGuard, CurrentUser } from '../chat/chat-user.guard.js';
import { GATEWAY_CHAT_HUB } from './gateway-chat.constants.js';

@Controller('gateway')
@UseGuards(ChatUserGuard)
export class GatewayChatController {
  constructor(private readonly webPubSub: WebPubSubService) {}

  /** A client access URL on the gateway's hub for the signed-in user (rooms are joined later, with `join`). */
  @Get('negotiate')
  async negotiate(@CurrentUser() user: ChatUser): Promise<{ url: string }> {
    const { url } = await this.webPubSub
      .hub(GATEWAY_CHAT_HUB)
      .getClientAccessToken({ userId: user.name, expirationTimeInMinutes: 60 });
    return { url };
  }
}
