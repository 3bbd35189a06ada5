import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { WebPubSubModule } from '../../../lib/index.js';
import { EventMessages } from '../../../lib/events/events.messages.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { calls, CONNECTION_STRING, createApp, resetCalls, userEvent } from './harness.js';

/**
 * Without the README's body setup lines the app's own parsers decide what an event may carry. The
 * route changes no parser; it says once, with the line to add, where they limit events.
 */
describe('event bodies without the setup lines', () => {
  let app: INestApplication | undefined;
  const logger = new CapturingLogger();
  afterEach(async () => {
    await app?.close();
    logger.lines.length = 0;
    resetCalls();
  });
  const warnings = () => logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);
  const post = (headers: Record<string, string>, body: string | Buffer) => request(app!.getHttpServer()).post('/eventhandler/message').set(headers).send(body);

  it('Express: Nest\'s strict JSON parser refuses a bare JSON value; the first refusal logs the exact line, once', async () => {
    app = await createApp('express', { connectionString: CONNECTION_STRING, hub: 'chat' }, logger, false);
    expect(warnings()).toEqual([]);
    const refused = await post(userEvent('application/json'), '5');
    expect([refused.status, refused.body.message]).toEqual([400, expect.stringContaining("the app's log says how to accept it")]);
    expect((await post(userEvent('application/json'), JSON.stringify('a'.repeat(200 * 1024)))).status).toBe(413);
    expect(calls.user).toBe(0);
    // Broken JSON the route would refuse too: its own message, no advice.
    const broken = await post(userEvent('application/json'), '{not json');
    expect([broken.status, broken.body.message]).toEqual([400, 'The event body is not valid JSON.']);
    // Other paths keep the app's own answers.
    const elsewhere = await request(app.getHttpServer()).post('/elsewhere').set(userEvent('application/json')).send('{not json');
    expect([elsewhere.status, elsewhere.body.message]).toEqual([400, expect.not.stringContaining('event body')]);
    expect(warnings()).toEqual([expect.stringContaining("app.use('/eventhandler', json({ limit: '2mb', strict: false }))")]);
    // Objects within Nest's limit still pass its parser and reach the handler.
    expect((await post(userEvent('application/json'), '{"n":1}')).status).toBe(204);
    expect(calls.user).toBe(1);
  });

  it('Express: a refusal the route would also make (a body over 2 MiB) is not blamed on the parser', async () => {
    app = await createApp('express', { connectionString: CONNECTION_STRING, hub: 'chat' }, logger, false);
    expect((await post(userEvent('application/json'), JSON.stringify('a'.repeat(3 * 1024 * 1024)))).status).toBe(413);
    expect(warnings()).toEqual([]);
  });

  it('Fastify: with no parser for binary events, says so at startup with the exact line; binary events get 415', async () => {
    app = await createApp('fastify', { connectionString: CONNECTION_STRING, hub: 'chat' }, logger, false);
    expect(warnings()).toEqual([expect.stringContaining("addContentTypeParser('application/octet-stream'")]);
    expect((await post(userEvent('application/octet-stream'), Buffer.from([1, 2, 3]))).status).toBe(415);
    expect(calls.user).toBe(0);
    // JSON values of any kind pass Fastify's own parser.
    expect((await post(userEvent('application/json'), '5')).status).toBe(204);
    expect(calls.user).toBe(1);
  });

  it('the README gives the same lines as the log (and as the helper these tests set apps up with)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const helper = readFileSync(new URL('../../support/event-bodies.ts', import.meta.url), 'utf8');
    for (const line of ["json({ limit: '2mb', strict: false })", "addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 2 * 1024 * 1024 }"]) {
      expect([readme.includes(line), helper.includes(line)]).toEqual([true, true]);
    }
    expect(EventMessages.parserRefused(400, '/eventhandler')).toContain("app.use('/eventhandler', json({ limit: '2mb', strict: false }))");
    expect(EventMessages.noOctetStreamParser('/eventhandler')).toContain("addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 2 * 1024 * 1024 }");
  });

  it('an app with no event handler hears nothing of parsers (the default route exists anyway)', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WebPubSubModule.forRoot({ connectionString: CONNECTION_STRING, hub: 'chat' })] }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter());
    app.useLogger(logger);
    await app.init();
    expect(warnings()).toEqual([]);
  });

  it('with the setup lines, nothing is logged at startup on either adapter', async () => {
    for (const adapter of ['express', 'fastify'] as const) {
      app = await createApp(adapter, { connectionString: CONNECTION_STRING, hub: 'chat' }, logger);
      await app.close();
      app = undefined;
    }
    expect(warnings()).toEqual([]);
  });
});
