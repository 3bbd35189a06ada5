import { BadRequestException, Body, Controller, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import { BroadcastToGroup, WebPubSubService } from 'nestjs-web-pubsub';
import { MAX_MESSAGE_LENGTH } from './chat.constants.js';
import type { ChatMessage, ChatUser } from './chat.types.js';
import { ChatUserGuard, CurrentUser } from './chat-user.guard.js';
import { RoomPipe } from './room.pipe.js';

@Controller()
@UseGuards(ChatUserGuard)
export class ChatController {
  constructor(private readonly webPubSub: WebPubSubService) {}

  /**
   * The URL the page opens its WebSocket with: a client access token for the signed-in user, plus
   * the room, which the connect handler (ChatEvents) reads to put the connection in that room.
   */
  @Get('negotiate')
  async negotiate(@CurrentUser() user: ChatUser, @Query('room', RoomPipe) room: string): Promise<{ url: string }> {
    const { url } = await this.webPubSub.getClientAccessToken({ userId: user.name, expirationTimeInMinutes: 60 });
    return { url: `${url}&room=${encodeURIComponent(room)}` };
  }

  /** Returns the message; `@BroadcastToGroup` sends that return value to everyone in the room. */
  @Post('rooms/:room/messages')
  @BroadcastToGroup((ctx) => ctx.params.room)
  postMessage(
    @CurrentUser() user: ChatUser,
    @Param('room', RoomPipe) room: string,
    @Body() body: { text?: unknown },
  ): ChatMessage {
    const text = typeof body?.text === 'string' ? body.text.trim() : '';
    if (text === '' || text.length > MAX_MESSAGE_LENGTH) {
      throw new BadRequestException(`Send {"text": "..."} with 1-${MAX_MESSAGE_LENGTH} characters.`);
    }
    return { kind: 'message', room, from: user.name, text, sentAt: new Date().toISOString() };
  }
}
