import { Body, Controller, Get, Post } from '@nestjs/common';
import { BroadcastToGroup } from 'nestjs-web-pubsub';
import { AppService } from './app.service.js';

@Controller()
export class AppController {
  constructor(private readonly appService: AppService) {}

  @Get()
  getHello(): string {
    return this.appService.getHello();
  }

  /** The response is the message; the decorator also sends it to the room's group. */
  @Post('rooms/:room/messages')
  @BroadcastToGroup((ctx) => ctx.params.room)
  postMessage(@Body() message: { text: string }) {
    return message;
  }
}
