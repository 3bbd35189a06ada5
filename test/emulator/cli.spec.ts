import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { WebPubSubRestClient } from '../../lib/index.js';
import { ensureBuilt } from '../support/prebuilt.js';

/*
 * The `web-pubsub-emulator` bin as a user runs it: the built CLI in its own process, printing a
 * connection string that our client and the official web-pubsub-client then use.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/esm/emulator/cli.js');

interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  connectionString: string;
  output: () => string;
}

function startCli(args: string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI printed no connection string: ${output}`)), 15_000);
    child.stdout.on('data', () => {
      const match = /Connection string: (\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, connectionString: match[1], output: () => output });
    });
    child.once('exit', (code) => reject(new Error(`the CLI exited with ${code}: ${output}`)));
  });
}

function stopCli(running: RunningCli): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.once('exit', (code) => resolve(code));
    running.child.kill('SIGTERM');
  });
}

/** An event handler on loopback that passes the handshake and records each event's ce-type. */
async function startEventRecorder(): Promise<{ events: string[]; receiver: http.Server; port: number }> {
  const events: string[] = [];
  const receiver = http.createServer((request, response) => {
    if (request.method === 'OPTIONS') {
      response.writeHead(200, { 'webhook-allowed-origin': '*' }).end();
      return;
    }
    events.push(String(request.headers['ce-type']));
    request.resume();
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return { events, receiver, port: (receiver.address() as AddressInfo).port };
}

function runCliToEnd(args: string[]): { status: number | null; output: string } {
  try {
    const output = execFileSync(process.execPath, [cli, ...args], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 15_000,
    });
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number | null; stdout: string; stderr: string };
    return { status: failed.status, output: failed.stdout + failed.stderr };
  }
}

describe('web-pubsub-emulator CLI', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('starts on a free loopback port, prints its connection string, serves REST, and exits 0 on SIGTERM', async () => {
    const running = await startCli(['--port', '0', '--access-key', 'cli-spec-key']);
    expect(running.connectionString).toMatch(
      /^Endpoint=http:\/\/127\.0\.0\.1:\d+;AccessKey=cli-spec-key;Version=1\.0;$/,
    );
    const rest = new WebPubSubRestClient(running.connectionString, 'chat');
    await expect(rest.getServiceStatus()).resolves.toBe(true);
    await expect(rest.userExists('nobody')).resolves.toBe(false);
    expect(await stopCli(running)).toBe(0);
  });

  it('sends events of the hubs it was given to the --event-handler URL', async () => {
    const { events, receiver, port } = await startEventRecorder();
    const running = await startCli([
      '--port',
      '0',
      '--hub',
      'chat',
      '--event-handler',
      `http://127.0.0.1:${port}/eventhandler/{event}`,
    ]);
    try {
      const { url } = await new WebPubSubRestClient(running.connectionString, 'chat').getClientAccessToken({
        userId: 'alice',
      });
      // No keep-alive pings: the SDK's ping loop would otherwise outlive stop() by up to 20 s.
      const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
      await client.start();
      client.stop();
      const deadline = Date.now() + 10_000;
      while (!events.includes('azure.webpubsub.sys.disconnected') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(events).toEqual([
        'azure.webpubsub.sys.connect',
        'azure.webpubsub.sys.connected',
        'azure.webpubsub.sys.disconnected',
      ]);
    } finally {
      await stopCli(running);
      receiver.close();
    }
  });

  it('sends group presence events with --group-events', async () => {
    const { events, receiver, port } = await startEventRecorder();
    const running = await startCli([
      '--port',
      '0',
      '--hub',
      'chat',
      '--system-events',
      'disconnected',
      '--group-events',
      'joined,left',
      '--event-handler',
      `http://127.0.0.1:${port}/{event}`,
    ]);
    try {
      const rest = new WebPubSubRestClient(running.connectionString, 'chat');
      const { url } = await rest.getClientAccessToken({ userId: 'alice', groups: ['from-token'] });
      const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
      await client.start();
      try {
        await rest.removeUserFromAllGroups('alice');
      } finally {
        client.stop();
      }
      // Presence events are sent like `connected`: no order is promised against `disconnected`, so wait for both.
      const deadline = Date.now() + 10_000;
      const arrived = () =>
        events.includes('azure.webpubsub.sys.disconnected') && events.includes('azure.webpubsub.gp.left');
      while (!arrived() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(events.sort()).toEqual([
        'azure.webpubsub.gp.joined',
        'azure.webpubsub.gp.left',
        'azure.webpubsub.sys.disconnected',
      ]);
    } finally {
      await stopCli(running);
      receiver.close();
    }
  });

  it('with --host :: prints an endpoint a client can use, http://localhost:<port>, and serves REST there', async () => {
    const running = await startCli(['--port', '0', '--host', '::']);
    try {
      expect(running.output()).toMatch(/listening on http:\/\/localhost:\d+\n/);
      expect(running.connectionString).toMatch(/^Endpoint=http:\/\/localhost:\d+;/);
      await expect(new WebPubSubRestClient(running.connectionString, 'chat').getServiceStatus()).resolves.toBe(true);
    } finally {
      await stopCli(running);
    }
  });

  it('prints usage with --help', () => {
    const { status, output } = runCliToEnd(['--help']);
    expect(status).toBe(0);
    expect(output).toContain('Usage: web-pubsub-emulator');
    expect(output).toContain('--event-handler');
  });

  it.each([
    [['--port', 'eighty'], '--port "eighty" is not a port number'],
    [['--event-handler', 'http://127.0.0.1:1/{event}'], '--event-handler needs at least one --hub'],
    [['--system-events', 'connect,bogus'], 'bogus'],
    [
      ['--group-events', 'joined,entered'],
      '--group-events: unknown event "entered". Use a comma-separated list of joined, left.',
    ],
    [['--frobnicate'], 'frobnicate'],
    // Issue 23 item 12: Number() read these as ports 80, 0 (a random port) and 1000.
    [['--port', '0x50'], '--port "0x50" is not a port number: use decimal digits from 0 to 65535'],
    [['--port', ''], '--port "" is not a port number'],
    [['--port', '1e3'], '--port "1e3" is not a port number'],
    [['--port', '65536'], '--port "65536" is not a port number'],
    [['--port=-1'], '--port "-1" is not a port number'],
    [['--hub', '..'], '--hub ".." is not a hub name the service accepts'],
    [['--hub', 'my hub'], '--hub "my hub" is not a hub name the service accepts'],
    [
      ['--hub', 'chat', '--event-handler', 'file:///etc/passwd'],
      '--event-handler "file:///etc/passwd" is refused: the emulator cannot send events to a file: URL. Use an http:// or https:// URL',
    ],
    [['--hub', 'chat', '--event-handler', 'ftp://host/{event}'], 'cannot send events to a ftp: URL'],
    [['--hub', 'chat', '--event-handler', 'tunnel:///eventhandler'], 'tunnel: URLs are served by the service'],
    [['--hub', 'chat', '--event-handler', 'localhost:3000/{event}'], 'Use an http:// or https:// URL'],
    [['--client-buffer-limit', '0'], '--client-buffer-limit "0" is not a whole number of at least 1'],
    [['--upstream-concurrency', '8x'], '--upstream-concurrency "8x" is not a whole number of at least 1'],
    [['--hub', 'chat', '--event-handler', 'not a url'], '--event-handler "not a url" is refused: it is not a URL'],
  ])('refuses %j with exit code 1 and a clear message', (args, message) => {
    const { status, output } = runCliToEnd(args);
    expect(status).toBe(1);
    expect(output).toContain(message);
  });
});
