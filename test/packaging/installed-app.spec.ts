import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';
import { packedTarball } from '../support/prebuilt.js';

/*
 * The package as a user gets it: `npm pack`, the tarball installed by its file path into a fresh
 * Nest 12 app in a temp folder (no links to this repo, no path mapping), compiled with that app's own
 * tsc, and run as `node dist/main.js` against the emulator CLI that came inside the tarball. An
 * official client then receives a message that only arrives if the app's decorator, its event
 * handler and its forRootAsync wiring all work from the installed package.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/packaging/fixtures/nest-app');
/** What the app installs beside the tarball, at the versions this repo uses (so npm's cache answers). */
const APP_DEPENDENCIES = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/config', 'reflect-metadata', 'rxjs', 'typescript', '@types/node'];

interface Finished {
  code: number | null;
  stdout: string;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

const children = new Set<ChildProcess>();

/** The environment of child commands, without what a parent `npm run` sets for its own package. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_(lifecycle|package|config_local_prefix)|INIT_CWD$)/i.test(name)));
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to its end (killed after `timeoutMs`); resolves with its exit code and output. */
function exec(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), timeout: timeoutMs, killSignal: 'SIGKILL' });
    children.add(child);
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, output });
    });
  });
}

/** Like `exec`, but a failure throws with the command's output (that output is the diagnosis); resolves with stdout. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  const { code, stdout, output } = await exec(command, args, cwd);
  if (code !== 0) throw new Error(`\`${command} ${args.join(' ')}\` exited with ${code} in ${cwd}:\n${output.slice(-4000)}`);
  return stdout;
}

/** A long-running child (emulator, app): its own process group, so stopping it stops all it started. */
class Service {
  output = '';
  exitCode?: number | string;
  private readonly exited: Promise<void>;

  constructor(readonly name: string, readonly child: ChildProcess) {
    children.add(child);
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(void (this.exitCode = code ?? signal ?? 'unknown'))));
  }

  static start(name: string, command: string, args: string[], cwd: string, env: Record<string, string> = {}): Service {
    return new Service(name, spawn(command, args, { cwd, env: childEnv(env), detached: true }));
  }

  /** Throws with the output if the process is gone: a crash should fail at once, with its reason. */
  assertRunning(): void {
    if (this.exitCode !== undefined) throw new Error(`${this.name} exited (${this.exitCode}):\n${this.output.slice(-4000)}`);
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    try {
      return await waitFor(() => {
        this.assertRunning();
        return this.output.match(pattern);
      }, `${this.name} to print ${pattern}`, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}; its output:\n${this.output.slice(-4000)}`, { cause: error });
    }
  }

  async stop(): Promise<void> {
    if (this.exitCode === undefined) {
      signalGroup(this.child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(this.child, 'SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    children.delete(this.child);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** Polls the app over HTTP until it answers (any status), failing fast if it exits. */
async function waitForHttp(url: string, service: Service, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    service.assertRunning();
    try {
      await fetch(url);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${service.name} did not answer ${url} within ${timeoutMs} ms:\n${service.output}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Every file below `dir`, as paths relative to it with `/` separators. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

async function versionInRepo(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Writes the fixture app (package.json, tsconfig.json, src/*.ts from the `*.ts.txt` fixtures) into `appDir`. */
async function writeApp(appDir: string): Promise<void> {
  await mkdir(path.join(appDir, 'src'), { recursive: true });
  await writeFile(path.join(appDir, 'package.json'), JSON.stringify({ name: 'installed-chat-app', private: true, type: 'module' }, null, 2));
  await copyFile(path.join(fixtures, 'tsconfig.json'), path.join(appDir, 'tsconfig.json'));
  for (const file of (await readdir(fixtures)).filter((name) => name.endsWith('.ts.txt'))) {
    await copyFile(path.join(fixtures, file), path.join(appDir, 'src', file.replace(/\.txt$/, '')));
  }
}

describe('packaging: the tarball installed into a fresh Nest app', () => {
  let tmp: string;
  let packedTemp: string | undefined;
  let appDir: string;
  let appUrl: string;
  let compiled: Finished;
  const services: Service[] = [];
  const clients: WebPubSubClient[] = [];

  beforeAll(async () => {
    // realpath: on some systems the temp folder is itself a link, and resolved paths are compared below.
    tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), 'nestjs-web-pubsub-installed-')));
    appDir = path.join(tmp, 'app');

    const packed = packedTarball();
    packedTemp = packed.tempDir;
    await writeApp(appDir);
    const dependencies = await Promise.all(APP_DEPENDENCIES.map(async (name) => `${name}@${await versionInRepo(name)}`));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', packed.tarball, ...dependencies], appDir);

    compiled = await exec(path.join(appDir, 'node_modules/.bin/tsc'), ['-p', '.'], appDir);
    if (compiled.code !== 0) throw new Error(`tsc failed on the fixture app:\n${compiled.output}`);

    const appPort = await freePort();
    appUrl = `http://127.0.0.1:${appPort}`;
    // The emulator CLI from the tarball's `bin`, on a port of its own choosing; it prints its connection string.
    const emulator = Service.start('web-pubsub-emulator', path.join(appDir, 'node_modules/.bin/web-pubsub-emulator'), ['--port', '0', '--hub', 'chat', '--event-handler', `${appUrl}/eventhandler/{event}`], appDir);
    services.push(emulator);
    const [, connectionString] = await emulator.waitForOutput(/^Connection string: (\S+)$/m);

    const app = Service.start('the Nest app', process.execPath, ['dist/main.js'], appDir, { PORT: String(appPort), WEBPUBSUB_CONNECTION_STRING: connectionString });
    services.push(app);
    await waitForHttp(`${appUrl}/`, app);
  }, 240_000);

  afterAll(async () => {
    for (const client of clients) client.stop();
    await Promise.allSettled(services.map((service) => service.stop()));
    // Whatever is still running (a step timed out mid-way): no process outlives the test.
    for (const child of children) child.kill('SIGKILL');
    if (tmp) await rm(tmp, { recursive: true, force: true });
    if (packedTemp) await rm(packedTemp, { recursive: true, force: true });
  }, 30_000);

  it('installs a real copy holding only dist/, package.json, the README and the LICENSE', async () => {
    const installed = path.join(appDir, 'node_modules/nestjs-web-pubsub');
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

  it('resolves nestjs-web-pubsub and nestjs-web-pubsub/emulator from the app, to the installed copy', async () => {
    const script = `
      const emulator = await import('nestjs-web-pubsub/emulator');
      console.log(JSON.stringify({
        main: import.meta.resolve('nestjs-web-pubsub'),
        emulator: import.meta.resolve('nestjs-web-pubsub/emulator'),
        start: typeof emulator.WebPubSubEmulator?.start,
      }));
    `;
    const result = JSON.parse(await run(process.execPath, ['--input-type=module', '-e', script], appDir)) as Record<string, string>;
    const installed = path.join(appDir, 'node_modules/nestjs-web-pubsub/dist/esm');
    expect(result).toEqual({
      main: pathToFileURL(path.join(installed, 'index.js')).href,
      emulator: pathToFileURL(path.join(installed, 'emulator/index.js')).href,
      start: 'function',
    });
  });

  it("compiles the app with the app's own tsc, library types included (no skipLibCheck)", async () => {
    expect({ code: compiled.code, output: compiled.output }).toEqual({ code: 0, output: '' });
    expect((await listFiles(path.join(appDir, 'dist'))).sort()).toEqual(['app.module.js', 'chat.controller.js', 'chat.events.js', 'main.js']);
  });

  it("delivers a decorated route's result to an official client in the group its @OnConnect handler chose", async () => {
    const connect = async (user: string, room?: string) => {
      const { url } = (await (await fetch(`${appUrl}/negotiate?user=${user}`)).json()) as { url: string };
      const client = new WebPubSubClient(room ? `${url}&room=${room}` : url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, autoReconnect: false });
      clients.push(client);
      const received: Array<{ group: string; dataType: string; data: unknown }> = [];
      client.on('group-message', ({ message }) => received.push({ group: message.group, dataType: message.dataType, data: message.data }));
      let userId: string | undefined;
      client.on('connected', (event) => (userId = event.userId));
      await client.start();
      return { received, userId: () => userId };
    };
    const alice = await connect('alice', 'lobby');
    // A control: connected to the same hub, but its connect handler put it in no group.
    const bob = await connect('bob');
    expect(await waitFor(alice.userId, "alice's connected event")).toBe('alice');

    const message = { text: 'hello from an installed package', sentAt: Date.now() };
    const response = await fetch(`${appUrl}/rooms/lobby/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 201, body: message });

    await waitFor(() => alice.received.length > 0, 'the group message at the official client');
    expect(alice.received).toEqual([{ group: 'lobby', dataType: 'json', data: message }]);
    expect(bob.received).toEqual([]);
  });
});
