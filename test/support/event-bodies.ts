import type { INestApplication } from '@nestjs/common';
import { json } from 'express';

/**
 * The setup lines the README gives ("Event bodies") for an app whose event route must take every
 * event a client can send, as a user's main.ts has them: on Express, a JSON parser for the route
 * that takes any JSON value up to 2 MB; on Fastify, a parser for binary events.
 */
export function acceptEveryEventBody(app: INestApplication, path = '/eventhandler'): void {
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') {
    adapter.getInstance().addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 2 * 1024 * 1024 }, (_request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) => done(null, body));
  } else {
    app.use(path, json({ limit: '2mb', strict: false }));
  }
}
