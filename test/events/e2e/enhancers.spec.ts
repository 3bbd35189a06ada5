import { describe, expect, it } from '@jest/globals';
import {
  Catch,
  ForbiddenException,
  Injectable,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { tap, type Observable } from 'rxjs';
import { OnUserEvent, WebPubSubEventHandler, type UserEventRequest } from '../../../lib/index.js';
import { useEventsStack } from '../../support/events-stack.js';
import { ADAPTERS } from '../../support/http-adapters.js';

/** What the app-wide enhancers saw of event requests, by `ce-eventName`. */
const seen = { guarded: [] as string[], intercepted: [] as string[], filtered: [] as string[] };

function eventName(context: ExecutionContext | ArgumentsHost): string {
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
  return request.headers['ce-eventname'] ?? '';
}

/** Refuses the user event `forbidden`, as an app's auth guard would. */
@Injectable()
class EventGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    seen.guarded.push(eventName(context));
    return eventName(context) !== 'forbidden';
  }
}

@Injectable()
class EventInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(tap(() => seen.intercepted.push(eventName(context))));
  }
}

/** Records the guard's refusal, then answers it as Nest would. */
@Catch(ForbiddenException)
class ForbiddenFilter implements ExceptionFilter {
  catch(exception: ForbiddenException, host: ArgumentsHost): void {
    seen.filtered.push(eventName(host));
    const response = host.switchToHttp().getResponse<{
      status?: (code: number) => { json?: unknown; send?: unknown };
      code?: (code: number) => { send: (body: unknown) => void };
    }>();
    // Express and Fastify answer differently; both get the exception's own body.
    if (typeof response.code === 'function') response.code(403).send(exception.getResponse());
    else (response.status!(403) as { json: (body: unknown) => void }).json(exception.getResponse());
  }
}

@WebPubSubEventHandler({ hub: 'chat' })
class ChatEvents {
  @OnUserEvent('*')
  echo({ data }: UserEventRequest): unknown {
    return data;
  }
}

/**
 * The event route is a Nest controller: app-wide guards, interceptors and exception filters
 * (APP_GUARD, APP_INTERCEPTOR, APP_FILTER) run for the events that pass the gate's checks.
 */
describe.each(ADAPTERS)('guards, interceptors and filters on the event route on %s', (adapter) => {
  const stack = useEventsStack({
    adapter,
    hub: 'chat',
    hubs: { chat: { template: '/eventhandler/{event}' } },
    providers: [
      ChatEvents,
      { provide: APP_GUARD, useClass: EventGuard },
      { provide: APP_INTERCEPTOR, useClass: EventInterceptor },
      { provide: APP_FILTER, useClass: ForbiddenFilter },
    ],
  });

  it('runs the guard and interceptor for an event it lets through, and the filter for one it refuses', async () => {
    seen.guarded.length = seen.intercepted.length = seen.filtered.length = 0;
    const client = await stack.connect({ userId: 'u' });
    await client.sendEvent('allowed', { n: 1 }, 'json');
    await expect(client.waitForMessage((message) => message.from === 'server')).resolves.toMatchObject({
      data: { n: 1 },
    });
    await expect(client.sendEvent('forbidden', { n: 2 }, 'json')).rejects.toThrow(
      'Event "forbidden" was refused by Web PubSub',
    );

    expect(seen.guarded).toEqual(expect.arrayContaining(['allowed', 'forbidden']));
    expect(seen.intercepted).toContain('allowed');
    expect(seen.intercepted).not.toContain('forbidden');
    expect(seen.filtered).toEqual(['forbidden']);
  });
});
