import { describe, expect, it } from '@jest/globals';
import {
  buildAddConnectionsToGroupsRequest,
  buildAddUserToGroupRequest,
  buildCheckPermissionRequest,
  buildCloseAllConnectionsRequest,
  buildCloseConnectionRequest,
  buildGrantPermissionRequest,
  buildListConnectionsInGroupRequest,
  buildRemoveConnectionsFromGroupsRequest,
  buildSendToAllRequest,
  buildSendToConnectionRequest,
  buildSendToGroupRequest,
  buildSendToUserRequest,
} from '../../lib/rest/index.js';
import { WebPubSubArgumentError, WebPubSubRestClient } from '../../lib/index.js';
import { failureOf } from '../support/failure-of.js';
import { circular, expectClearMessage, expectNoSecret, SECRET_KEY, useRecordingClient } from './bad-input-harness.js';

/*
 * Bad names, options and message bodies given to the REST client. README ("Errors, validation and
 * retries"): bad input fails before any network call with a WebPubSubArgumentError whose `argument`
 * names the culprit and whose message says how to fix it, and never contains an access key. The
 * client points at a recording loopback server, so "before any network call" is checked as "the
 * server received nothing". Expected texts are the documented ones of lib/client/client.messages.ts.
 * A rule of an operation is checked on its request builder (the client method hands its input to
 * it: test/unit/validation-delegation.spec.ts); the client's own checks (constructor, hub(),
 * group(), getClientAccessToken, byPage) on the client.
 */

const session = useRecordingClient();
const { peer } = session;

const MiB = 1024 * 1024;
/** The request context of the builders: the client's hub. */
const chat = { hub: 'chat' };
const FIX = {
  hub: /Rename the hub, e\.g\. "chat"\.$/,
  group: /Pass a non-empty group name\.$/,
  id: /Pass the id you got from the connected event or the client\.$/,
  range: /Pass a value in that range\.$/,
  list: /Pass e\.g\. \["a", "b"\], or leave it out\.$/,
  optionalString: /Pass a string, or leave it out\.$/,
  size: /Send a smaller message, or split it into several\.$/,
  json: /Convert it to plain data first \(e\.g\. BigInt to string, remove circular references\), or send it as text or binary\.$/,
};
const tooLargeJson = { text: 'a'.repeat(MiB) };
// Sizes computed here, independently of the client: the limit is on bytes, not characters.
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

interface Row {
  name: string;
  call: (client: WebPubSubRestClient) => unknown;
  argument: string;
  what: RegExp;
  fix: RegExp;
}

const names: Row[] = [
  {
    name: 'a hub name with a space',
    call: () => new WebPubSubRestClient(peer.server.connectionString(SECRET_KEY), 'my hub'),
    argument: 'hub',
    what: /^Hub name "my hub" is invalid: it must start with a letter/,
    fix: FIX.hub,
  },
  {
    name: 'a hub name starting with a digit (hub())',
    call: (c) => c.hub('1chat'),
    argument: 'hub',
    what: /^Hub name "1chat" is invalid/,
    fix: FIX.hub,
  },
  {
    name: 'a hub name of 129 characters',
    call: (c) => c.hub(`h${'x'.repeat(128)}`),
    argument: 'hub',
    what: /is invalid: .*\(1 to 128 characters\)/,
    fix: FIX.hub,
  },
  {
    name: 'a hub name with a dash (request builder)',
    call: () => buildSendToAllRequest({ hub: 'my-hub' }, {}),
    argument: 'hub',
    what: /^Hub name "my-hub" is invalid/,
    fix: FIX.hub,
  },
  {
    name: 'an empty group name',
    call: (c) => c.group(''),
    argument: 'groupName',
    what: /^groupName "" is invalid: a group name must be 1 to 1024 characters/,
    fix: FIX.group,
  },
  {
    name: 'a whitespace-only group name',
    call: () => buildSendToGroupRequest({ hub: 'chat' }, '   ', {}),
    argument: 'group',
    what: /^group " {3}" is invalid: .*not only whitespace/,
    fix: FIX.group,
  },
  {
    name: 'a group name of 1025 characters',
    call: (c) => c.group('g'.repeat(1025)),
    argument: 'groupName',
    what: /is invalid: a group name must be 1 to 1024 characters/,
    fix: FIX.group,
  },
  {
    name: 'an empty userId (buildSendToUserRequest)',
    call: () => buildSendToUserRequest(chat, '', { text: 'hi' }),
    argument: 'userId',
    what: /^userId "" is invalid: it must be a non-empty string/,
    fix: FIX.id,
  },
  {
    name: 'an empty userId (buildAddUserToGroupRequest)',
    call: () => buildAddUserToGroupRequest(chat, 'room', ''),
    argument: 'userId',
    what: /^userId "" is invalid/,
    fix: FIX.id,
  },
  {
    name: 'an empty connectionId (buildCloseConnectionRequest)',
    call: () => buildCloseConnectionRequest(chat, ''),
    argument: 'connectionId',
    what: /^connectionId "" is invalid: it must be a non-empty string/,
    fix: FIX.id,
  },
  {
    name: 'an empty connectionId (buildCheckPermissionRequest)',
    call: () => buildCheckPermissionRequest(chat, 'sendToGroup', ''),
    argument: 'connectionId',
    what: /^connectionId "" is invalid/,
    fix: FIX.id,
  },
  {
    name: 'a whitespace targetName (buildGrantPermissionRequest)',
    call: () => buildGrantPermissionRequest(chat, 'sendToGroup', 'c1', { targetName: '  ' }),
    argument: 'targetName',
    what: /^targetName " {2}" is invalid/,
    fix: FIX.group,
  },
  {
    name: 'no groups (buildAddConnectionsToGroupsRequest)',
    call: () => buildAddConnectionsToGroupsRequest(chat, [], "userId eq 'a'"),
    argument: 'groups',
    what: /^addConnectionsToGroups needs at least one group name\./,
    fix: /Pass e\.g\. \["room1"\]\.$/,
  },
  {
    name: 'an empty group in a list',
    call: () => buildAddConnectionsToGroupsRequest(chat, ['ok', ''], "userId eq 'a'"),
    argument: 'groups[1]',
    what: /^groups\[1\] "" is invalid/,
    fix: FIX.group,
  },
];

const options: Row[] = [
  {
    name: 'messageTtlSeconds 301',
    call: () => buildSendToAllRequest(chat, {}, { messageTtlSeconds: 301 }),
    argument: 'messageTtlSeconds',
    what: /^messageTtlSeconds number 301 is invalid: it must be a whole number from 0 to 300\./,
    fix: FIX.range,
  },
  {
    name: 'messageTtlSeconds -1 (buildSendToUserRequest)',
    call: () => buildSendToUserRequest(chat, 'u1', {}, { messageTtlSeconds: -1 }),
    argument: 'messageTtlSeconds',
    what: /number -1 is invalid: it must be a whole number from 0 to 300/,
    fix: FIX.range,
  },
  {
    name: 'messageTtlSeconds 2.5 (buildSendToGroupRequest)',
    call: () => buildSendToGroupRequest(chat, 'room', {}, { messageTtlSeconds: 2.5 }),
    argument: 'messageTtlSeconds',
    what: /number 2\.5 is invalid/,
    fix: FIX.range,
  },
  {
    name: 'messageTtlSeconds as a string',
    call: () => buildSendToConnectionRequest(chat, 'c1', {}, { messageTtlSeconds: '60' as never }),
    argument: 'messageTtlSeconds',
    what: /^messageTtlSeconds "60" is invalid: it must be a whole number/,
    fix: FIX.range,
  },
  {
    name: 'a filter that is not a string',
    call: () => buildSendToAllRequest(chat, {}, { filter: 42 as never }),
    argument: 'filter',
    what: /^filter must be a string when given\./,
    fix: FIX.optionalString,
  },
  {
    name: 'an empty filter (buildRemoveConnectionsFromGroupsRequest)',
    call: () => buildRemoveConnectionsFromGroupsRequest(chat, ['room'], ' '),
    argument: 'filter',
    what: /^removeConnectionsFromGroups needs an OData filter that selects the connections/,
    fix: /Pass a filter string\.$/,
  },
  {
    name: 'excludedConnections not an array',
    call: () => buildSendToAllRequest(chat, {}, { excludedConnections: 'c1' as never }),
    argument: 'excludedConnections',
    what: /^excludedConnections must be an array of non-empty strings\./,
    fix: FIX.list,
  },
  {
    name: 'an empty id in excluded (buildCloseAllConnectionsRequest)',
    call: () => buildCloseAllConnectionsRequest(chat, { excluded: [''] }),
    argument: 'excluded',
    what: /^excluded must be an array of non-empty strings/,
    fix: FIX.list,
  },
  {
    name: 'a close reason that is not a string',
    call: () => buildCloseConnectionRequest(chat, 'c1', { reason: 5 as never }),
    argument: 'reason',
    what: /^reason must be a string when given\./,
    fix: FIX.optionalString,
  },
  {
    name: 'an unknown permission',
    call: () => buildGrantPermissionRequest(chat, 'admin' as never, 'c1'),
    argument: 'permission',
    what: /^Permission "admin" is invalid/,
    fix: /use "joinLeaveGroup" or "sendToGroup"\.$/,
  },
  {
    name: 'expirationTimeInMinutes 0',
    call: (c) => c.getClientAccessToken({ expirationTimeInMinutes: 0 }),
    argument: 'expirationTimeInMinutes',
    what: /^expirationTimeInMinutes number 0 is invalid: it must be a whole number from 1 to 2147483647\./,
    fix: FIX.range,
  },
  {
    name: 'an unknown clientProtocol',
    call: (c) => c.getClientAccessToken({ clientProtocol: 'signalr' as never }),
    argument: 'clientProtocol',
    what: /^clientProtocol "signalr" is invalid/,
    fix: /use "default", "mqtt" or "socketio"\.$/,
  },
  {
    name: 'roles as a string',
    call: (c) => c.getClientAccessToken({ roles: 'webpubsub.sendToGroup' as never }),
    argument: 'roles',
    what: /^roles must be an array of non-empty strings\./,
    fix: FIX.list,
  },
  {
    name: 'maxPageSize 0',
    call: () => buildListConnectionsInGroupRequest(chat, 'room', { maxPageSize: 0 }),
    argument: 'maxPageSize',
    what: /^maxPageSize number 0 is invalid: it must be a whole number from 1 to 200\./,
    fix: FIX.range,
  },
  {
    name: 'maxPageSize 201',
    call: () => buildListConnectionsInGroupRequest(chat, 'room', { maxPageSize: 201 }),
    argument: 'maxPageSize',
    what: /number 201 is invalid: it must be a whole number from 1 to 200/,
    fix: FIX.range,
  },
  {
    name: 'maxPageSize given to byPage()',
    call: async (c) => (await c.group('room').listConnections()).byPage({ maxPageSize: 10 }).next(),
    argument: 'maxPageSize',
    what: /^maxPageSize is not supported by byPage\(\);/,
    fix: /pass \{ maxPageSize \} to listConnections\(\) instead\.$/,
  },
  {
    name: 'top 0',
    call: () => buildListConnectionsInGroupRequest(chat, 'room', { top: 0 }),
    argument: 'top',
    what: /^top number 0 is invalid: it must be a whole number from 1 to 2147483647/,
    fix: FIX.range,
  },
  {
    name: 'an unknown contentType',
    call: () => buildSendToAllRequest(chat, '<x/>', { contentType: 'application/xml' as never }),
    argument: 'contentType',
    what: /^contentType "application\/xml" is invalid/,
    fix: /use "application\/json", "text\/plain" or "application\/octet-stream"\.$/,
  },
];

const bodies: Row[] = [
  {
    name: 'an undefined message',
    call: () => buildSendToAllRequest(chat, undefined),
    argument: 'message',
    what: /^The message is undefined\./,
    fix: /Pass a string, an object, a number or boolean \(sent as JSON\), or binary data/,
  },
  {
    name: 'text of 1 MiB + 1 byte',
    call: () => buildSendToAllRequest(chat, 'a'.repeat(MiB + 1), { contentType: 'text/plain' }),
    argument: 'message',
    what: new RegExp(`^The message is ${MiB + 1} bytes, over the Web PubSub limit of ${MiB} bytes \\(1 MiB\\)\\.`),
    fix: FIX.size,
  },
  {
    name: 'text under 1 Mi characters but over 1 MiB of UTF-8',
    call: () => buildSendToUserRequest(chat, 'u1', 'é'.repeat(MiB / 2 + 1), { contentType: 'text/plain' }),
    argument: 'message',
    what: new RegExp(`^The message is ${bytes('é'.repeat(MiB / 2 + 1))} bytes, over the Web PubSub limit`),
    fix: FIX.size,
  },
  {
    name: 'a JSON object over 1 MiB',
    call: () => buildSendToGroupRequest(chat, 'room', tooLargeJson),
    argument: 'message',
    what: new RegExp(`^The message is ${bytes(JSON.stringify(tooLargeJson))} bytes`),
    fix: FIX.size,
  },
  {
    name: 'a Buffer of 1 MiB + 1 byte',
    call: () => buildSendToConnectionRequest(chat, 'c1', Buffer.alloc(MiB + 1)),
    argument: 'message',
    what: new RegExp(`^The message is ${MiB + 1} bytes`),
    fix: FIX.size,
  },
  {
    name: 'a Blob of 2 MiB',
    call: () => buildSendToAllRequest(chat, new Blob([new Uint8Array(2 * MiB)])),
    argument: 'message',
    what: new RegExp(`^The message is ${2 * MiB} bytes`),
    fix: FIX.size,
  },
  {
    name: 'an object with contentType text/plain',
    call: () => buildSendToAllRequest(chat, { text: 'hi' }, { contentType: 'text/plain' }),
    argument: 'message',
    what: /^contentType "text\/plain" needs a string message, but got an? object\./,
    fix: /Pass a string, or drop contentType to send JSON\.$/,
  },
  {
    name: 'a string with contentType application/octet-stream',
    call: () => buildSendToAllRequest(chat, 'hi', { contentType: 'application/octet-stream' }),
    argument: 'message',
    what: /^contentType "application\/octet-stream" needs binary data .* but got a string\./,
    fix: /Pass bytes, or drop contentType to send JSON\.$/,
  },
  {
    name: 'a circular object',
    call: () => buildSendToAllRequest(chat, circular()),
    argument: 'message',
    what: /^The message cannot be sent as JSON: it contains a circular reference\./,
    fix: FIX.json,
  },
  {
    name: 'an object holding a BigInt',
    call: () => buildSendToUserRequest(chat, 'u1', { total: 10n }),
    argument: 'message',
    what: /^The message cannot be sent as JSON: it contains a BigInt\./,
    fix: FIX.json,
  },
  {
    name: 'a bare BigInt',
    call: () => buildSendToConnectionRequest(chat, 'c1', 10n),
    argument: 'message',
    what: /it contains a BigInt/,
    fix: FIX.json,
  },
  {
    name: 'an object whose toJSON throws',
    call: () =>
      buildSendToGroupRequest(chat, 'room', {
        toJSON: () => {
          throw new Error('Order 7 has no JSON form');
        },
      }),
    argument: 'message',
    what: /^The message cannot be sent as JSON: Order 7 has no JSON form\./,
    fix: FIX.json,
  },
  {
    name: 'a symbol',
    call: () => buildSendToAllRequest(chat, Symbol('s')),
    argument: 'message',
    what: /^The message cannot be sent as JSON: a symbol has no JSON form\./,
    fix: FIX.json,
  },
];

describe.each([
  ['names', names],
  ['operation options', options],
  ['message bodies', bodies],
])('bad %s are refused before any network call', (_family, rows) => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const error = await failureOf(() => row.call(session.client));
    expect(error).toBeInstanceOf(WebPubSubArgumentError);
    expect(error).toBeInstanceOf(TypeError);
    const { argument, message } = error as WebPubSubArgumentError;
    expect(argument).toBe(row.argument);
    expectClearMessage(message, row.what, row.fix);
    expectNoSecret(error);
    expect(peer.server.requests).toHaveLength(0);
  });
});

describe('the client after bad input', () => {
  // The control for every "nothing was sent" above: the same client does reach the peer.server.
  it('still sends a good message, and it arrives', async () => {
    await session.client.sendToAll({ text: 'fine' });
    await session.client.group('room').sendToAll('fine', { contentType: 'text/plain' });
    expect(peer.server.requests.map((request) => request.path)).toEqual([
      '/api/hubs/chat/:send',
      '/api/hubs/chat/groups/room/:send',
    ]);
    expect(peer.server.requests[0].body.toString()).toBe('{"text":"fine"}');
  });

  it('accepts the largest message allowed (exactly 1 MiB)', async () => {
    await session.client.sendToAll('a'.repeat(MiB), { contentType: 'text/plain' });
    expect(peer.server.requests).toHaveLength(1);
    expect(peer.server.requests[0].body.length).toBe(MiB);
  });
});

describe('findings: messages that could be clearer', () => {
  // client.messages.ts describe() prints `${typeof value} ${String(value)}`, which reads "undefined
  // undefined"; a hub that is not a string sends the constructor down the (endpoint, credential,
  // hub) overload, so the message describes the missing third argument instead of 42;
  // message-payload.ts kindOf() prints "a object".
  it.each([
    ['an undefined userId', () => buildSendToUserRequest(chat, undefined as never, {}), /^userId undefined is invalid/],
    [
      'a numeric hub name',
      () => new WebPubSubRestClient(peer.server.connectionString(SECRET_KEY), 42 as never),
      /^Hub name (number )?42 is invalid/,
    ],
    [
      'an object sent as text/plain',
      () => buildSendToAllRequest(chat, {}, { contentType: 'text/plain' }),
      /but got an object\./,
    ],
  ])('%s is described in plain words', async (_name, call, expected) => {
    const error = (await failureOf(() => call())) as Error;
    expect(error).toBeInstanceOf(WebPubSubArgumentError);
    expect(peer.server.requests).toHaveLength(0);
    expect(error.message).toMatch(expected);
  });

  // Like @azure/web-pubsub, a function is taken for a stream factory; one that returns no stream
  // fails inside core-rest-pipeline with a RestError "Unrecognized body type": nothing says it is
  // the message, nor what to pass instead.
  it('a function that returns no stream is refused as a bad message, with the fix', async () => {
    const error = (await failureOf(() => session.client.sendToAll((() => 42) as never))) as Error;
    expect(peer.server.requests).toHaveLength(0);
    expectNoSecret(error);
    expect(error).toBeInstanceOf(WebPubSubArgumentError);
    expect((error as WebPubSubArgumentError).argument).toBe('message');
  });
});
