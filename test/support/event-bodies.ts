import type { INestApplication } from '@nestjs/common';

/**
 * The setup line the README gives ("Event bodies") for a Fastify app whose event route must take
 * binary events, as a user's main.ts has it. Express apps need none: the route reads event bodies
 * itself, before any parser.
 */
export function acceptEveryEventBody(app: INestApplication): void {
  const adapter = app.getHttpAdapter();
  if (adapter.getType() !== 'fastify') return;
  adapter
    .getInstance()
    .addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: 2 * 1024 * 1024 },
      (_request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) => done(null, body),
    );
}
