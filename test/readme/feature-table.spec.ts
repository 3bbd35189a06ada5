import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/*
 * The README's comparison table ("Compared with using `@azure/web-pubsub` directly") says, row by
 * row, what this package, the official SDK and its Express handler do. Every row where ours says
 * "yes" or "partly" must name, in its last column, test files that exist and are about that row:
 * each named file must contain at least one of the row's keywords (KEYWORDS below), so a row that
 * points at an unrelated test fails. The official columns are read from those packages' code and
 * need no test of ours.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECTION = '## Compared with using `@azure/web-pubsub` directly';
const HEADER = [
  'Feature',
  '`nestjs-web-pubsub`',
  '`@azure/web-pubsub` 1.2.0',
  '`@azure/web-pubsub-express` 1.1.0',
  'Tested in',
];

/**
 * Per row (matched by how its Feature cell begins): strings of which every test file the row names
 * must contain at least one. Short and specific: an API name, an option, a decorator.
 */
const KEYWORDS: ReadonlyArray<readonly [feature: string, keywords: readonly string[]]> = [
  ['The methods, names and options of `WebPubSubServiceClient`', ['conformanceTable']],
  [
    'Send to all, a group, a user or a connection',
    ['sendToConnection', 'sendToUser', 'SendToConnection', 'SendToUser'],
  ],
  ['Send options', ['excludedConnections', 'messageTtlSeconds']],
  ['Group membership', ['removeUserFromAllGroups', 'addConnectionsToGroups']],
  ['Close a connection', ['closeUserConnections', 'closeAllConnections']],
  ['Permissions', ['grantPermission', 'revokePermission']],
  ['Existence checks', ['connectionExists', 'groupExists', 'userExists']],
  ["List a group's connections", ['listConnections', 'ListConnectionsInGroup']],
  ['Service status', ['getServiceStatus']],
  ['Client access tokens', ['socketio']],
  ['`jwtHeaders`', ['jwtHeaders']],
  [
    'Connection string, `AzureKeyCredential` or `TokenCredential`',
    ['TokenCredential', 'reverseProxyEndpoint', 'AccessKey='],
  ],
  ['Other hubs over the same pipeline', ['.hub(']],
  ['`sendRequest` and one request builder per operation', ['sendRequest', 'buildSendToGroupRequest']],
  ['Per-call `abortSignal`', ['abortSignal', 'onResponse', 'customHeaders']],
  ['Retries', ['Retry-After']],
  ['Per-attempt timeout', ['timeoutInMs']],
  ['OpenTelemetry spans', ['WebPubSubServiceClient.sendToAll']],
  ['`odata` tag', ['odata`']],
  ['Bad input refused', ['WebPubSubArgumentError', 'expectArgumentError']],
  ['`forRoot` / `forRootAsync`', ['forRootAsync']],
  ['Named instances', ['InjectWebPubSub']],
  ['Bad configuration fails at startup', ['startup']],
  ['Health indicator', ['WebPubSubHealthIndicator']],
  ["A route's result", ['BroadcastToGroup', 'SendToUser']],
  ['Awaited or bounded background delivery', ["'background'"]],
  ['`connect`, `connected`, user events, `disconnected`', ['OnConnected', 'OnUserEvent', 'OnDisconnected']],
  ['Group events', ['OnGroupJoined', 'seen.joined']],
  ['MQTT event fields', ['disconnectPacket', 'protocolVersion']],
  ['`ce-signature` checked', ['ce-signature', 'signature']],
  ['Abuse-protection handshake', ['handshake']],
  ['Origin check', ['allowedOrigins']],
  ['On Express and Fastify', ['ADAPTERS']],
  ['Handlers are Nest providers', ['Scope.REQUEST', 'WebPubSubService']],
  ["The app's guards, interceptors and exception filters", ['APP_GUARD']],
  ['`@WebSocketGateway` classes run unchanged', ['WebPubSubAdapter']],
  ['Gateway and event handler class on one hub', ['WebPubSubEventHandler']],
  ['Scale-out with no sticky sessions', ['RoundRobinProxy']],
  ["REST calls in Nest's log", ['httpLogging', 'logger:']],
  ['Secrets kept out', ['REDACTED', 'expectNoSecrets']],
  ['Embedded in the app', ['emulator: true', 'nestjs-web-pubsub/emulator', 'web-pubsub-emulator']],
  ['REST API: every operation', ['2024-12-01', 'x-ms-error-code']],
  ['Client protocols', ['JSON_PROTOCOL', 'RELIABLE_PROTOCOL']],
  ['Upstream events: handshake', ['ce-signature', 'handshake']],
  ['Group presence events', ['groupPresenceEvents', 'group-events']],
  ['Wildcard group roles', ['sendToGroups', 'joinLeaveGroups', 'GroupPattern']],
  ['Fault injection', ['failNext']],
  ['`nestjs-web-pubsub/testing`', ['WebPubSubTestClient']],
];

interface Row {
  /** 1-based line in the README. */
  line: number;
  feature: string;
  ours: string;
  official: string;
  express: string;
  testedIn: string;
  /** The backticked entries of the Tested in column. */
  paths: string[];
}

interface Table {
  header: string[];
  rows: Row[];
}

const cellsOf = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());

/** The first table under `heading` in `markdown`. Rows of bold text alone are section titles, skipped. */
function parseTable(markdown: string, heading = SECTION): Table {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`No "${heading}" heading in the README.`);
  let i = start + 1;
  while (i < lines.length && !lines[i].startsWith('|')) {
    if (lines[i].startsWith('## ')) throw new Error(`No table under "${heading}".`);
    i++;
  }
  const header = cellsOf(lines[i] ?? '');
  if (!/^\|(\s*:?-+:?\s*\|)+$/.test(lines[i + 1]?.trim() ?? ''))
    throw new Error(`README.md:${i + 2}: the table has no separator row.`);
  const rows: Row[] = [];
  for (i += 2; i < lines.length && lines[i].startsWith('|'); i++) {
    const cells = cellsOf(lines[i]);
    if (cells.length !== header.length)
      throw new Error(`README.md:${i + 1}: ${cells.length} cells where the header has ${header.length}.`);
    const [feature, ours, official, express, testedIn] = cells;
    if (/^\*\*[^*]+\*\*$/.test(feature) && cells.slice(1).every((cell) => cell === '')) continue;
    rows.push({
      line: i + 1,
      feature,
      ours,
      official,
      express,
      testedIn,
      paths: [...testedIn.matchAll(/`([^`]+)`/g)].map((match) => match[1]),
    });
  }
  return { header, rows };
}

const claims = (row: Row): boolean => /^(yes|partly)\b/.test(row.ours);

/** A jest spec of this repository, or the e2e spec of a consumer app (run by `npm run test:consumers`). */
const isTestFile = (file: string): boolean =>
  /^test\/(?!consumers\/)[\w./-]+\.spec\.ts$/.test(file) ||
  /^test\/consumers\/[\w-]+\/test\/[\w.-]+-spec\.ts$/.test(file);

/** Everything wrong with the table's claims, one line each, naming the README line. */
function problemsOf(rows: Row[], keywords: typeof KEYWORDS = KEYWORDS, base = root): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    const where = `README.md:${row.line} "${row.feature}"`;
    for (const cell of [row.ours, row.official, row.express]) {
      if (cell === '') problems.push(`${where}: an empty cell.`);
    }
    if (claims(row) && row.paths.length === 0) problems.push(`${where}: says "${row.ours}" but names no test.`);
    const matching = keywords.filter(([feature]) => row.feature.startsWith(feature));
    if (row.paths.length > 0 && matching.length !== 1) {
      problems.push(
        `${where}: ${matching.length} keyword entries match this row in feature-table.spec.ts (want exactly one).`,
      );
    }
    for (const file of row.paths) {
      if (file.includes('..') || !isTestFile(file)) {
        problems.push(
          `${where}: ${file} is not a test file (test/**/*.spec.ts or a test/consumers/<app>/test/*-spec.ts).`,
        );
        continue;
      }
      const absolute = path.join(base, file);
      if (!existsSync(absolute) || !statSync(absolute).isFile()) {
        problems.push(`${where}: ${file} does not exist.`);
        continue;
      }
      const words = matching.length === 1 ? matching[0][1] : [];
      const text = readFileSync(absolute, 'utf8');
      if (words.length > 0 && !words.some((word) => text.includes(word))) {
        problems.push(`${where}: ${file} contains none of ${JSON.stringify(words)}: is it about this row?`);
      }
    }
  }
  return problems;
}

const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('the README feature table', () => {
  const table = parseTable(readme);

  it('has the designed header', () => {
    expect(table.header).toEqual(HEADER);
  });

  it('covers the whole product, rows the issue names included', () => {
    expect(table.rows.length).toBeGreaterThanOrEqual(40);
    const features = table.rows.map((row) => row.feature).join('\n');
    for (const named of [
      'OpenTelemetry spans',
      '`@OnGroupJoined` / `@OnGroupLeft`',
      'MQTT event fields',
      'Wildcard group roles',
      '`jwtHeaders`',
      '`requestOptions`',
      '`onResponse`',
      'Throughput',
    ]) {
      expect(features).toContain(named);
    }
    expect(new Set(table.rows.map((row) => row.feature)).size).toBe(table.rows.length);
  });

  it('says yes, partly or no for the official packages wherever ours claims a feature, and names its tests', () => {
    const verdict = /^(yes|partly|no)\b/;
    const odd = table.rows
      .filter(claims)
      .flatMap((row) =>
        [row.official, row.express]
          .filter((cell) => !verdict.test(cell))
          .map((cell) => `README.md:${row.line}: "${cell}"`),
      );
    expect(odd).toEqual([]);
    expect(table.rows.filter(claims).length).toBeGreaterThanOrEqual(40);
    expect(
      table.rows
        .filter(claims)
        .filter((row) => row.paths.length === 0)
        .map((row) => row.feature),
    ).toEqual([]);
  });

  it('names only existing test files, each containing one of its row’s keywords', () => {
    expect(problemsOf(table.rows)).toEqual([]);
  });

  it('has a keyword entry for every row that names tests, and no entry left over', () => {
    const unused = KEYWORDS.filter(([feature]) => !table.rows.some((row) => row.feature.startsWith(feature))).map(
      ([feature]) => feature,
    );
    expect(unused).toEqual([]);
  });

  it('catches a fabricated row: a missing file, a file about something else, a claim with no test (the check can fail)', () => {
    const fabricated = [
      SECTION,
      '',
      `| ${HEADER.join(' | ')} |`,
      '|---|---|---|---|---|',
      '| **A section** | | | | |',
      '| OpenTelemetry spans, made up | yes | yes | no | `test/conformance/no-such-file.spec.ts` |',
      '| Fault injection, pointed elsewhere | yes | no | no | `test/unit/odata.spec.ts` |',
      '| `jwtHeaders`, untested | partly (someday) | no | no | — |',
      '| Retries, not a test | yes | yes | no | `test/support/wait-for.ts` |',
      '| Throughput, made up | about 2× | 1× | — | — |',
    ].join('\n');
    const { header, rows } = parseTable(fabricated);
    expect(header).toEqual(HEADER);
    expect(rows.map((row) => [row.line, row.feature])).toEqual([
      [6, 'OpenTelemetry spans, made up'],
      [7, 'Fault injection, pointed elsewhere'],
      [8, '`jwtHeaders`, untested'],
      [9, 'Retries, not a test'],
      [10, 'Throughput, made up'],
    ]);
    expect(problemsOf(rows)).toEqual([
      'README.md:6 "OpenTelemetry spans, made up": test/conformance/no-such-file.spec.ts does not exist.',
      'README.md:7 "Fault injection, pointed elsewhere": test/unit/odata.spec.ts contains none of ["failNext"]: is it about this row?',
      'README.md:8 "`jwtHeaders`, untested": says "partly (someday)" but names no test.',
      'README.md:9 "Retries, not a test": test/support/wait-for.ts is not a test file (test/**/*.spec.ts or a test/consumers/<app>/test/*-spec.ts).',
    ]);
  });

  it('refuses a row whose cells do not match the header', () => {
    expect(() =>
      parseTable(
        [SECTION, `| ${HEADER.join(' | ')} |`, '|---|---|---|---|---|', '| Too short | yes | no |'].join('\n'),
      ),
    ).toThrow('README.md:4: 3 cells where the header has 5.');
  });
});
