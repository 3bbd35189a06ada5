import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { WebPubSubModule } from '../../../lib/index.js';
import { EventMessages } from '../../../lib/events/events.messages.js';
import {
  calls,
  CONNECTION_STRING,
  CountingChatEvents,
  createApp,
  FORGED,
  useAppPerTest,
  userEvent,
} from './harness.js';

/**
 * Event bodies and the app's own parsers. On Express the route's gate reads event bodies before
 * Nest's JSON parser (strict, 100 kB) can refuse them; on Fastify the app must add a parser for
 * binary events, and the route says so once at startup, with the line.
 */
describe("event bodies and the app's parsers", () => {
  const slot = useAppPerTest();
  const { logger } = slot;
  const warnings = () => logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);
  const post = (headers: Record<string, string>, body: string | Buffer, path = '/eventhandler/message') =>
    request(slot.app!.getHttpServer()).post(path).set(headers).send(body);

  it("Express, with no setup line: any JSON value up to the route's limit reaches the handler, past Nest's strict 100 kB parser", async () => {
    slot.app = await createApp('express', { connectionString: CONNECTION_STRING, hub: 'chat' }, logger, false);
    for (const body of ['5', '"hi"', 'null', JSON.stringify('a'.repeat(1024 * 1024 - 64))])
      expect((await post(userEvent('application/json'), body)).status).toBe(204);
    expect(calls.user).toBe(4);
    const broken = await post(userEvent('application/json'), '{not json');
    expect([broken.status, broken.body.message]).toEqual([400, 'The event body is not valid JSON.']);
    expect(warnings()).toEqual([]);
    // Other routes keep the app's own parser: a bare value is still refused there.
    const elsewhere = await request(slot.app.getHttpServer())
      .post('/elsewhere')
      .set('content-type', 'application/json')
      .send('5');
    expect(elsewhere.status).toBe(400);
  });

  it('Express: a forged or oversized event is refused on its headers, before its body is read', async () => {
    slot.app = await createApp('express', { connectionString: CONNECTION_STRING, hub: 'chat' }, logger, false);
    await slot.app.listen(0, '127.0.0.1');
    const { port } = slot.app.getHttpServer().address() as { port: number };
    // Declares 64 MiB and sends none of it: an answer can only come from the headers.
    for (const [headers, status] of [
      [{ ...userEvent('application/json'), 'ce-signature': FORGED }, 401],
      [userEvent('application/json'), 413],
    ] as const) {
      const answer = await new Promise<number>((resolve, reject) => {
        const sent = httpRequest({
          host: '127.0.0.1',
          port,
          path: '/eventhandler/message',
          method: 'POST',
          headers: { ...headers, 'content-length': 64 * 1024 * 1024 },
        });
        sent.on('response', (response) => {
          resolve(response.statusCode ?? 0);
          sent.destroy();
        });
        sent.on('error', reject);
        sent.setTimeout(5000, () => reject(new Error('no answer: the body was awaited')));
        sent.flushHeaders();
      });
      expect(answer).toBe(status);
    }
    expect(calls.user).toBe(0);
  });

  it.each(['express', 'fastify'] as const)(
    '%s: the handshake and the events work with app.enableCors() and a global prefix',
    async (adapter) => {
      const moduleRef = await Test.createTestingModule({
        imports: [WebPubSubModule.forRoot({ connectionString: CONNECTION_STRING, hub: 'chat', logger })],
        providers: [CountingChatEvents],
      }).compile();
      slot.app =
        adapter === 'fastify'
          ? moduleRef.createNestApplication(new FastifyAdapter())
          : moduleRef.createNestApplication();
      slot.app.setGlobalPrefix('api');
      slot.app.enableCors();
      await slot.app.init();
      if (adapter === 'fastify')
        await (slot.app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
      const handshake = await request(slot.app.getHttpServer())
        .options('/api/eventhandler')
        .set('WebHook-Request-Origin', 'contoso.webpubsub.azure.com');
      expect([handshake.status, handshake.headers['webhook-allowed-origin']]).toEqual([
        200,
        'contoso.webpubsub.azure.com',
      ]);
      expect((await post(userEvent('application/json'), '5', '/api/eventhandler/message')).status).toBe(204);
      // An app route's own preflight is still CORS's.
      const preflight = await request(slot.app.getHttpServer())
        .options('/api/anything')
        .set('Origin', 'https://site.example')
        .set('Access-Control-Request-Method', 'POST');
      expect([preflight.status, preflight.headers['access-control-allow-origin']]).toEqual([204, '*']);
    },
  );

  it('Fastify: with no parser for binary events, says so at startup with the exact line; binary events get 415', async () => {
    slot.app = await createApp('fastify', { connectionString: CONNECTION_STRING, hub: 'chat' }, logger, false);
    expect(warnings()).toEqual([expect.stringContaining("addContentTypeParser('application/octet-stream'")]);
    expect((await post(userEvent('application/octet-stream'), Buffer.from([1, 2, 3]))).status).toBe(415);
    expect(calls.user).toBe(0);
    // JSON values of any kind pass Fastify's own parser.
    expect((await post(userEvent('application/json'), '5')).status).toBe(204);
    expect(calls.user).toBe(1);
  });

  it('Fastify: a forged event is refused on its headers, before Fastify reads or parses its body', async () => {
    slot.app = await createApp('fastify', { connectionString: CONNECTION_STRING, hub: 'chat' }, logger);
    // Not JSON at all: a parser that ran first would answer 400, the signature check answers 401.
    const forged = await post({ ...userEvent('application/json'), 'ce-signature': FORGED }, '{not json');
    expect(forged.status).toBe(401);
    expect(calls.user).toBe(0);
  });

  it("the README gives the lines the log gives (Fastify's, also in the helper these tests use; a Nest 10 testing module's)", () => {
    // Compared as code, whatever the line breaks Prettier chose in each file.
    const asCode = (text: string) => text.replace(/\s+/g, ' ').replace(/\( /g, '(');
    const readme = asCode(readFileSync(new URL('../../../README.md', import.meta.url), 'utf8'));
    const helper = asCode(readFileSync(new URL('../../support/event-bodies.ts', import.meta.url), 'utf8'));
    const line = "addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 2 * 1024 * 1024 }";
    expect([
      readme.includes(line),
      helper.includes(line),
      EventMessages.noOctetStreamParser('/eventhandler').includes(line),
    ]).toEqual([true, true, true]);
    // The line for a testing module of Nest before 11.1.4 (tested in test/consumers/nest10-commonjs-jest).
    const testLine = "app.useBodyParser('json', { strict: false, limit: '2mb' })";
    expect([readme.includes(testLine), EventMessages.gateAfterParsers('/eventhandler').includes(testLine)]).toEqual([
      true,
      true,
    ]);
  });

  it('an app with no event handler hears nothing of parsers (the default route exists anyway)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WebPubSubModule.forRoot({ connectionString: CONNECTION_STRING, hub: 'chat' })],
    }).compile();
    slot.app = moduleRef.createNestApplication(new FastifyAdapter());
    slot.app.useLogger(logger);
    await slot.app.init();
    expect(warnings()).toEqual([]);
  });

  it('with the setup line, nothing is logged at startup on either adapter', async () => {
    for (const adapter of ['express', 'fastify'] as const) {
      slot.app = await createApp(adapter, { connectionString: CONNECTION_STRING, hub: 'chat' }, logger);
      await slot.app.close();
      slot.app = undefined;
    }
    expect(warnings()).toEqual([]);
  });
});
