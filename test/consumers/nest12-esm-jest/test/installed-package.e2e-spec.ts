import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebPubSubRestClient } from 'nestjs-web-pubsub';

/*
 * The package as installed here, run as a user runs it: what the tarball holds, what Node's own
 * loader resolves, and the app compiled by its own tsc and started with `node dist/main.js` on the
 * emulator CLI that came inside the tarball (its `bin`). The runner starts this spec in the app's folder.
 */

const appDir = process.cwd();
const installed = path.join(appDir, 'node_modules/nestjs-web-pubsub');

/** A loopback port that was free a moment ago: the emulator must know the app's URL before the app listens. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` until it returns a value, failing with `what` after `timeoutMs`. */
async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every file below `dir`, as paths relative to it with `/` separators. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** A long-running child in its own process group (stopping it stops all it started), with its output. */
class Service {
  output = '';
  exitCode?: number | string;

  constructor(readonly name: string, readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.once('exit', (code, signal) => (this.exitCode = code ?? signal ?? 'unknown'));
  }

  static start(name: string, command: string, args: string[], env: Record<string, string> = {}): Service {
    return new Service(name, spawn(command, args, { cwd: appDir, env: { ...process.env, NO_COLOR: '1', ...env }, detached: true }));
  }

  /** Throws with the output if the process is gone: a crash fails at once, with its reason. */
  assertRunning(): void {
    if (this.exitCode !== undefined) throw new Error(`${this.name} exited (${this.exitCode}):\n${this.output.slice(-4000)}`);
  }

  stop(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

describe('the installed package (node dist/main.js on the emulator CLI)', () => {
  let appUrl: string;
  const services: Service[] = [];
  const clients: WebPubSubClient[] = [];
  let connectionString: string;

  beforeAll(async () => {
    // The app's own tsc, as `nest build` would run it; main.js then runs under Node's own ESM loader.
    const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: appDir, encoding: 'utf8' });
    if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);

    const appPort = await freePort();
    appUrl = `http://127.0.0.1:${appPort}`;
    // The emulator CLI from the tarball's `bin`, on a port of its own choosing; it prints its connection string.
    const emulator = Service.start('web-pubsub-emulator', path.join(appDir, 'node_modules/.bin/web-pubsub-emulator'), ['--port', '0', '--hub', 'chat', '--event-handler', `${appUrl}/eventhandler/{event}`]);
    services.push(emulator);
    connectionString = await until(() => {
      emulator.assertRunning();
      return emulator.output.match(/^Connection string: (\S+)$/m)?.[1];
    }, 'the emulator CLI to print its connection string');

    const app = Service.start('the Nest app', process.execPath, ['dist/main.js'], { PORT: String(appPort), WEBPUBSUB_CONNECTION_STRING: connectionString });
    services.push(app);
    await until(async () => {
      app.assertRunning();
      return fetch(`${appUrl}/`).then(() => true, () => undefined);
    }, `the app to answer at ${appUrl}`, 30_000);
  }, 120_000);

  afterAll(() => {
    for (const client of clients) client.stop();
    for (const service of services) service.stop();
  });

  it('installs a real copy holding only dist/, package.json, the README and the LICENSE', async () => {
    expect((await lstat(installed)).isSymbolicLink()).toBe(false);
    const files = await listFiles(installed);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/esm/emulator/cli.js']));
    expect(files.filter((file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file))).toEqual([]);
    // Inside dist: compiled output only, no sources and no tests.
    expect(files.filter((file) => /(^|\/)(lib|test|__tests__)\/|\.spec\.|\.test\.|(?<!\.d)\.ts$/.test(file))).toEqual([]);
    // The sources are not shipped, so each source map carries them (stack traces and debuggers need them).
    const maps = files.filter((file) => file.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(await readFile(path.join(installed, map), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
      expect({ map, complete: sourcesContent?.length === sources.length && sourcesContent.every((text) => text.length > 0) }).toEqual({ map, complete: true });
    }
  });

  it("resolves nestjs-web-pubsub and nestjs-web-pubsub/emulator with Node's own loader, to the installed copy", () => {
    const script = `
      const emulator = await import('nestjs-web-pubsub/emulator');
      console.log(JSON.stringify({
        main: import.meta.resolve('nestjs-web-pubsub'),
        emulator: import.meta.resolve('nestjs-web-pubsub/emulator'),
        start: typeof emulator.WebPubSubEmulator?.start,
      }));
    `;
    const node = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: appDir, encoding: 'utf8' });
    expect({ status: node.status, stderr: node.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(node.stdout)).toEqual({
      main: pathToFileURL(path.join(installed, 'dist/esm/index.js')).href,
      emulator: pathToFileURL(path.join(installed, 'dist/esm/emulator/index.js')).href,
      start: 'function',
    });
  });

  it("delivers a decorated route's result to an official client in the group its @OnConnect handler chose", async () => {
    const service = new WebPubSubRestClient(connectionString, 'chat');
    const connect = async (user: string, room?: string) => {
      const { url } = await service.getClientAccessToken({ userId: user });
      const client = new WebPubSubClient(room ? `${url}&room=${room}` : url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, autoReconnect: false });
      clients.push(client);
      const received: Array<{ group: string; dataType: string; data: unknown }> = [];
      client.on('group-message', ({ message }) => received.push({ group: message.group, dataType: message.dataType, data: message.data }));
      await client.start();
      return received;
    };
    const alice = await connect('alice', 'lobby');
    // A control: connected to the same hub, but the connect handler put it in no group.
    const bob = await connect('bob');

    const message = { text: 'hello from an installed package', sentAt: Date.now() };
    const response = await fetch(`${appUrl}/rooms/lobby/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 201, body: message });

    await until(() => (alice.length > 0 ? true : undefined), 'the group message at the official client');
    expect(alice).toEqual([{ group: 'lobby', dataType: 'json', data: message }]);
    expect(bob).toEqual([]);
  });
});
