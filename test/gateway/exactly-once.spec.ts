import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocketGateway } from '@nestjs/websockets';
import { OnConnected, WebPubSubEventHandler, type ConnectedEvent } from '../../lib/index.js';
import type { WebPubSubSocket } from '../../lib/gateway/index.js';
import { WebPubSubDriver } from '../support/gateway-drivers.js';
import { upstreamEventHeaders } from '../support/upstream-events.js';
import { waitFor } from '../support/wait-for.js';

const count = (list: string[], id: string) => list.filter((seen) => seen === id).length;

@WebSocketGateway({ hub: 'chat' })
class CountingGateway {
  static connections: string[] = [];
  static disconnects: string[] = [];

  handleConnection(socket: WebPubSubSocket): void {
    CountingGateway.connections.push(socket.id);
  }

  handleDisconnect(socket: WebPubSubSocket): void {
    CountingGateway.disconnects.push(socket.id);
  }
}

/** Another consumer of the same hub's `connected`: slow once, or always failing, by user id. */
@WebPubSubEventHandler({ hub: 'chat' })
class MoodyEvents {
  static runs: string[] = [];

  @OnConnected()
  async connected({ context }: ConnectedEvent): Promise<void> {
    MoodyEvents.runs.push(context.connectionId);
    if (context.userId === 'class-throws') throw new Error('the class failed');
    // Longer than the emulator's upstream timeout the first time: the emulator retries `connected`.
    if (context.userId === 'class-slow' && count(MoodyEvents.runs, context.connectionId) === 1)
      await new Promise((resolve) => setTimeout(resolve, 700));
  }
}

/** Issue 23, point 4: handleConnection and handleDisconnect run once per connection id in a process. */
describe('gateway connection callbacks, exactly once', () => {
  const driver = new WebPubSubDriver('express', {}, { upstreamTimeoutMs: 300, upstreamRetryDelaysMs: [20, 20, 20] });
  beforeAll(() => driver.start(CountingGateway, MoodyEvents));
  afterAll(() => driver.stop());

  /** Posts one signed system event for `connectionId` straight to the app's event route. */
  async function deliver(event: 'connected' | 'disconnected', connectionId: string): Promise<number> {
    const endpoint = new URL(driver.emulator!.endpoint);
    const key = /AccessKey=([^;]+)/.exec(driver.emulator!.connectionString)![1];
    const headers = upstreamEventHeaders(event, { hub: 'chat', connectionId, key, origin: endpoint.host });
    const response = await fetch(`${await driver.app!.getUrl()}/eventhandler`.replace('[::1]', '127.0.0.1'), {
      method: 'POST',
      headers,
      body: event === 'disconnected' ? JSON.stringify({ reason: 'gone' }) : '{}',
    });
    return response.status;
  }

  it('duplicated, concurrent and late deliveries: once each, and `connected` after `disconnected` brings nothing back', async () => {
    const id = 'dup-connection-1';
    const statuses = await Promise.all([deliver('connected', id), deliver('connected', id)]);
    statuses.push(await deliver('connected', id));
    statuses.push(await deliver('disconnected', id), await deliver('disconnected', id));
    statuses.push(await deliver('connected', id), await deliver('disconnected', id));
    expect(statuses.every((status) => status === 204)).toBe(true);
    expect(count(CountingGateway.connections, id)).toBe(1);
    expect(count(CountingGateway.disconnects, id)).toBe(1);
  });

  it('a `disconnected` that comes first: handleDisconnect once, and the late `connected` does not run handleConnection', async () => {
    const id = 'dup-connection-2';
    await deliver('disconnected', id);
    await deliver('connected', id);
    await deliver('disconnected', id);
    expect(count(CountingGateway.connections, id)).toBe(0);
    expect(count(CountingGateway.disconnects, id)).toBe(1);
  });

  it('an @OnConnected class on the same hub that always throws (retried `connected`): handleConnection still runs once', async () => {
    const client = await driver.connect('class-throws');
    const id = client.official.connectionId;
    // The emulator delivers `connected` four times (first try and three retries).
    await waitFor(
      () => count(MoodyEvents.runs, id) >= 4 || undefined,
      () => `4 runs, saw ${count(MoodyEvents.runs, id)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(count(CountingGateway.connections, id)).toBe(1);
  });

  it('an @OnConnected class slower than the upstream timeout (retried `connected`): handleConnection runs once', async () => {
    const client = await driver.connect('class-slow');
    const id = client.official.connectionId;
    await waitFor(() => count(MoodyEvents.runs, id) >= 2 || undefined, 'the retried `connected`');
    // The first delivery's handler finishes after its request timed out.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(count(CountingGateway.connections, id)).toBe(1);
    await client.close();
    await waitFor(() => count(CountingGateway.disconnects, id) === 1, 'handleDisconnect');
  });
});
