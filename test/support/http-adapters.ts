import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';

/**
 * The HTTP platforms the module supports. Suites of code that branches by platform (the event gate,
 * body reading, parser checks, route registration, and the security suites) run on each
 * (`describe.each(ADAPTERS)`).
 */
export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];
/** Suites whose code does not branch by platform run on Express, Nest's default, only. */
export const DEFAULT_ADAPTER: AdapterName[] = ['express'];

/** A Nest app on `adapter`, not yet initialised (so a test can add body parsers first). */
export function createAdapterApp(
  moduleRef: TestingModule,
  adapter: AdapterName,
  options: NestApplicationOptions = {},
): INestApplication {
  return adapter === 'fastify'
    ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), options)
    : moduleRef.createNestApplication(options);
}

/** Initialises the app; on Fastify also waits for its routes, which supertest needs before the first request. */
export async function initAdapterApp(app: INestApplication): Promise<void> {
  await app.init();
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') await (adapter.getInstance() as { ready(): Promise<unknown> }).ready();
}
