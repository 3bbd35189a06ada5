import { Injectable, type PipeTransform } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { MAX_MESSAGE_LENGTH, ROOM_NAME_RULE, ROOM_PATTERN } from '../chat/chat.constants.js';

/** What the page sends with `say`. */
export interface SayMessage {
  room: string;
  text: string;
}

/** A room name from `join`. A WsException reaches the page as an `exception` message. */
@Injectable()
export class RoomNamePipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !ROOM_PATTERN.test(value)) {
      throw new WsException(ROOM_NAME_RULE);
    }
    return value;
  }
}

/** `say`: a valid room and 1-500 characters of text (trimmed); anything else is refused before the handler runs. */
@Injectable()
export class SayMessagePipe implements PipeTransform<unknown, SayMessage> {
  transform(value: unknown): SayMessage {
    const { room, text } = (value ?? {}) as { room?: unknown; text?: unknown };
    if (typeof room !== 'string' || !ROOM_PATTERN.test(room)) throw new WsException('Join a room first.');
    const trimmed = typeof text === 'string' ? text.trim() : '';
    if (trimmed === '' || trimmed.length > MAX_MESSAGE_LENGTH) {
      throw new WsException(`A message is 1-${MAX_MESSAGE_LENGTH} characters, not only spaces.`);
    }
    return { room, text: trimmed };
  }
}
