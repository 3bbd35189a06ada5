import { beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WebPubSubModule, WebPubSubService } from '../../../lib/index.js';
import { buildGenerateClientTokenRequest } from '../../../lib/rest/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { useEmulator } from '../../support/emulator-stage.js';
import { JsonClient } from '../../support/json-client.js';
import { captureOutput, type OutputCapture } from '../../support/output-capture.js';
import { expectNoSecrets, parseCallLine, parseConsoleOutput, type LogLine } from './logging-harness.js';

/*
 * With `httpLogging: 'verbose'`, every REST operation of the service, run against the emulator with
 * real connected clients, leaves exactly one outcome line per call (method, path, status, duration,
 * attempt, request id) and per-attempt header lines, in both a user LoggerService and Nest's own
 * ConsoleLogger output, and no line carries the key, a token, a query value or a message body.
 */

const KEY = 'every-op-distinctive-access-key-3c9e51';
const HUB = 'chat';
const FILTER_USER = 'filter-only-user-7d2';
const REASON = 'reason-only-text-41b';
const TOKEN_USER = 'token-only-user-9a0';
const TOKEN_ROLE = 'token-only-role-5e8';
const BODY = 'body-only-payload-2f6';

interface Expected {
  label: string;
  method: string;
  path: string;
  /** Query names the call sends besides api-version (their values must be REDACTED). */
  query?: string[];
  /** Calls the operation makes (pages of a listing). */
  count?: number;
}

interface Run {
  lines: LogLine[];
  stray: string[];
  expected: Expected[];
  secrets: string[];
}

const p = (path: string) => `/api/hubs/${HUB}${path}`;
const e = encodeURIComponent;

/** Runs every operation once (a listing page by page) and returns what the service should have logged. */
async function runEveryOperation(service: WebPubSubService): Promise<{ expected: Expected[]; secrets: string[] }> {
  const secrets: string[] = [];
  const connect = async (userId: string) => {
    const { token, url } = await service.getClientAccessToken({ userId, roles: ['webpubsub.sendToGroup'] });
    secrets.push(token, url);
    return JsonClient.connect(url, userId);
  };
  const [alice, bob, carol] = [await connect('alice-user'), await connect('bob-user'), await connect('carol-user')];
  const [a, b, c] = [alice.connectionId, bob.connectionId, carol.connectionId];
  const room = service.group('room');
  const filter = `userId eq '${FILTER_USER}'`;
  const expected: Expected[] = [];
  const step = async (x: Expected, run: () => Promise<unknown>) => {
    await run();
    expected.push(x);
  };

  await step({ label: 'getServiceStatus', method: 'HEAD', path: '/api/health' }, async () =>
    expect(await service.getServiceStatus()).toBe(true),
  );
  await step(
    { label: 'sendToAll', method: 'POST', path: p('/:send'), query: ['filter', 'excluded', 'messageTtlSeconds'] },
    () => service.sendToAll({ BODY }, { filter, excludedConnections: [b], messageTtlSeconds: 30 }),
  );
  await step({ label: 'sendToUser', method: 'POST', path: p('/users/alice-user/:send'), query: ['filter'] }, () =>
    service.sendToUser('alice-user', BODY, { contentType: 'text/plain', filter }),
  );
  await step({ label: 'sendToConnection', method: 'POST', path: p(`/connections/${e(a)}/:send`) }, () =>
    service.sendToConnection(a, { BODY }),
  );
  await step({ label: 'connectionExists', method: 'HEAD', path: p(`/connections/${e(a)}`) }, async () =>
    expect(await service.connectionExists(a)).toBe(true),
  );
  await step({ label: 'userExists (404)', method: 'HEAD', path: p('/users/nobody-user') }, async () =>
    expect(await service.userExists('nobody-user')).toBe(false),
  );
  for (const [label, id] of [
    ['alice', a],
    ['bob', b],
    ['carol', c],
  ]) {
    await step(
      { label: `group.addConnection ${label}`, method: 'PUT', path: p(`/groups/room/connections/${e(id)}`) },
      () => room.addConnection(id),
    );
  }
  await step({ label: 'groupExists', method: 'HEAD', path: p('/groups/room') }, async () =>
    expect(await service.groupExists('room')).toBe(true),
  );
  await step({ label: 'group.addUser', method: 'PUT', path: p('/users/carol-user/groups/room') }, () =>
    room.addUser('carol-user'),
  );
  let pages = 0;
  await step(
    {
      label: 'group.listConnections',
      method: 'GET',
      path: p('/groups/room/connections'),
      query: ['maxpagesize'],
      count: 3,
    },
    async () => {
      const members: string[] = [];
      for await (const page of (await room.listConnections({ maxPageSize: 1 })).byPage()) {
        pages++;
        members.push(...page.map((member) => member.connectionId));
      }
      expect(members.sort()).toEqual([a, b, c].sort());
    },
  );
  expect(pages).toBe(3);
  await step(
    { label: 'group.sendToAll', method: 'POST', path: p('/groups/room/:send'), query: ['filter', 'excluded'] },
    () => room.sendToAll({ BODY }, { filter, excludedConnections: [c] }),
  );
  await step({ label: 'group.removeConnection', method: 'DELETE', path: p(`/groups/room/connections/${e(b)}`) }, () =>
    room.removeConnection(b),
  );
  await step({ label: 'group.removeUser', method: 'DELETE', path: p('/users/carol-user/groups/room') }, () =>
    room.removeUser('carol-user'),
  );
  const permission = p(`/permissions/sendToGroup/connections/${e(a)}`);
  await step({ label: 'grantPermission', method: 'PUT', path: permission, query: ['targetName'] }, () =>
    service.grantPermission(a, 'sendToGroup', { targetName: 'room' }),
  );
  await step({ label: 'hasPermission', method: 'HEAD', path: permission, query: ['targetName'] }, async () =>
    expect(await service.hasPermission(a, 'sendToGroup', { targetName: 'room' })).toBe(true),
  );
  await step({ label: 'revokePermission', method: 'DELETE', path: permission, query: ['targetName'] }, () =>
    service.revokePermission(a, 'sendToGroup', { targetName: 'room' }),
  );
  await step({ label: 'addConnectionsToGroups', method: 'POST', path: p('/:addToGroups') }, () =>
    service.addConnectionsToGroups(['g1', 'g2'], filter),
  );
  await step({ label: 'removeConnectionsFromGroups', method: 'POST', path: p('/:removeFromGroups') }, () =>
    service.removeConnectionsFromGroups(['g1', 'g2'], filter),
  );
  await step({ label: 'removeConnectionFromAllGroups', method: 'DELETE', path: p(`/connections/${e(a)}/groups`) }, () =>
    service.removeConnectionFromAllGroups(a),
  );
  await step({ label: 'removeUserFromAllGroups', method: 'DELETE', path: p('/users/bob-user/groups') }, () =>
    service.removeUserFromAllGroups('bob-user'),
  );
  await step(
    {
      label: 'sendRequest(generateToken)',
      method: 'POST',
      path: p('/:generateToken'),
      query: ['userId', 'role', 'minutesToExpire'],
    },
    async () => {
      const request = buildGenerateClientTokenRequest(
        { hub: HUB },
        { userId: TOKEN_USER, roles: [TOKEN_ROLE], minutesToExpire: 5 },
      );
      const response = await service.sendRequest(request);
      expect(response.status).toBe(200);
      secrets.push((JSON.parse(response.bodyAsText!) as { token: string }).token);
    },
  );
  await step(
    {
      label: 'group.closeAllConnections',
      method: 'POST',
      path: p('/groups/room/:closeConnections'),
      query: ['excluded', 'reason'],
    },
    () => room.closeAllConnections({ reason: REASON, excluded: [a] }),
  );
  await step({ label: 'closeConnection', method: 'DELETE', path: p(`/connections/${e(c)}`), query: ['reason'] }, () =>
    service.closeConnection(c, { reason: REASON }),
  );
  await step(
    {
      label: 'closeUserConnections',
      method: 'POST',
      path: p('/users/bob-user/:closeConnections'),
      query: ['excluded', 'reason'],
    },
    () => service.closeUserConnections('bob-user', { reason: REASON, excluded: [a] }),
  );
  await step({ label: 'closeAllConnections', method: 'POST', path: p('/:closeConnections'), query: ['reason'] }, () =>
    service.closeAllConnections({ reason: REASON }),
  );
  await Promise.all([alice, bob, carol].map((client) => client.waitClosed()));
  return { expected, secrets: [...secrets, KEY, FILTER_USER, REASON, TOKEN_USER, TOKEN_ROLE, BODY] };
}

const MODES = [
  { mode: 'a LoggerService given as `logger`', useConsole: false },
  { mode: "Nest's ConsoleLogger (the default Logger)", useConsole: true },
];

describe.each(MODES)('verbose HTTP logging of every operation through $mode', ({ useConsole }) => {
  const stage = useEmulator({ accessKey: KEY });
  let app: INestApplicationContext | undefined;
  let run: Run;

  beforeAll(async () => {
    stage.defer(() => app?.close());
    const logger = new CapturingLogger();
    const stdio: OutputCapture | undefined = useConsole ? captureOutput() : undefined;
    try {
      const module = WebPubSubModule.forRoot({
        connectionString: stage.emulator.connectionString,
        hub: HUB,
        httpLogging: 'verbose',
        retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 5 },
        ...(useConsole ? {} : { logger }),
      });
      app = await NestFactory.createApplicationContext(module, {
        logger: useConsole ? new ConsoleLogger() : false,
        abortOnError: false,
      });
      const { expected, secrets } = await runEveryOperation(app.get(WebPubSubService));
      await app.close();
      app = undefined;
      const parsed = stdio ? parseConsoleOutput(stdio.lines()) : { lines: logger.lines, stray: [] };
      run = { ...parsed, expected, secrets };
    } finally {
      stdio?.restore();
    }
  });

  const ours = () => run.lines.filter((line) => line.context === 'WebPubSub');
  const outcomes = () =>
    ours()
      .filter((line) => line.level === 'debug')
      .map((line) => ({ line, call: parseCallLine(line.message) }));

  it('logs each call once at debug, naming its method and path, with no warn or error line', () => {
    for (const x of run.expected) {
      const matching = outcomes().filter(({ call }) => call?.method === x.method && call.url.pathname === x.path);
      expect({ operation: x.label, lines: matching.length }).toEqual({ operation: x.label, lines: x.count ?? 1 });
    }
    expect(outcomes().length).toBe(run.expected.reduce((sum, x) => sum + (x.count ?? 1), 0));
    expect(outcomes().filter(({ call }) => call === undefined)).toEqual([]);
    expect(ours().filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it('gives status, duration, attempt and a client request id on every outcome line', () => {
    const ids = new Set<string>();
    for (const { call } of outcomes()) {
      expect(call!.status < 300 || (call!.method === 'HEAD' && call!.status === 404)).toBe(true);
      expect(Number.isInteger(call!.ms) && call!.ms >= 0).toBe(true);
      expect(call!.attempt).toBe(1);
      expect(call!.requestId).toMatch(/^[0-9a-f-]{36}$/);
      ids.add(call!.requestId);
    }
    expect(ids.size).toBe(outcomes().length);
  });

  it('redacts every query value but api-version', () => {
    for (const x of run.expected.filter((x) => x.query)) {
      const { call } = outcomes().find(({ call }) => call?.method === x.method && call.url.pathname === x.path)!;
      expect({ operation: x.label, names: [...new Set(call!.url.searchParams.keys())] }).toEqual({
        operation: x.label,
        names: expect.arrayContaining(['api-version', ...x.query!]),
      });
    }
    for (const { call } of outcomes()) {
      for (const [name, value] of call!.url.searchParams)
        expect(`${name}=${value}`).toBe(name === 'api-version' ? 'api-version=2024-12-01' : `${name}=REDACTED`);
    }
  });

  it('adds request and response headers for every attempt at verbose, with authorization REDACTED', () => {
    const verbose = ours().filter((line) => line.level === 'verbose');
    const requests = verbose.filter((line) => / attempt 1 request headers \{/.test(line.message));
    const responses = verbose.filter((line) => / attempt 1 response headers \{/.test(line.message));
    expect(requests.length).toBe(outcomes().length);
    expect(responses.length).toBe(outcomes().length);
    for (const line of requests) {
      const headers = JSON.parse(line.message.slice(line.message.indexOf('{'))) as Record<string, string>;
      expect(headers.authorization).toBe('REDACTED');
      expect(headers['x-ms-client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('never logs the access key, a token, an Authorization value, a query value or a body', () => {
    expect(run.lines.length).toBeGreaterThan(run.expected.length);
    expectNoSecrets([...run.lines.map((line) => line.message), ...run.stray], run.secrets);
  });

  it('prints each line once with the WebPubSub context, and nothing else', () => {
    expect(run.stray).toEqual([]);
    expect(ours().length).toBe(outcomes().length * 3);
  });
});
