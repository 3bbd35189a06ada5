import type { HttpAdapterHost } from '@nestjs/core';
import type { LogWriter } from '../core/nest-log-writer.js';
import { EventMessages } from './events.messages.js';

type HttpAdapter = HttpAdapterHost['httpAdapter'] | undefined;

/**
 * Where the app's body parsers keep events out, says so once at startup, with the line that lets
 * them in. Changes no parser: that is the app's choice, made in main.ts. Only Fastify needs it: on
 * Express the route's gate reads event bodies before any parser (see events.gate.ts).
 */
export function checkBodyParsers(adapter: HttpAdapter, path: string, log: LogWriter): void {
  if (adapter?.getType() !== 'fastify') return;
  const fastify = adapter.getInstance() as { hasContentTypeParser(type: string): boolean };
  if (!fastify.hasContentTypeParser('application/octet-stream')) log('warn', EventMessages.noOctetStreamParser(path));
}
