import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Catch,
  Injectable,
  UseFilters,
  UseInterceptors,
  type ArgumentsHost,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import {
  BaseWsExceptionFilter,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  WsException,
} from '@nestjs/websockets';
import { map, type Observable } from 'rxjs';
import { WebPubSubArgumentError } from '../../lib/index.js';
import type { WebPubSubServer, WebPubSubSocket } from '../../lib/gateway/index.js';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { upstreamEventHeaders } from '../support/upstream-events.js';

/** A gateway on a named module instance: its events come through that instance's own route. */
@WebSocketGateway({ hub: 'chat', instance: 'alerts' })
class AlertsGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'echo', data: { instance: 'alerts', data } };
  }
}

/** Wraps every answer, as an app-wide response-shaping interceptor would. */
@Injectable()
class Envelope implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        map((answer: { event: string; data: unknown }) => ({ event: answer.event, data: { enveloped: answer.data } })),
      );
  }
}

/** A filter of the app's own: it tells the client a code instead of Nest's default shape. */
@Catch(WsException)
class CodedErrors extends BaseWsExceptionFilter {
  override catch(exception: WsException, host: ArgumentsHost): void {
    host.switchToWs().getClient<WebPubSubSocket>().emit('exception', { code: 'E_INPUT', detail: exception.message });
  }
}

@WebSocketGateway({ hub: 'chat' })
@UseInterceptors(Envelope)
@UseFilters(CodedErrors)
class EnhancedGateway {
  static runs = 0;
  @WebSocketServer() server!: WebPubSubServer;

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): { event: string; data: unknown } {
    EnhancedGateway.runs++;
    return { event: 'echo', data };
  }

  @SubscribeMessage('fail')
  fail(): never {
    throw new WsException('bad input');
  }
}

describe('a gateway on a named WebPubSubModule instance', () => {
  const driver = new WebPubSubDriver('express', { name: 'alerts', eventsPath: '/alerts/eventhandler' });
  beforeAll(() => driver.start(AlertsGateway));
  afterAll(() => driver.stop());

  it("receives its events through that instance's route and answers them", async () => {
    const client = await driver.connect('ann');
    expect(await client.request('echo', 7, 'echo')).toEqual({ event: 'echo', data: { instance: 'alerts', data: 7 } });
  });
});

describe("a gateway's interceptors, exception filters, event-route checks and names", () => {
  const driver = new WebPubSubDriver('fastify');
  beforeAll(() => driver.start(EnhancedGateway));
  afterAll(() => driver.stop());

  it('runs its interceptor on the answer', async () => {
    const client = await driver.connect('ann');
    expect(await client.request('echo', { n: 1 }, 'echo')).toEqual({ event: 'echo', data: { enveloped: { n: 1 } } });
  });

  it("sends what its own exception filter emits, as the event's answer", async () => {
    const client = await driver.connect('bob');
    const reply = await client.request('fail', {}, 'never');
    expect(reply).toEqual({ event: 'exception', data: { code: 'E_INPUT', detail: 'bad input' } });
  });

  it('refuses a forged event for its hub (the event route checks ce-signature) without running the handler', async () => {
    const before = EnhancedGateway.runs;
    const { port } = driver.app!.getHttpServer().address() as AddressInfo;
    const source = {
      hub: 'chat',
      connectionId: 'forged',
      key: 'not-the-key',
      origin: new URL(driver.emulator!.endpoint).host,
    };
    const response = await fetch(`http://127.0.0.1:${port}/eventhandler`, {
      method: 'POST',
      headers: upstreamEventHeaders('echo', source),
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(EnhancedGateway.runs).toBe(before);
  });

  it('refuses a bad group or connection id where it is written, before any REST call', () => {
    const { server } = driver.app!.get(EnhancedGateway);
    const calls = driver.emulator!.restCalls.length;
    expect(() => server.to('')).toThrow(WebPubSubArgumentError);
    expect(() => server.to(['lobby', '..'])).toThrow('to(group) ".." is refused');
    expect(() => server.to('lobby').except('')).toThrow('connectionId "" is invalid');
    expect(driver.emulator!.restCalls.length).toBe(calls);
  });
});
