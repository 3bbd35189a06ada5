import {
  createParamDecorator,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { USER_NAME_PATTERN } from './chat.constants.js';
import type { ChatUser } from './chat.types.js';

/**
 * A stand-in for real authentication: the page sends the name the user typed in `X-Chat-User`.
 * Your app would use its own guard (passport, a JWT, a session) and set `request.user` the same way.
 */
@Injectable()
export class ChatUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined>; user?: ChatUser }>();
    const header = request.headers['x-chat-user'];
    const name = typeof header === 'string' ? header.trim() : '';
    if (!USER_NAME_PATTERN.test(name)) {
      throw new UnauthorizedException(
        'Sign in first: send your name (1-32 letters, digits, spaces, - or _) in the X-Chat-User header.',
      );
    }
    request.user = { name };
    return true;
  }
}

/** The user `ChatUserGuard` signed in. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): ChatUser => {
  return context.switchToHttp().getRequest<{ user: ChatUser }>().user;
});
