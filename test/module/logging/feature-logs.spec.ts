import { describe, expect, it } from '@jest/globals';
import { Controller, Post, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { BroadcastToGroup, OnUserEvent, WebPubSubEventHandler, WebPubSubModule } from '../../../lib/index.js';
import { parseConnectionString } from '../../../lib/client/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { upstreamEventHeaders } from '../../support/upstream-events.js';

/**
 * The module's `logger` option governs every line the package writes, not only HTTP tracing: a
 * failed broadcast, a failing event handler and a rejected ce-signature go to the module's logger
 * (not the app's), and `logger: false` silences them.
 */
@Controller()
class RoomController {
  @Post('say')
  @BroadcastToGroup('lobby', { onError: 'log' })
  say() {
    return { text: 'hello' };
  }
}

@WebPubSubEventHandler({ hub: 'chat' })
class FailingEvents {
  @OnUserEvent('boom')
  boom(): never {
    throw new Error('handler exploded');
  }
}

/** A `boom` user event from conn-1, signed with `key`. */
function userEvent(app: INestApplication, key: string) {
  const headers = upstreamEventHeaders(
    'boom',
    { hub: 'chat', connectionId: 'conn-1', key, origin: '127.0.0.1' },
    { 'content-type': 'text/plain' },
  );
  return request(app.getHttpServer()).post('/eventhandler').set(headers).send('x');
}

describe('the module `logger` option for broadcast and event logs', () => {
  const stage = useEmulator();
  let app: INestApplication | undefined;

  async function start(moduleLogger: LoggerService | false): Promise<CapturingLogger> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WebPubSubModule.forRoot({
          connectionString: stage.emulator.connectionString,
          hub: 'chat',
          logger: moduleLogger,
          httpLogging: 'off',
          retryOptions: { maxRetries: 0 },
          events: { allowedOrigins: ['127.0.0.1'] },
        }),
      ],
      controllers: [RoomController],
      providers: [FailingEvents],
    }).compile();
    const appLogs = new CapturingLogger();
    const started = moduleRef.createNestApplication({ logger: appLogs });
    stage.defer(() => started.close());
    app = await started.init();
    return appLogs;
  }

  async function causeEveryLine(key: string): Promise<void> {
    stage.emulator.faults.serviceDown({ status: 500 });
    expect((await request(app!.getHttpServer()).post('/say')).status).toBe(201);
    expect((await userEvent(app!, key)).status).toBe(500);
    expect((await userEvent(app!, 'not-the-key')).status).toBe(401);
  }

  it("writes them to the module's logger with the WebPubSub context, and not to the app's", async () => {
    const moduleLogs = new CapturingLogger();
    const appLogs = await start(moduleLogs);
    await causeEveryLine(parseConnectionString(stage.emulator.connectionString).accessKey);

    const ours = moduleLogs.lines.map(({ level, message, context }) => ({ level, message, context }));
    expect(ours).toEqual([
      {
        level: 'error',
        message: expect.stringContaining('RoomController.say to group "lobby"') as unknown as string,
        context: 'WebPubSub',
      },
      {
        level: 'error',
        message: expect.stringContaining('FailingEvents.boom') as unknown as string,
        context: 'WebPubSub',
      },
      { level: 'warn', message: expect.stringContaining('conn-1') as unknown as string, context: 'WebPubSub' },
    ]);
    // The handler's stack is passed along, as Nest's Logger.error(message, stack, context) expects.
    expect(String(moduleLogs.lines[1].params[0])).toContain('handler exploded');
    expect(appLogs.lines.filter((line) => line.context === 'WebPubSub')).toEqual([]);
  });

  it('`logger: false` silences them', async () => {
    const appLogs = await start(false);
    await causeEveryLine(parseConnectionString(stage.emulator.connectionString).accessKey);
    // The app logger does capture (Nest's own start-up lines), so the empty filter below means something.
    expect(appLogs.lines.length).toBeGreaterThan(0);
    expect(appLogs.lines.filter((line) => line.context === 'WebPubSub' || line.text.includes('FailingEvents'))).toEqual(
      [],
    );
  });
});
