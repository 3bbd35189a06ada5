import { describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebPubSubModule, WebPubSubRestError, WebPubSubService, type HttpLoggingLevel } from '../../../lib/index.js';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { captureOutput } from '../../support/output-capture.js';
import { parseCallLine, parseConsoleOutput, UUID, type LogLine } from './logging-harness.js';

/*
 * Which level each outcome is logged at, and how `httpLogging` and `logger` choose what is logged:
 * retried attempts at warn, the final success at debug (with the attempt that succeeded), failures
 * at error, a HEAD 404 as an answer; 'errors', 'off' and `logger: false` log less or nothing.
 */

const KEY = 'levels-distinctive-access-key-8b1f07';
const HUB = 'chat';

describe('HTTP logging levels', () => {
  const stage = useEmulator({ accessKey: KEY });

  /** A service logging to `logger` (maxRetries 2, 1 ms delays); with `console`, Nest's Logger prints through a ConsoleLogger. */
  async function serviceWith(
    logger: LoggerService | boolean,
    httpLogging: HttpLoggingLevel,
    { connectionString = stage.emulator.connectionString, console = false } = {},
  ): Promise<WebPubSubService> {
    const builder = Test.createTestingModule({
      imports: [
        WebPubSubModule.forRoot({
          connectionString,
          hub: HUB,
          logger,
          httpLogging,
          retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
        }),
      ],
    });
    const moduleRef = await (console ? builder.setLogger(new ConsoleLogger()) : builder).compile();
    stage.defer(() => moduleRef.close());
    return moduleRef.get(WebPubSubService);
  }

  const at = (lines: LogLine[], level: string) => lines.filter((line) => line.level === level);
  const calls = (lines: LogLine[], level: string) => at(lines, level).map((line) => parseCallLine(line.message)!);

  it('logs a 503 then success as one warn (attempt 1) and one debug (attempt 2) sharing the request id', async () => {
    const logger = new CapturingLogger();
    const service = await serviceWith(logger, 'verbose');
    stage.emulator.faults.failNext(1, { status: 503 });
    stage.emulator.faults.setLatency(20);
    let sentId: string | undefined;
    await service.sendToAll('hi', {
      contentType: 'text/plain',
      onResponse: (response) => (sentId = response.request.headers.get('x-ms-client-request-id')),
    });

    expect(logger.lines.every((line) => line.context === 'WebPubSub')).toBe(true);
    const [warn, ...otherWarns] = calls(logger.lines, 'warn');
    const [done, ...otherDone] = calls(logger.lines, 'debug');
    expect([otherWarns, otherDone, at(logger.lines, 'error')]).toEqual([[], [], []]);
    expect(warn).toMatchObject({ method: 'POST', status: 503, attempt: 1 });
    expect(warn.url.pathname).toBe('/api/hubs/chat/:send');
    expect(at(logger.lines, 'warn')[0].message).toMatch(/the retry policy may try again$/);
    expect(done).toMatchObject({ method: 'POST', status: 202, attempt: 2 });
    // Durations are milliseconds: each attempt waited 20 ms in the emulator, the call both attempts.
    expect(warn.ms).toBeGreaterThanOrEqual(19);
    expect(done.ms).toBeGreaterThanOrEqual(38);
    expect(done.requestId).toMatch(UUID);
    expect(warn.requestId).toBe(done.requestId);
    expect(done.requestId).toBe(sentId);
    // verbose: the headers of both attempts, one id, the Authorization header REDACTED.
    const requestHeaders = at(logger.lines, 'verbose').filter((line) => line.message.includes(' request headers '));
    expect(requestHeaders.map((line) => /attempt (\d)/.exec(line.message)![1])).toEqual(['1', '2']);
    for (const line of requestHeaders) {
      const headers = JSON.parse(line.message.slice(line.message.indexOf('{'))) as Record<string, string>;
      expect([headers.authorization, headers['x-ms-client-request-id']]).toEqual(['REDACTED', sentId]);
    }
  });

  it('logs a persistent 500 as a warn per attempt and one error naming the last attempt', async () => {
    const logger = new CapturingLogger();
    const service = await serviceWith(logger, 'debug');
    stage.emulator.faults.serviceDown({ status: 500 });
    await expect(service.group('room').sendToAll('x', { contentType: 'text/plain' })).rejects.toMatchObject({
      statusCode: 500,
    });

    expect(calls(logger.lines, 'warn').map((call) => [call.status, call.attempt])).toEqual([
      [500, 1],
      [500, 2],
      [500, 3],
    ]);
    const [failure, ...more] = calls(logger.lines, 'error');
    expect(more).toEqual([]);
    expect(failure).toMatchObject({ method: 'POST', status: 500, attempt: 3 });
    expect(failure.url.pathname).toBe('/api/hubs/chat/groups/room/:send');
    expect(new Set(calls(logger.lines, 'warn').map((call) => call.requestId))).toEqual(new Set([failure.requestId]));
    expect(at(logger.lines, 'debug')).toEqual([]);
  });

  it('logs a 429 without Retry-After as an error only (not retried), and with Retry-After as a retry', async () => {
    const logger = new CapturingLogger();
    const service = await serviceWith(logger, 'debug');
    stage.emulator.faults.failNext(1, { status: 429 });
    await expect(service.sendToUser('u1', 'x', { contentType: 'text/plain' })).rejects.toBeInstanceOf(
      WebPubSubRestError,
    );
    expect(at(logger.lines, 'warn')).toEqual([]);
    expect(calls(logger.lines, 'error')).toMatchObject([{ status: 429, attempt: 1 }]);

    logger.lines.length = 0;
    stage.emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 0 });
    await service.sendToUser('u1', 'x', { contentType: 'text/plain' });
    expect(calls(logger.lines, 'warn')).toMatchObject([{ status: 429, attempt: 1 }]);
    expect(at(logger.lines, 'warn')[0].message).toContain('(Retry-After 0)');
    expect(calls(logger.lines, 'debug')).toMatchObject([{ status: 202, attempt: 2 }]);
  });

  it('treats a HEAD 404 (does not exist) as an answer: debug, never error', async () => {
    const logger = new CapturingLogger();
    const service = await serviceWith(logger, 'debug');
    expect(await service.userExists('ghost')).toBe(false);
    expect(await service.groupExists('ghost-group')).toBe(false);
    expect(await service.connectionExists('ghost-connection')).toBe(false);
    expect(calls(logger.lines, 'debug').map((call) => [call.method, call.status])).toEqual([
      ['HEAD', 404],
      ['HEAD', 404],
      ['HEAD', 404],
    ]);
    expect([...at(logger.lines, 'warn'), ...at(logger.lines, 'error')]).toEqual([]);
  });

  it("'errors' logs retries and failures but no successful call", async () => {
    const logger = new CapturingLogger();
    const service = await serviceWith(logger, 'errors');
    await service.sendToAll('ok', { contentType: 'text/plain' });
    expect(await service.userExists('ghost')).toBe(false);
    expect(logger.lines).toEqual([]);

    stage.emulator.faults.failNext(1, { status: 503 });
    await service.sendToAll('retried', { contentType: 'text/plain' });
    expect(calls(logger.lines, 'warn')).toMatchObject([{ status: 503, attempt: 1 }]);
    expect(logger.lines.length).toBe(1);

    stage.emulator.faults.serviceDown({ status: 500 });
    await expect(service.closeAllConnections()).rejects.toMatchObject({ statusCode: 500 });
    expect(calls(logger.lines, 'error')).toMatchObject([{ method: 'POST', status: 500, attempt: 3 }]);
    expect(at(logger.lines, 'debug').length + at(logger.lines, 'verbose').length).toBe(0);
  });

  it("'off' logs nothing, not even failures", async () => {
    const logger = new CapturingLogger();
    const service = await serviceWith(logger, 'off');
    await service.sendToAll('ok', { contentType: 'text/plain' });
    stage.emulator.faults.failNext(1, { status: 503 });
    await service.sendToAll('retried', { contentType: 'text/plain' });
    stage.emulator.faults.serviceDown({ status: 500 });
    await expect(service.sendToAll('failed', { contentType: 'text/plain' })).rejects.toMatchObject({ statusCode: 500 });
    expect(logger.lines).toEqual([]);
  });

  it('`logger: false` prints nothing of ours, even at verbose and on failure', async () => {
    const stdio = captureOutput();
    try {
      const service = await serviceWith(false, 'verbose', { console: true });
      await service.sendToAll('ok', { contentType: 'text/plain' });
      stage.emulator.faults.serviceDown({ status: 500 });
      await expect(service.sendToAll('failed', { contentType: 'text/plain' })).rejects.toMatchObject({
        statusCode: 500,
      });
    } finally {
      stdio.restore();
    }
    // Nest's own start-up lines are printed (so the capture works); none of ours.
    expect(stdio.text()).toContain('dependencies initialized');
    expect(stdio.lines().filter((line) => line.includes('[WebPubSub]') || line.includes('/api/hubs/'))).toEqual([]);
  });

  it("prints each line once under the context of a user's own Nest Logger", async () => {
    const stdio = captureOutput();
    try {
      const service = await serviceWith(new Logger('MyApp'), 'debug', { console: true });
      await service.sendToAll('ok', { contentType: 'text/plain' });
      stage.emulator.faults.serviceDown({ status: 500 });
      await expect(service.sendToAll('failed', { contentType: 'text/plain' })).rejects.toMatchObject({
        statusCode: 500,
      });
    } finally {
      stdio.restore();
    }
    const { lines, stray } = parseConsoleOutput(stdio.lines());
    expect(stray).toEqual([]);
    const mine = lines.filter((line) => line.context === 'MyApp');
    expect(
      mine.map((line) => [line.level, parseCallLine(line.message)?.status, parseCallLine(line.message)?.attempt]),
    ).toEqual([
      ['debug', 202, 1],
      ['warn', 500, 1],
      ['warn', 500, 2],
      ['warn', 500, 3],
      ['error', 500, 3],
    ]);
    expect(lines.filter((line) => line.message === 'WebPubSub' || line.context === 'WebPubSub')).toEqual([]);
  });

  it('logs a network failure as a warn per attempt and an error, naming the error code', async () => {
    // A loopback port nothing listens on: every attempt is refused, and the retry policy retries it.
    const probe = await WebPubSubEmulator.start();
    const refused = probe.connectionString.replace(/AccessKey=[^;]+/, `AccessKey=${KEY}`);
    await probe.stop();
    const logger = new CapturingLogger();
    const service = await serviceWith(logger, 'debug', { connectionString: refused });
    await expect(service.sendToAll('x', { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const failed =
      /^POST http:\/\/127\.0\.0\.1:\d+\/api\/hubs\/chat\/:send\?api-version=2024-12-01 failed: ECONNREFUSED .* in \d+ ms \(attempt (\d), x-ms-client-request-id ([0-9a-f-]{36})\)/;
    const warns = at(logger.lines, 'warn').map((line) => failed.exec(line.message));
    const errors = at(logger.lines, 'error').map((line) => failed.exec(line.message));
    expect(warns.map((match) => match?.[1])).toEqual(['1', '2', '3']);
    expect(errors.map((match) => match?.[1])).toEqual(['3']);
    expect(new Set([...warns, ...errors].map((match) => match![2])).size).toBe(1);
    expect(logger.lines.map((line) => line.message).join('\n')).not.toContain(KEY);
  });
});
