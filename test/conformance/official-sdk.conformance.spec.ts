import { describe } from '@jest/globals';
import { odata as officialOdata } from '@azure/web-pubsub';
import { odata, WebPubSubRestClient, type SendWithContentTypeOptions } from '../../lib/index.js';
import { conformanceTable, type ConformanceCase } from './conformance-harness.js';

/*
 * Sends (SendToAll, SendToGroup, SendToUser, SendToConnection): every message kind on every target,
 * then the query options. Each row runs unchanged on `@azure/web-pubsub` 1.2.0 and on our client
 * against the same capture server; the requests must be equal on the wire.
 */

type Message = string | number | boolean | object | null | ArrayBuffer | Uint8Array;
type Send = (client: WebPubSubRestClient, message: Message, options?: SendWithContentTypeOptions) => Promise<void>;

// `as never`: rows pass every message kind through one signature; each client picks its overload at
// run time. Sends resolve to nothing useful (the official client's `{ body: undefined }` is not part
// of its typed API), so the rows discard the result.
const targets: Record<string, Send> = {
  sendToAll: async (client, message, options) => {
    await client.sendToAll(message as never, options);
  },
  'group.sendToAll': async (client, message, options) => {
    await client.group('room 1').sendToAll(message as never, options);
  },
  sendToUser: async (client, message, options) => {
    await client.sendToUser('user@1', message as never, options);
  },
  sendToConnection: async (client, message, options) => {
    await client.sendToConnection('conn/1', message as never, options);
  },
};
const send =
  (target: keyof typeof targets, message: Message, options?: SendWithContentTypeOptions) =>
  (client: WebPubSubRestClient) =>
    targets[target](client, message, options);

const bytes = [0, 1, 2, 127, 128, 254, 255, 0x7b, 0x22];

/** One message of each kind, with the options (if any) that select its content type. */
const messages: Array<{ kind: string; message: () => Message; options?: SendWithContentTypeOptions }> = [
  {
    kind: 'a JSON object',
    message: () => ({ text: 'hi', n: [1, 2.5, -3], nested: { ok: true, none: null }, 'quote"key': "it's" }),
  },
  { kind: 'a JSON array', message: () => [1, 'two', { three: 3 }] },
  { kind: 'a string (JSON by default)', message: () => 'hello world' },
  { kind: 'a non-ASCII string (JSON)', message: () => 'héllo ☃ 日本 "quoted" \n' },
  { kind: 'an empty string (JSON)', message: () => '' },
  { kind: 'a number', message: () => 42.5 },
  { kind: 'zero', message: () => 0 },
  { kind: 'a boolean true', message: () => true },
  { kind: 'a boolean false', message: () => false },
  { kind: 'null', message: () => null },
  { kind: 'a text/plain string', message: () => 'plain text, not JSON', options: { contentType: 'text/plain' } },
  { kind: 'a non-ASCII text/plain string', message: () => 'héllo ☃ 日本', options: { contentType: 'text/plain' } },
  { kind: 'an empty text/plain string', message: () => '', options: { contentType: 'text/plain' } },
  { kind: 'a Buffer', message: () => Buffer.from(bytes) },
  { kind: 'a Uint8Array', message: () => new Uint8Array(bytes) },
  { kind: 'an ArrayBuffer', message: () => new Uint8Array(bytes).buffer },
  {
    kind: 'a Uint8Array view into a larger buffer',
    message: () => new Uint8Array(new Uint8Array([9, 9, ...bytes, 9]).buffer, 2, bytes.length),
  },
  { kind: 'an empty Buffer', message: () => Buffer.alloc(0) },
  {
    kind: 'an object with explicit application/json',
    message: () => ({ a: 1 }),
    options: { contentType: 'application/json' },
  },
  {
    kind: 'a string with explicit application/json',
    message: () => 'json string',
    options: { contentType: 'application/json' },
  },
  {
    kind: 'a Buffer with explicit application/octet-stream',
    message: () => Buffer.from('bin'),
    options: { contentType: 'application/octet-stream' },
  },
];

const messageCases: ConformanceCase[] = Object.entries(targets).flatMap(([target, sendTo]) =>
  messages.map(({ kind, message, options }) => ({
    name: `${target} with ${kind}`,
    run: (client: WebPubSubRestClient) => sendTo(client, message(), options),
  })),
);

/** The odata helper of whichever client runs the row: the wire shows whether both escape alike. */
function odataOf(client: WebPubSubRestClient): typeof odata {
  return client instanceof WebPubSubRestClient ? odata : officialOdata;
}

const filters: Array<{ kind: string; filter: (client: WebPubSubRestClient) => string }> = [
  { kind: 'a plain filter', filter: () => "userId eq 'user1'" },
  {
    kind: 'a filter with reserved URL characters',
    filter: () => "userId eq 'a+b&c=d#e%20f?g/h' or connectionId ne 'é ☃'",
  },
  { kind: 'a group membership filter', filter: () => "'room 1' in groups and not('room 2' in groups)" },
  {
    kind: 'an odata filter with quotes and null',
    filter: (client) => odataOf(client)`userId eq ${"o'brien"} or userId eq ${null} or userId eq ${undefined}`,
  },
  {
    kind: 'an odata filter with numbers, booleans and a pre-quoted value',
    filter: (client) => odataOf(client)`length(userId) gt ${3} and ${true} and userId eq '${"it's"}'`,
  },
  {
    kind: 'an odata filter with an in-list',
    filter: (client) => odataOf(client)`userId in (${'a'}, ${"b'c"}) or ${'g 1'} in groups`,
  },
];

const filterCases: ConformanceCase[] = (['sendToAll', 'group.sendToAll', 'sendToUser'] as const).flatMap((target) =>
  filters.map(({ kind, filter }) => ({
    name: `${target} with ${kind}`,
    run: (client: WebPubSubRestClient) => targets[target](client, { m: 1 }, { filter: filter(client) }),
  })),
);

const ttlCases: ConformanceCase[] = Object.entries(targets).flatMap(([target, sendTo]) =>
  [0, 60, 300].map((messageTtlSeconds) => ({
    name: `${target} with messageTtlSeconds ${messageTtlSeconds}`,
    run: (client: WebPubSubRestClient) => sendTo(client, { m: 1 }, { messageTtlSeconds }),
  })),
);

const excluded = ['conn1', 'conn 2', "conn'3", 'conn&4=+'];

const optionCases: ConformanceCase[] = [
  { name: 'sendToAll excluding connections', run: send('sendToAll', { m: 1 }, { excludedConnections: excluded }) },
  { name: 'sendToAll excluding one connection', run: send('sendToAll', 'x', { excludedConnections: ['only'] }) },
  { name: 'sendToAll with an empty excluded list', run: send('sendToAll', 'x', { excludedConnections: [] }) },
  {
    name: 'group.sendToAll excluding connections',
    run: send('group.sendToAll', { m: 1 }, { excludedConnections: excluded }),
  },
  {
    name: 'sendToAll text with excluded, filter and TTL together',
    run: send('sendToAll', 'all options', {
      contentType: 'text/plain',
      excludedConnections: excluded,
      filter: "userId ne 'x'",
      messageTtlSeconds: 120,
    }),
  },
  {
    name: 'group.sendToAll binary with excluded, filter and TTL together',
    run: send('group.sendToAll', Buffer.from(bytes), {
      excludedConnections: ['c1'],
      filter: "'room 1' in groups",
      messageTtlSeconds: 5,
    }),
  },
  {
    name: 'sendToUser text with filter and TTL',
    run: send('sendToUser', 'hi', { contentType: 'text/plain', filter: "connectionId ne 'c1'", messageTtlSeconds: 0 }),
  },
  // The REST operation has no `excluded` for users and no filter for a connection: both clients drop them.
  { name: 'sendToUser drops excludedConnections', run: send('sendToUser', { m: 1 }, { excludedConnections: ['c1'] }) },
  {
    name: 'sendToConnection drops filter and excluded',
    run: send('sendToConnection', { m: 1 }, { filter: "userId eq 'a'", excludedConnections: ['c2'] }),
  },
];

describe('official SDK conformance: sending messages', () => {
  conformanceTable([...messageCases, ...filterCases, ...ttlCases, ...optionCases]);
});
