import { ExpressAdapter } from '@nestjs/platform-express';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getLogLevel, setLogLevel, type AzureLogLevel } from '@azure/logger';
import {
  getWebPubSubToken,
  WebPubSubModule,
  WebPubSubService,
  type GenerateClientTokenOptions,
} from '../../lib/index.js';
import { buildGenerateClientTokenRequest, buildSendToAllRequest } from '../../lib/rest/index.js';
import { WebPubSubEmulator } from '../../lib/emulator/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { freePort } from '../support/free-port.js';
import { captureOutput, type OutputCapture } from '../support/output-capture.js';
import { startOfficialClient, type OfficialClient } from '../support/official-client.js';
import { signatureHex } from '../support/upstream-events.js';
import { waitFor } from '../support/wait-for.js';
import {
  authorizationRecorder,
  ChatEvents,
  CLIENT_OPTIONS,
  forgeEvent,
  HUB,
  NewsController,
  recordingEmulatorLogger,
  renderError,
  SecretBook,
  tapEmulator,
  teeLogger,
} from './secrets-harness.js';

/*
 * The promise: with the most verbose logging everywhere (httpLogging 'verbose', Azure SDK
 * logging at verbose, Nest's console at every level), a run of every operation, token generation,
 * upstream events and failures leaves no access key, JWT, access_token, Authorization value or
 * ce-signature value in any output: loggers, stdout/stderr, the emulator's log, thrown errors and the
 * app's HTTP answers. Every secret value is recorded as it is produced (client side, emulator side,
 * and independently computed signatures), then searched for in everything captured.
 */

const PRIMARY = 'PrimaryKey-SECRET-7d1e5a93-everywhere+/=';
const SECONDARY = 'SecondaryKey-SECRET-b42c08f6-everywhere';
const WRONG = 'WrongKey-SECRET-e90a3b17-everywhere';
const KEYS = { primary: PRIMARY, secondary: SECONDARY, wrong: WRONG };
const REASON = 'closing for the secret check';

const book = new SecretBook();
const moduleLogs = new CapturingLogger();
const appLogs = new CapturingLogger();
const emulatorLines: string[] = [];
const errors: unknown[] = [];
const bodies: Array<{ what: string; status: number; body: string }> = [];
/** ce-signature headers and connection ids the app received (the emulator's real ones and the forged). */
const upstream: Array<{ signature: string; connectionId: string }> = [];
let events: ChatEvents;
let output: OutputCapture;

/** Awaits a step that must fail, and keeps its error for the secret check. */
async function failure(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    errors.push(error);
    return;
  }
  throw new Error('this step was expected to fail');
}

async function scenario(
  emulator: WebPubSubEmulator,
  app: INestApplication,
  appUrl: string,
  deadPort: number,
): Promise<void> {
  const service = app.get(WebPubSubService);
  const wrongKey = app.get<WebPubSubService>(getWebPubSubToken('wrongKey'));
  const refused = app.get<WebPubSubService>(getWebPubSubToken('refused'));
  book.add('the emulator connection string', emulator.connectionString);
  book.add('the dead endpoint connection string', `Endpoint=http://127.0.0.1:${deadPort};AccessKey=${PRIMARY}`);

  // Client access tokens: each protocol, and with a user, roles, groups and an expiry.
  const tokenCases: GenerateClientTokenOptions[] = [
    {},
    { clientProtocol: 'mqtt' },
    { clientProtocol: 'socketio' },
    { userId: 'token-user', roles: ['webpubsub.sendToGroup.room'], groups: ['room'], expirationTimeInMinutes: 5 },
  ];
  for (const options of tokenCases) {
    const { token, url } = await service.getClientAccessToken(options);
    book.add('a client access token', token);
    book.addAccessUrl('a client access', url);
  }

  // Official clients connect (connect + connected upstream), then send user events.
  const clients: OfficialClient[] = [];
  const connect = async (userId: string) => {
    // No roles: the permission checks below then answer what grant and revoke did.
    const { url } = await service.getClientAccessToken({ userId });
    book.addAccessUrl(`${userId}'s client access`, url);
    const official = await startOfficialClient(url, CLIENT_OPTIONS, userId);
    clients.push(official);
    return { client: official.client, id: official.connectionId };
  };
  try {
    const [alice, bob, carol] = [await connect('alice'), await connect('bob'), await connect('carol')];
    await waitFor(
      () => events.seen.filter((seen) => seen.startsWith('connected')).length === 3,
      'three connected events',
    );
    await alice.client.sendEvent('hello', { text: 'hi' }, 'json');
    await failure(alice.client.sendEvent('explode', { text: 'boom' }, 'json'));

    // Every REST operation, 404 answers to checks included.
    const room = service.group('room');
    const filter = "userId eq 'alice'";
    expect(await service.getServiceStatus()).toBe(true);
    await service.sendToAll({ all: 1 }, { filter, excludedConnections: [bob.id], messageTtlSeconds: 30 });
    await service.sendToAll('plain text', { contentType: 'text/plain' });
    await service.hub('otherhub').sendToAll({ other: 1 });
    await service.sendToUser('alice', { user: 1 }, { filter });
    await service.sendToConnection(alice.id, { connection: 1 });
    expect([await service.connectionExists(alice.id), await service.connectionExists('no-such-connection')]).toEqual([
      true,
      false,
    ]);
    expect([await service.userExists('alice'), await service.userExists('nobody')]).toEqual([true, false]);
    expect(await service.groupExists('room')).toBe(false);
    for (const { id } of [alice, bob, carol]) await room.addConnection(id);
    await room.addUser('bob');
    expect(await service.groupExists('room')).toBe(true);
    let pages = 0;
    for await (const page of (await room.listConnections({ maxPageSize: 1 })).byPage())
      pages += page.length > 0 ? 1 : 0;
    expect(pages).toBe(3);
    await room.sendToAll({ group: 1 }, { filter, excludedConnections: [carol.id] });
    await room.removeConnection(carol.id);
    await room.removeUser('bob');
    await service.grantPermission(alice.id, 'sendToGroup', { targetName: 'room' });
    expect(await service.hasPermission(alice.id, 'sendToGroup', { targetName: 'room' })).toBe(true);
    await service.revokePermission(alice.id, 'sendToGroup', { targetName: 'room' });
    expect(await service.hasPermission(alice.id, 'sendToGroup', { targetName: 'room' })).toBe(false);
    await service.addConnectionsToGroups(['g1', 'g2'], filter);
    await service.removeConnectionsFromGroups(['g1', 'g2'], filter);
    await service.removeConnectionFromAllGroups(alice.id);
    await service.removeUserFromAllGroups('bob');
    const generated = await service.sendRequest(
      buildGenerateClientTokenRequest({ hub: HUB }, { userId: 'built-user', roles: ['r1'], minutesToExpire: 5 }),
    );
    expect(generated.status).toBe(200);
    book.add('a :generateToken token', (JSON.parse(generated.bodyAsText!) as { token: string }).token);
    expect((await service.sendRequest(buildSendToAllRequest({ hub: HUB }, { built: 1 }))).status).toBe(202);

    // Broadcast decorator failures: awaited (502 to the caller) and in the background (logged).
    emulator.faults.failNext(1, { status: 403, operation: 'sendToAll' });
    const awaited = await fetch(`${appUrl}/news/await`, { method: 'POST' });
    bodies.push({ what: 'the awaited broadcast failure', status: awaited.status, body: await awaited.text() });
    emulator.faults.failNext(1, { status: 403, operation: 'sendToGroup' });
    const queued = await fetch(`${appUrl}/news/background`, { method: 'POST' });
    bodies.push({ what: 'the background broadcast', status: queued.status, body: await queued.text() });
    await waitFor(
      () => moduleLogs.errors().some((line) => line.includes('NewsController.queued')),
      'the background failure log',
    );

    // REST failures: a 503 then success, a service down, a wrong key (401), a refused connection.
    emulator.faults.failNext(1, { status: 503, operation: 'sendToAll' });
    await service.sendToAll({ retried: 1 });
    emulator.faults.serviceDown({ status: 500 });
    await failure(service.sendToUser('alice', { down: 1 }));
    emulator.faults.serviceUp();
    await failure(wrongKey.sendToAll({ wrong: 1 }));
    await failure(wrongKey.connectionExists(alice.id));
    await failure(refused.sendToAll({ refused: 1 }));
    const { url: wrongUrl } = await wrongKey.getClientAccessToken({ userId: 'mallory' });
    book.addAccessUrl('the wrong-key client access', wrongUrl);
    await failure(startOfficialClient(wrongUrl, CLIENT_OPTIONS, 'mallory'));

    // Forged upstream requests: a wrong key's signature (401), the secondary key's (accepted), a throwing handler (500).
    const origin = new URL(emulator.endpoint).host;
    const forged = [
      { what: 'a wrong-key signature', connectionId: 'forged-wrong', key: WRONG, name: 'hello' },
      { what: 'a secondary-key signature', connectionId: 'forged-secondary', key: SECONDARY, name: 'hello' },
      { what: 'a throwing handler', connectionId: 'forged-explode', key: PRIMARY, name: 'explode' },
    ];
    for (const { what, connectionId, key, name } of forged) {
      const answer = await forgeEvent(appUrl, {
        hub: HUB,
        connectionId,
        name,
        origin,
        signature: `sha256=${signatureHex(key, connectionId)}`,
        body: { forged: true },
      });
      bodies.push({ what, ...answer });
    }

    // Disconnects: one client leaves, the others are closed with reasons.
    alice.client.stop();
    await service.closeConnection(bob.id, { reason: REASON });
    await service.closeUserConnections('carol', { reason: REASON });
    await room.closeAllConnections({ reason: REASON });
    await service.closeAllConnections({ reason: REASON });
    await waitFor(
      () => events.seen.filter((seen) => seen.startsWith('disconnected')).length === 3,
      'three disconnected events',
    );
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
  }
}

/** Output chunks as lines (a secret split across two writes is still found). */
const lines = (chunks: string[]) => chunks.join('').split('\n');

describe('no secret in any output, with every log at its most verbose', () => {
  let originalLevel: AzureLogLevel | undefined;

  beforeAll(async () => {
    for (const [name, key] of Object.entries(KEYS)) book.add(`the ${name} key`, key);
    originalLevel = getLogLevel();
    output = captureOutput({ console: true });
    setLogLevel('verbose');
    let emulator: WebPubSubEmulator | undefined;
    let app: INestApplication | undefined;
    try {
      const [appPort, deadPort] = [await freePort(), await freePort()];
      const appUrl = `http://127.0.0.1:${appPort}`;
      emulator = await WebPubSubEmulator.start({
        accessKey: PRIMARY,
        secondaryAccessKey: SECONDARY,
        logger: recordingEmulatorLogger(emulatorLines),
        upstreamRetryDelaysMs: [],
        hubs: {
          [HUB]: {
            eventHandlers: [
              {
                urlTemplate: `${appUrl}/eventhandler/{event}`,
                userEventPattern: '*',
                systemEvents: ['connect', 'connected', 'disconnected'],
              },
            ],
          },
        },
      });
      tapEmulator(
        emulator,
        (value) => book.addAuthorization('received by the emulator:', value),
        (url) => book.addAccessUrl('an upgrade the emulator received', url),
      );
      const common = {
        hub: HUB,
        httpLogging: 'verbose' as const,
        retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
        clientOptions: {
          additionalPolicies: [
            {
              policy: authorizationRecorder((value) => book.addAuthorization('sent:', value)),
              position: 'perRetry' as const,
            },
          ],
        },
      };
      const moduleRef = await Test.createTestingModule({
        imports: [
          WebPubSubModule.forRoot({
            ...common,
            connectionString: emulator.connectionString,
            logger: moduleLogs,
            events: { accessKeys: [SECONDARY] },
          }),
          // Named instances log through Nest's Logger, so their lines reach the app's logger and the console.
          WebPubSubModule.forRoot({
            ...common,
            name: 'wrongKey',
            connectionString: `Endpoint=${emulator.endpoint};AccessKey=${WRONG};Version=1.0;`,
            logger: true,
          }),
          WebPubSubModule.forRoot({
            ...common,
            name: 'refused',
            connectionString: `Endpoint=http://127.0.0.1:${deadPort};AccessKey=${PRIMARY};Version=1.0;`,
            logger: true,
          }),
        ],
        controllers: [NewsController],
        providers: [ChatEvents],
      }).compile();
      // The recorder goes on the adapter before the app exists, so it sees every upstream request,
      // those the event route's gate refuses on their headers too.
      const httpAdapter = new ExpressAdapter();
      httpAdapter.use(
        (request: { headers: Record<string, string | undefined> }, _response: unknown, next: () => void) => {
          const signature = request.headers['ce-signature'];
          if (signature) upstream.push({ signature, connectionId: request.headers['ce-connectionid'] ?? '' });
          next();
        },
      );
      app = moduleRef.createNestApplication(httpAdapter, { logger: teeLogger(appLogs) });
      await app.listen(appPort, '127.0.0.1');
      events = app.get(ChatEvents);
      await scenario(emulator, app, appUrl, deadPort);
    } finally {
      await app?.close();
      await emulator?.stop();
      setLogLevel(originalLevel);
      output.restore();
    }
    // Independently computed: what each key signs for every connection the app heard about.
    for (const { connectionId } of upstream) book.addSignatures(connectionId, KEYS);
  }, 15_000);

  it('has a detector that flags planted secrets and passes redacted text', () => {
    const planted = [
      `connecting with AccessKey ${PRIMARY}`,
      `ce-signature: sha256=${signatureHex(SECONDARY, upstream[0].connectionId)}`,
      'Authorization: Bearer abc.def.ghijklmnop',
      'jwt eyJhbGciOiJIUzI1NiJ9 alone',
      'wss://host/client/hubs/chat?access_token=abc',
    ];
    for (const text of planted)
      expect({ text, flagged: book.findIn(text).length > 0 }).toEqual({ text, flagged: true });
    expect(
      book.findIn(
        'POST http://127.0.0.1/api?access_token=REDACTED attempt 1 request headers {"authorization":"REDACTED"}',
      ),
    ).toEqual([]);
  });

  it('recorded the secrets it looks for, and every signature the app received is one it computed', () => {
    // Every REST token the emulator received is one the client side recorded as sent.
    const received = book.count('received by the emulator: bearer token');
    expect(received).toBeGreaterThan(20);
    expect(book.count('received by the emulator: bearer token', 'sent: bearer token')).toBe(received);
    expect(book.count('sent: bearer token')).toBeGreaterThanOrEqual(received);
    // Four generated, three clients and the wrong-key client; the emulator saw the four that connected.
    expect(book.count('access_token')).toBe(8);
    expect(book.count('an upgrade the emulator received access_token')).toBe(4);
    // Each key's signature for each connection the app heard about: three clients and three forged ids.
    expect(new Set(upstream.map(({ connectionId }) => connectionId)).size).toBe(6);
    expect(book.count('ce-signature')).toBe(6 * Object.keys(KEYS).length);
    const parts = upstream.flatMap(({ signature }) =>
      signature.split(',').map((part) => part.trim().replace(/^sha256=/, '')),
    );
    expect(parts.length).toBeGreaterThan(10);
    for (const part of parts)
      expect({ part, computed: book.findIn(part).some((label) => label.startsWith('ce-signature')) }).toEqual({
        part,
        computed: true,
      });
  });

  it('ran every part and left output at the most verbose level in every channel', () => {
    // Each expected line, by channel: lines are searched one by one so a failure names what is missing.
    const expected: Array<[string, string[], RegExp]> = [
      [
        'verbose request headers',
        moduleLogs.lines.map((line) => line.text),
        /request headers \{.*"authorization":"REDACTED"/,
      ],
      ['the Azure SDK log bridge', moduleLogs.lines.map((line) => line.text), /^azure:nestjs-web-pubsub:info Request:/],
      [
        'the 503 retry warning',
        moduleLogs.lines.map((line) => line.text),
        /:send.* → 503 .*the retry policy may try again/,
      ],
      [
        'the forged signature warning',
        moduleLogs.lines.map((line) => line.text),
        /Rejected an upstream event for hub "chat", connection "forged-wrong"/,
      ],
      ['the throwing handler error', moduleLogs.errors(), /ChatEvents\.explode failed/],
      ['the awaited broadcast error', moduleLogs.errors(), /Broadcast of NewsController\.awaited to hub "chat" failed/],
      [
        'the background broadcast error',
        moduleLogs.errors(),
        /Broadcast of NewsController\.queued to group "room" of hub "chat" failed/,
      ],
      ['the wrong key 401 (app logger)', appLogs.errors(), /:send.* → 401/],
      ['the refused connection (app logger)', appLogs.errors(), /:send.* failed: ECONNREFUSED/],
      ['Nest console lines (stdout)', lines(output.stdout), /^\[Nest\] .*WebPubSub/],
      ['Azure SDK lines of the official client (stderr)', lines(output.stderr), /^azure:web-pubsub-client/],
      ['the emulator rejecting the wrong-key client', emulatorLines, /Client rejected with HTTP 401/],
      ['the emulator seeing the handler fail', emulatorLines, /explode.*HTTP 500/],
    ];
    const missing = expected
      .filter(([, entries, pattern]) => !entries.some((entry) => pattern.test(entry)))
      .map(([what]) => what);
    expect(missing).toEqual([]);
    expect(errors).toHaveLength(6);
    expect(bodies.map(({ what, status }) => `${what} ${status}`)).toEqual([
      'the awaited broadcast failure 502',
      'the background broadcast 201',
      'a wrong-key signature 401',
      'a secondary-key signature 200',
      'a throwing handler 500',
    ]);
    expect(events.seen).toEqual(
      expect.arrayContaining(['connect alice', 'connected carol', 'disconnected bob', 'hello forged-secondary']),
    );
  });

  const sinks: Array<[string, () => string[]]> = [
    ['the module logger (messages, params, stacks)', () => moduleLogs.lines.map((line) => line.text)],
    ['the app logger', () => appLogs.lines.map((line) => line.text)],
    ['stdout', () => lines(output.stdout)],
    ['stderr', () => lines(output.stderr)],
    ['console calls', () => output.console],
    ['the emulator log', () => emulatorLines],
    ['thrown errors (String, JSON with causes, inspect)', () => errors.map(renderError)],
    ['the app HTTP answers', () => bodies.map(({ what, body }) => `${what}: ${body}`)],
  ];

  it.each(sinks)('leaves no secret in %s', (_sink, entries) => {
    const leaks = entries().flatMap((entry) =>
      book.findIn(entry).map((found) => `${found} — in: ${entry.slice(0, 300)}`),
    );
    expect(leaks).toEqual([]);
  });
});
