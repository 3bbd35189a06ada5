import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageBody, SubscribeMessage, WebSocketGateway, type WsResponse } from '@nestjs/websockets';
import {
  OnConnected,
  OnDisconnected,
  OnUserEvent,
  WebPubSubEventHandler,
  WebPubSubModule,
  type ConnectedEvent,
  type DisconnectedEvent,
  type UserEventRequest,
} from '../../lib/index.js';
import { WebPubSubAdapter, type WebPubSubSocket } from '../../lib/gateway/index.js';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { waitFor } from '../support/wait-for.js';

/** Both sides of one hub record what reached them. */
const seen = {
  classConnected: [] as string[],
  gatewayConnected: [] as string[],
  classDisconnected: [] as string[],
  gatewayDisconnected: [] as string[],
};

@WebPubSubEventHandler({ hub: 'chat' })
class ChatEvents {
  @OnConnected()
  connected({ context }: ConnectedEvent): void {
    seen.classConnected.push(context.connectionId);
  }

  @OnDisconnected()
  disconnected({ context }: DisconnectedEvent): void {
    seen.classDisconnected.push(context.connectionId);
  }

  @OnUserEvent('stats')
  stats({ context }: UserEventRequest): WsResponse<string> {
    return { event: 'stats', data: `class saw ${context.connectionId}` };
  }
}

@WebSocketGateway({ hub: 'chat' })
class ChatGateway {
  handleConnection(socket: WebPubSubSocket): void {
    seen.gatewayConnected.push(socket.id);
  }

  handleDisconnect(socket: WebPubSubSocket): void {
    seen.gatewayDisconnected.push(socket.id);
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'echo', data };
  }
}

/** The same user event on both sides: one answer per event, so startup refuses it. */
@WebPubSubEventHandler({ hub: 'chat' })
class EchoEvents {
  @OnUserEvent('echo')
  echo(): string {
    return 'from the class';
  }
}

/**
 * One hub served by an event handler class and a gateway together, as the README says they mix:
 * `connected` and `disconnected` reach both, each user event name goes to the side that handles it.
 */
describe('an event handler class and a gateway on one hub', () => {
  const driver = new WebPubSubDriver();
  beforeAll(() => driver.start(ChatGateway, ChatEvents));
  afterAll(() => driver.stop());

  it('runs connected and disconnected on both, and sends each user event to its own side', async () => {
    const client = await driver.connect('ann');
    const id = client.official.connectionId;
    await waitFor(
      () => seen.classConnected.includes(id) && seen.gatewayConnected.includes(id),
      'connected on both sides',
    );

    expect(await client.request('echo', { n: 1 }, 'echo')).toEqual({ event: 'echo', data: { n: 1 } });
    expect(await client.request('stats', {}, 'stats')).toEqual({ event: 'stats', data: `class saw ${id}` });

    await client.close();
    await waitFor(
      () => seen.classDisconnected.includes(id) && seen.gatewayDisconnected.includes(id),
      'disconnected on both sides',
    );
    expect(driver.logs.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('refuses at startup a user event that both sides handle, naming both', async () => {
    const connectionString =
      'Endpoint=http://127.0.0.1:1;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;';
    const providers: Type[] = [ChatGateway, EchoEvents];
    const moduleRef = await Test.createTestingModule({
      imports: [WebPubSubModule.forRoot({ connectionString, hub: 'chat', httpLogging: 'off' })],
      providers,
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WebPubSubAdapter(app));
    const failure = await app.init().then(
      () => undefined,
      (error: unknown) => error,
    );
    await app.close().catch(() => undefined);
    expect(String(failure)).toContain('echo');
    expect(String(failure)).toContain('EchoEvents');
    expect(String(failure)).toContain('ChatGateway');
  });
});
