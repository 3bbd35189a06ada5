import { afterEach, describe, expect, it } from '@jest/globals';
import { OnUserEvent, WebPubSubEventHandler } from '../../../lib/index.js';
import { EventsStack } from '../../support/events-stack.js';
import { ADAPTERS } from '../../support/http-adapters.js';
import { waitFor } from '../../support/wait-for.js';

/** The emulator gives up on an upstream call after this long. */
const UPSTREAM_TIMEOUT_MS = 300;

/** A user event handler the test releases by hand, after the emulator gave up on it. */
@WebPubSubEventHandler({ hub: 'chat' })
class SlowEvents {
  started = 0;
  answered = 0;
  private release?: () => void;

  @OnUserEvent('slow')
  async slow() {
    this.started++;
    await new Promise<void>((resolve) => (this.release = resolve));
    this.answered++;
    return 'late';
  }

  finish(): void {
    this.release?.();
  }
}

// How a late answer is written (and the connection it goes to) depends on the platform.
describe.each(ADAPTERS)('app.close() after the service gave up on an event, on %s', (adapter) => {
  let stack: EventsStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function startGivenUp(): Promise<{ stack: EventsStack; events: SlowEvents }> {
    const started = await new EventsStack({
      adapter,
      hub: 'chat',
      hubs: { chat: { template: '/eventhandler/{event}' } },
      providers: [SlowEvents],
      upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
    }).start();
    stack = started;
    const events = started.app.get(SlowEvents);
    const client = await started.connect({ userId: 'late' });
    // The ack comes back failed once the emulator's upstream call timed out.
    const sentAt = Date.now();
    await expect(client.sendEvent('slow', { n: 1 })).rejects.toThrow();
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS - 50);
    expect(events.started).toBe(1);
    expect(events.answered).toBe(0);
    return { stack: started, events };
  }

  it('resolves promptly once the handler answered late', async () => {
    const { stack, events } = await startGivenUp();
    events.finish();
    await waitFor(() => events.answered === 1, 'the handler to answer');
    await stack.closeClients();

    const closing = Date.now();
    await stack.app.close();
    expect(Date.now() - closing).toBeLessThan(1000);
  }, 30_000);

  it('resolves no later than the handler still running at close answers', async () => {
    const { stack, events } = await startGivenUp();
    const HANDLER_LEFT_MS = 400;
    setTimeout(() => events.finish(), HANDLER_LEFT_MS);

    const closing = Date.now();
    await stack.app.close();
    expect(Date.now() - closing).toBeLessThan(HANDLER_LEFT_MS + 1000);
    // Its late answer goes nowhere, harmlessly.
    await waitFor(() => events.answered === 1, 'the handler to answer');
    expect(stack.errorLines()).toEqual([]);
  }, 30_000);
});
