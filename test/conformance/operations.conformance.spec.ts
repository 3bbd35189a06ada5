import { describe, expect } from '@jest/globals';
import type { Permission, WebPubSubRestClient } from '../../lib/index.js';
import { invalidValueAnswer, type ScriptedResponse } from '../support/capture-server.js';
import { conformanceTable, rejection, type ConformanceCase, type Operation } from './conformance-harness.js';

/*
 * Every REST operation other than the sends: group membership, closing connections, permissions,
 * existence checks, names that need percent-encoding, other hubs, and the peer answering errors.
 * Each row runs unchanged on `@azure/web-pubsub` 1.2.0 and on our client against the same capture
 * server; the requests must be equal on the wire and the results (or rejections) equal.
 */

/**
 * For operations typed `Promise<void>`: the official client actually resolves to `{ body: undefined }`,
 * which is not part of its typed API, so rows discard the value (as the send suite does).
 */
const done =
  (run: (client: WebPubSubRestClient) => Promise<void>): Operation =>
  async (client) => {
    await run(client);
  };

const permissions: Permission[] = ['joinLeaveGroup', 'sendToGroup'];
const excluded = ['conn1', 'conn 2', "conn'3", 'conn&4=+'];

// ---------------------------------------------------------------------------------------------
// Group operations through `client.group(name)`.
// ---------------------------------------------------------------------------------------------
const groupCases: ConformanceCase[] = [
  { name: 'group.addConnection', run: done((c) => c.group('room1').addConnection('conn1')) },
  { name: 'group.removeConnection', run: done((c) => c.group('room1').removeConnection('conn1')) },
  { name: 'group.addUser', run: done((c) => c.group('room1').addUser('user1')) },
  { name: 'group.removeUser', run: done((c) => c.group('room1').removeUser('user1')) },
  { name: 'group.closeAllConnections without options', run: done((c) => c.group('room1').closeAllConnections()) },
  {
    name: 'group.closeAllConnections with a reason',
    run: done((c) => c.group('room1').closeAllConnections({ reason: 'maintenance, back soon' })),
  },
  // The official client's typed options lack `excluded`, but it passes options through to the query.
  {
    name: 'group.closeAllConnections with excluded',
    run: done((c) => c.group('room1').closeAllConnections({ excluded })),
  },
  {
    name: 'group.closeAllConnections with reason and excluded',
    run: done((c) => c.group('room1').closeAllConnections({ reason: 'bye', excluded: ['only'] })),
  },
];

// ---------------------------------------------------------------------------------------------
// Hub operations.
// ---------------------------------------------------------------------------------------------
const closeCases: ConformanceCase[] = [
  { name: 'closeConnection without a reason', run: done((c) => c.closeConnection('conn1')) },
  { name: 'closeConnection with a reason', run: done((c) => c.closeConnection('conn1', { reason: 'going away' })) },
  {
    name: 'closeConnection with a reason needing encoding',
    run: done((c) => c.closeConnection('conn1', { reason: "l'été & co = 100% ☃" })),
  },
  // CloseConnection has no `excluded`: an untyped one is dropped by the official client's serializer.
  {
    name: 'closeConnection drops an untyped excluded',
    run: done((c) => c.closeConnection('conn1', { reason: 'r', excluded: ['c2'] } as never)),
  },
  { name: 'closeAllConnections without options', run: done((c) => c.closeAllConnections()) },
  { name: 'closeAllConnections with a reason', run: done((c) => c.closeAllConnections({ reason: 'deploying' })) },
  { name: 'closeAllConnections with excluded', run: done((c) => c.closeAllConnections({ excluded })) },
  {
    name: 'closeAllConnections with reason and excluded',
    run: done((c) => c.closeAllConnections({ reason: 'deploying', excluded: ['keep me'] })),
  },
  { name: 'closeUserConnections without options', run: done((c) => c.closeUserConnections('user1')) },
  {
    name: 'closeUserConnections with a reason',
    run: done((c) => c.closeUserConnections('user1', { reason: 'signed out' })),
  },
  {
    name: 'closeUserConnections with reason and excluded',
    run: done((c) => c.closeUserConnections('user1', { reason: 'signed out', excluded })),
  },
];

const membershipCases: ConformanceCase[] = [
  { name: 'removeUserFromAllGroups', run: done((c) => c.removeUserFromAllGroups('user1')) },
  // The official client types this method's options as HubCloseConnectionOptions; the reason is not sent.
  {
    name: 'removeUserFromAllGroups with a reason option',
    run: done((c) => c.removeUserFromAllGroups('user1', { reason: 'r' } as never)),
  },
  { name: 'removeConnectionFromAllGroups', run: done((c) => c.removeConnectionFromAllGroups('conn1')) },
  { name: 'addConnectionsToGroups', run: done((c) => c.addConnectionsToGroups(['g1', 'g 2'], "userId eq 'user1'")) },
  {
    name: 'addConnectionsToGroups with one group and a rich filter',
    run: done((c) => c.addConnectionsToGroups(['ü "quoted"'], "'room 1' in groups and userId ne 'o''brien'")),
  },
  {
    name: 'removeConnectionsFromGroups',
    run: done((c) => c.removeConnectionsFromGroups(['g1', 'g 2'], "connectionId eq 'conn1'")),
  },
  {
    name: 'removeConnectionsFromGroups with a non-ASCII filter',
    run: done((c) => c.removeConnectionsFromGroups(['g1'], "userId in ('é', '☃')")),
  },
];

const permissionCases: ConformanceCase[] = permissions.flatMap((permission) =>
  [undefined, 'room1', 'room 1/ü'].flatMap((targetName) => {
    const options = targetName === undefined ? undefined : { targetName };
    const suffix = targetName === undefined ? 'without targetName' : `with targetName '${targetName}'`;
    return [
      {
        name: `grantPermission ${permission} ${suffix}`,
        run: done((c) => c.grantPermission('conn1', permission, options)),
      },
      {
        name: `revokePermission ${permission} ${suffix}`,
        run: done((c) => c.revokePermission('conn1', permission, options)),
      },
      {
        name: `hasPermission ${permission} ${suffix}`,
        run: (c: WebPubSubRestClient) => c.hasPermission('conn1', permission, options),
        expected: true,
      },
    ];
  }),
);

// ---------------------------------------------------------------------------------------------
// Existence checks: 200 means true, 404 means false (reference §3a); the peer answers both.
// ---------------------------------------------------------------------------------------------
const notFound = (code: string) => (): ScriptedResponse => ({ status: 404, headers: { 'x-ms-error-code': code } });

const existsChecks: Array<{ name: string; run: Operation; code: string }> = [
  { name: 'connectionExists', run: (c) => c.connectionExists('conn1'), code: 'Warning.Connection.NotExisted' },
  { name: 'groupExists', run: (c) => c.groupExists('room1'), code: 'Warning.Group.NotExisted' },
  { name: 'userExists', run: (c) => c.userExists('user1'), code: 'Warning.User.NotExisted' },
  {
    name: 'hasPermission',
    run: (c) => c.hasPermission('conn1', 'sendToGroup', { targetName: 'room1' }),
    code: 'Info.Connection.NotExisted',
  },
];
const existsCases: ConformanceCase[] = existsChecks.flatMap(({ name, run, code }) => [
  { name: `${name} answered 200 is true`, run, expected: true },
  { name: `${name} answered 404 is false`, run, respond: notFound(code), expected: false },
]);

// ---------------------------------------------------------------------------------------------
// Names that need percent-encoding in the path (and in the query, as reason/targetName).
// ---------------------------------------------------------------------------------------------
const awkwardNames: Record<string, string> = {
  'a space': 'room 1',
  'a slash': 'a/b',
  'an at sign': 'user@contoso.com',
  'non-ASCII': 'ü日本☃',
  quotes: `it's "quoted"`,
  'URL-reserved characters': '%41+?#&=;,',
  'sub-delimiters': "!$()*~'",
  dots: 'v1.2',
};
const encodingCases: ConformanceCase[] = Object.entries(awkwardNames).flatMap(([kind, name]) => [
  { name: `group.addUser with ${kind}`, run: done((c) => c.group(name).addUser(name)) },
  { name: `group.removeConnection with ${kind}`, run: done((c) => c.group(name).removeConnection(name)) },
  { name: `closeConnection with ${kind}`, run: done((c) => c.closeConnection(name, { reason: name })) },
  { name: `closeUserConnections with ${kind}`, run: done((c) => c.closeUserConnections(name, { excluded: [name] })) },
  {
    name: `grantPermission with ${kind}`,
    run: done((c) => c.grantPermission(name, 'sendToGroup', { targetName: name })),
  },
  { name: `userExists with ${kind}`, run: (c: WebPubSubRestClient) => c.userExists(name) },
  { name: `groupExists with ${kind}`, run: (c: WebPubSubRestClient) => c.groupExists(name) },
]);

// ---------------------------------------------------------------------------------------------
// Other hubs: every character the hub pattern allows besides letters and digits.
// ---------------------------------------------------------------------------------------------
const hubCases: ConformanceCase[] = ['Hub_2.v1', 'h`,[x]'].flatMap((hub) => [
  { name: `hub ${hub}: group.addConnection`, hub, run: done((c) => c.group('g1').addConnection('c1')) },
  { name: `hub ${hub}: closeAllConnections`, hub, run: done((c) => c.closeAllConnections({ reason: 'r' })) },
  {
    name: `hub ${hub}: removeConnectionsFromGroups`,
    hub,
    run: done((c) => c.removeConnectionsFromGroups(['g1'], "userId eq 'u'")),
  },
  { name: `hub ${hub}: hasPermission`, hub, run: (c: WebPubSubRestClient) => c.hasPermission('c1', 'joinLeaveGroup') },
]);

// ---------------------------------------------------------------------------------------------
// The peer answers an error: both clients reject with the same statusCode and code.
// ---------------------------------------------------------------------------------------------
/** An error as the service sends it: ErrorDetail JSON plus `x-ms-error-code` (reference §1). */
const serviceError = (status: number, code: string, message: string) => (): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-error-code': code },
  body: JSON.stringify({ code, message, target: null, details: null, inner: null }),
});
/** A 400 in the service's validation shape. */
const validationError = () => invalidValueAnswer('filter', 'x');
const internal = serviceError(500, 'Error.Internal', 'boom');
const status = (code: number) => (): ScriptedResponse => ({ status: code });

/** A row where both clients must reject; `expected` is what the peer sent (statusCode, and the body's code). */
const fails = (name: string, run: Operation, respond: () => ScriptedResponse, expected: unknown): ConformanceCase => ({
  name,
  run: rejection(run),
  respond,
  expected,
});
/** Where only the status is known independently (no body, so no code to expect). */
const withStatus = (statusCode: number) => expect.objectContaining({ statusCode });
const internalError = { statusCode: 500, code: 'Error.Internal' };

const errorCases: ConformanceCase[] = [
  fails('closeConnection answered 500', (c) => c.closeConnection('conn1'), internal, internalError),
  fails('closeAllConnections answered 500', (c) => c.closeAllConnections({ reason: 'r' }), internal, internalError),
  fails('group.addUser answered 500', (c) => c.group('room1').addUser('user1'), internal, internalError),
  fails(
    'addConnectionsToGroups answered 500',
    (c) => c.addConnectionsToGroups(['g1'], "userId eq 'u'"),
    internal,
    internalError,
  ),
  fails(
    'group.addConnection answered 404 (connection does not exist)',
    (c) => c.group('room1').addConnection('ghost'),
    serviceError(404, 'Error.Connection.NotExisted', "Connection 'ghost' does not exist."),
    { statusCode: 404, code: 'Error.Connection.NotExisted' },
  ),
  fails(
    'group.addUser answered 404 (user does not exist)',
    (c) => c.group('room1').addUser('ghost'),
    serviceError(404, 'Warning.User.NotExisted', "User 'ghost' does not exist."),
    { statusCode: 404, code: 'Warning.User.NotExisted' },
  ),
  fails(
    'grantPermission answered 404 (connection does not exist)',
    (c) => c.grantPermission('ghost', 'sendToGroup', { targetName: 'room1' }),
    serviceError(404, 'Info.Connection.NotExisted', "Connection 'ghost' does not exist."),
    { statusCode: 404, code: 'Info.Connection.NotExisted' },
  ),
  fails(
    'removeConnectionsFromGroups answered 400 (validation)',
    (c) => c.removeConnectionsFromGroups(['g1'], 'x'),
    validationError,
    {
      statusCode: 400,
      code: 'Error.BadRequest',
    },
  ),
  fails(
    'revokePermission answered 403 without a body',
    (c) => c.revokePermission('conn1', 'joinLeaveGroup'),
    status(403),
    withStatus(403),
  ),
  {
    // The official client reads `code` from the body only; ours falls back to x-ms-error-code.
    ...fails(
      'removeConnection answered 403 with only an x-ms-error-code header',
      (c) => c.group('room1').removeConnection('conn1'),
      () => ({ status: 403, headers: { 'x-ms-error-code': 'Error.Forbidden' } }),
      { statusCode: 403, code: undefined },
    ),
    oursExpected: { statusCode: 403, code: 'Error.Forbidden' },
  },
  fails(
    'closeUserConnections answered 429 without Retry-After',
    (c) => c.closeUserConnections('u1'),
    status(429),
    withStatus(429),
  ),
  fails(
    'removeUserFromAllGroups answered 502 with an HTML body',
    (c) => c.removeUserFromAllGroups('user1'),
    () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>Bad Gateway</body></html>' }),
    withStatus(502),
  ),
  // 202 is a success status, but not the one CloseAllConnections declares (204): both must reject.
  fails('closeAllConnections answered 202', (c) => c.closeAllConnections(), status(202), withStatus(202)),
  // HEAD answers carry no body, so only ours has a code: the x-ms-error-code header's.
  ...existsChecks.map(({ name, run }) => ({
    ...fails(`${name} answered 500`, run, internal, { statusCode: 500, code: undefined }),
    oursExpected: internalError,
  })),
  fails('userExists answered 401 without a body', (c) => c.userExists('user1'), status(401), withStatus(401)),
];

describe('official SDK conformance: group operations', () => {
  conformanceTable(groupCases);
});

describe('official SDK conformance: hub operations', () => {
  conformanceTable([...closeCases, ...membershipCases, ...permissionCases, ...existsCases]);
});

describe('official SDK conformance: names needing percent-encoding and other hubs', () => {
  conformanceTable([...encodingCases, ...hubCases]);
});

describe('official SDK conformance: error answers', () => {
  conformanceTable(errorCases);
});
