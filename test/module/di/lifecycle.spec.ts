import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubEmulator } from '../../../lib/emulator/index.js';
import { ensureBuilt } from '../../support/prebuilt.js';

/*
 * Nothing the module starts may keep the process alive after app.close(). Checked the way a user
 * runs it: the BUILT package (`npm run build`, imported as 'nestjs-web-pubsub') in a child Node
 * process that must exit by itself, without process.exit, within a few seconds of closing the app.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXIT_WITHIN_MS = 5000;

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the child's "closed" line to its exit. */
  exitAfterCloseMs: number;
}

/** Runs an ES module script in a child Node process; fails if it is still alive EXIT_WITHIN_MS after saying "closed". */
function runChild(script: string, env: Record<string, string> = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'development', ...env },
    });
    let stdout = '';
    let stderr = '';
    let closedAt: number | undefined;
    let killer: NodeJS.Timeout | undefined;
    const hardLimit = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The child never reported "closed" within 20 s.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (closedAt === undefined && /^closed$/m.test(stdout)) {
        closedAt = Date.now();
        killer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(
            new Error(
              `The process was still alive ${EXIT_WITHIN_MS} ms after it closed the app (or its startup failed): something keeps it open.\nstdout: ${stdout}\nstderr: ${stderr}`,
            ),
          );
        }, EXIT_WITHIN_MS);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => {
      clearTimeout(hardLimit);
      clearTimeout(killer);
      resolve({ code, stdout, stderr, exitAfterCloseMs: closedAt === undefined ? -1 : Date.now() - closedAt });
    });
  });
}

/** The app in the child: plain JavaScript, decorators applied by hand, Nest's own logger capturing lines. */
const appScript = (moduleOptions: string, afterSend = '') => `
  import 'reflect-metadata';
  import { Module } from '@nestjs/common';
  import { NestFactory } from '@nestjs/core';
  import { WebPubSubClient } from '@azure/web-pubsub-client';
  import { WebSocket } from 'ws';
  import { WebPubSubModule, WebPubSubService } from 'nestjs-web-pubsub';

  const lines = [];
  const capture = (level) => (message, ...params) => lines.push({ level, message: String(message), context: params.at(-1) });
  const logger = { log: capture('log'), error: capture('error'), warn: capture('warn'), debug: capture('debug'), verbose: capture('verbose') };

  class AppModule {}
  Module({ imports: [WebPubSubModule.forRoot(${moduleOptions})] })(AppModule);

  const app = await NestFactory.create(AppModule, { logger });
  await app.listen(0, '127.0.0.1');
  const service = app.get(WebPubSubService);
  const { url } = await service.getClientAccessToken({ userId: 'alice' });

  // An official client receives one message, then stops (its keep-alive timers are off).
  const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
  const received = new Promise((resolve) => client.on('server-message', (event) => resolve(event.message.data)));
  const stopped = new Promise((resolve) => client.on('stopped', resolve));
  await client.start();
  await service.sendToAll({ hello: 'lifecycle' });
  const data = await received;
  client.stop();
  await stopped;
  ${afterSend}
  await app.close();
  console.log(JSON.stringify({ data, endpoint: service.endpoint, lines, resources: process.getActiveResourcesInfo() }));
  console.log('closed');
`;

/** An app whose startup fails (an unregistered instance injected) just as its embedded emulator starts. */
const failedStartupScript = `
  import 'reflect-metadata';
  import { Injectable, Module } from '@nestjs/common';
  import { NestFactory } from '@nestjs/core';
  import { InjectWebPubSub, WebPubSubModule } from 'nestjs-web-pubsub';

  let started = false;
  const quiet = () => undefined;
  const logger = { log: (message) => (started ||= String(message).startsWith('Started an embedded')), error: quiet, warn: quiet };

  class NeedsGhost {}
  Injectable()(NeedsGhost);
  InjectWebPubSub('ghost')(NeedsGhost, undefined, 0);
  class AppModule {}
  Module({ imports: [WebPubSubModule.forRoot({ emulator: true, hub: 'chat', logger })], providers: [NeedsGhost] })(AppModule);

  const error = await NestFactory.create(AppModule, { logger: false, abortOnError: false }).then(() => undefined, (caught) => caught.message);
  // Nest rejects as soon as one provider fails; the emulator may finish starting just after.
  const deadline = Date.now() + 5000;
  while (!started && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  console.log(JSON.stringify({ data: error, endpoint: String(started), lines: [], resources: process.getActiveResourcesInfo() }));
  console.log('closed');
`;

function resultOf(run: ChildRun): {
  data: unknown;
  endpoint: string;
  lines: Array<{ level: string; message: string; context: unknown }>;
  resources: string[];
} {
  const json = run.stdout.split('\n').find((line) => line.startsWith('{'));
  if (run.code !== 0 || !json)
    throw new Error(`The child failed (exit ${run.code}).\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return JSON.parse(json);
}

describe('lifecycle of the built package', () => {
  let external: WebPubSubEmulator;

  beforeAll(async () => {
    ensureBuilt();
    external = await WebPubSubEmulator.start({ accessKey: 'lifecycle-external-key' });
  }, 120_000);
  afterAll(() => external?.stop());

  it('with `emulator: true`, the process exits by itself after app.close(), even with a client still connected', async () => {
    const run = await runChild(
      appScript(
        `{ emulator: { accessKey: 'lifecycle-embedded-key' }, hub: 'chat' }`,
        `
        // A plain WebSocket left open: closing the app must close it, not wait for it.
        const socket = new WebSocket(url, 'json.webpubsub.azure.v1');
        await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
      `,
      ),
    );
    const result = resultOf(run);
    expect(result.data).toEqual({ hello: 'lifecycle' });
    expect(result.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const started = result.lines.filter((line) => line.message.includes('embedded Web PubSub emulator'));
    expect(started).toEqual([
      { level: 'log', message: expect.stringContaining(result.endpoint), context: 'WebPubSub' },
    ]);
    expect(run.stdout + run.stderr).not.toContain('lifecycle-embedded-key');
    expect(run.exitAfterCloseMs).toBeLessThan(EXIT_WITHIN_MS);
  }, 30_000);

  it('when startup fails after the embedded emulator started (no shutdown hook runs), the process still exits', async () => {
    const run = await runChild(failedStartupScript);
    const result = resultOf(run);
    expect(result.data).toMatch(/Nest can't resolve dependencies of the NeedsGhost[\s\S]*WebPubSubService "ghost"/);
    expect(result.endpoint).toBe('true');
    expect(run.exitAfterCloseMs).toBeLessThan(EXIT_WITHIN_MS);
  }, 30_000);

  it('with an external service, the process exits by itself after app.close()', async () => {
    const run = await runChild(appScript(`{ hub: 'chat' }`), {
      WEBPUBSUB_CONNECTION_STRING: external.connectionString,
    });
    const result = resultOf(run);
    expect(result.data).toEqual({ hello: 'lifecycle' });
    expect(result.endpoint).toBe(external.endpoint);
    expect(result.lines.some((line) => line.message.includes('embedded Web PubSub emulator'))).toBe(false);
    expect(run.stdout + run.stderr).not.toContain('lifecycle-external-key');
    expect(run.exitAfterCloseMs).toBeLessThan(EXIT_WITHIN_MS);
  }, 30_000);
});
