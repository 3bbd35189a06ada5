import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { ROOM_NAME_RULE, ROOM_PATTERN } from './chat.constants.js';

/** Room names become Web PubSub group names: only short, lower-case, URL-safe ones are accepted. */
@Injectable()
export class RoomPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !ROOM_PATTERN.test(value)) {
      throw new BadRequestException(ROOM_NAME_RULE);
    }
    return value;
  }
}
