import { describe, expect, it } from '@jest/globals';
import {
  buildSendToAllRequest,
  buildSendToConnectionRequest,
  buildSendToGroupRequest,
  buildSendToUserRequest,
} from '../../lib/rest/index.js';
import { MAX_MESSAGE_BYTES } from '../../lib/client/index.js';
import { expectArgumentError, expectNothingSent, useLoopbackPeer, type SilentPeer } from './unit-helpers.js';

/*
 * Message bodies: the three content types of the REST spec, values JSON cannot carry, and the
 * 1 MiB limit (counted in bytes, for JSON, text and binary alike). Every send builder is covered;
 * that each client send uses its builder is validation-delegation.spec.ts.
 */

const peer = useLoopbackPeer();
const bad = (value: unknown) => value as never;
/** 1 MiB, computed here rather than read from the library. */
const MiB = 1024 * 1024;

type Send = (peer: SilentPeer, message: unknown, options?: object) => unknown;
const sends: Array<[name: string, send: Send]> = [
  ['buildSendToAllRequest', (_p, message, options) => buildSendToAllRequest({ hub: 'hub1' }, message, options)],
  [
    'buildSendToGroupRequest',
    (_p, message, options) => buildSendToGroupRequest({ hub: 'hub1' }, 'g', message, options),
  ],
  ['buildSendToUserRequest', (_p, message, options) => buildSendToUserRequest({ hub: 'hub1' }, 'u', message, options)],
  [
    'buildSendToConnectionRequest',
    (_p, message, options) => buildSendToConnectionRequest({ hub: 'hub1' }, 'c', message, options),
  ],
];

interface BadMessage {
  label: string;
  message: () => unknown;
  options?: object;
  argument: string;
  says: RegExp[];
}

function circular(): object {
  const node: { self?: object } = {};
  node.self = node;
  return node;
}

const badMessages: BadMessage[] = [
  ...['application/xml', 'text/html', 'Text/Plain', '', 'json'].map((contentType) => ({
    label: `contentType ${JSON.stringify(contentType)}`,
    message: () => 'hello',
    options: { contentType },
    argument: 'contentType',
    says: [
      /application\/json/,
      /text\/plain/,
      /application\/octet-stream/,
      new RegExp(JSON.stringify(contentType).replace(/[/]/g, '\\/')),
    ],
  })),
  ...(
    [
      ['an object', { a: 1 }],
      ['a number', 42],
      ['a Buffer', Buffer.from('x')],
      ['null', null],
    ] as const
  ).map(([label, message]) => ({
    label: `text/plain with ${label}`,
    message: () => message,
    options: { contentType: 'text/plain' },
    argument: 'message',
    says: [/text\/plain/, /needs a string/i, /pass a string/i],
  })),
  ...(
    [
      ['a string', 'bytes?'],
      ['an object', { a: 1 }],
      ['a number', 7],
    ] as const
  ).map(([label, message]) => ({
    label: `application/octet-stream with ${label}`,
    message: () => message,
    options: { contentType: 'application/octet-stream' },
    argument: 'message',
    says: [/octet-stream/, /binary data/i, /pass bytes/i],
  })),
  {
    label: 'an undefined message',
    message: () => undefined,
    argument: 'message',
    says: [/undefined/, /pass a string/i],
  },
  { label: 'a BigInt', message: () => 10n, argument: 'message', says: [/JSON/, /BigInt/, /BigInt to string/] },
  { label: 'an object holding a BigInt', message: () => ({ count: 10n }), argument: 'message', says: [/BigInt/] },
  {
    label: 'a circular object',
    message: circular,
    argument: 'message',
    says: [/JSON/, /circular/i, /remove circular/i],
  },
  { label: 'a symbol (no JSON form)', message: () => Symbol('s'), argument: 'message', says: [/JSON/, /symbol/] },
];

describe('messages the service cannot take are rejected before sending', () => {
  const cases = badMessages.flatMap((row) =>
    sends.map(([name, send]) => [`${row.label} via ${name}`, row, send] as const),
  );

  it.each(cases)('rejects %s', async (_name, row, send) => {
    await expectArgumentError(() => send(peer, row.message(), row.options), row.argument, row.says);
    expectNothingSent(peer);
  });
});

/** A body of exactly `bytes` bytes in each form the client sends, plus how to read it back. */
interface SizedBody {
  kind: string;
  make: (bytes: number) => unknown;
  options?: object;
  contentType: string;
}

const sizedBodies: SizedBody[] = [
  // JSON.stringify of a string adds two quotes.
  { kind: 'a JSON string', make: (bytes) => 'x'.repeat(bytes - 2), contentType: 'application/json' },
  // '{"d":""}' is 8 bytes.
  { kind: 'a JSON object', make: (bytes) => ({ d: 'x'.repeat(bytes - 8) }), contentType: 'application/json' },
  // 'é' is 2 bytes in UTF-8: the limit counts bytes, not characters.
  {
    kind: 'a JSON string of 2-byte characters',
    make: (bytes) => 'é'.repeat(Math.floor((bytes - 2) / 2)) + (bytes % 2 ? 'x' : ''),
    contentType: 'application/json',
  },
  {
    kind: 'text',
    make: (bytes) => 'x'.repeat(bytes),
    options: { contentType: 'text/plain' },
    contentType: 'text/plain',
  },
  {
    kind: 'text of 2-byte characters',
    make: (bytes) => 'é'.repeat(Math.floor(bytes / 2)) + (bytes % 2 ? 'x' : ''),
    options: { contentType: 'text/plain' },
    contentType: 'text/plain',
  },
  { kind: 'a Buffer', make: (bytes) => Buffer.alloc(bytes, 7), contentType: 'application/octet-stream' },
  { kind: 'a Uint8Array', make: (bytes) => new Uint8Array(bytes).fill(7), contentType: 'application/octet-stream' },
  {
    kind: 'an ArrayBuffer',
    make: (bytes) => new Uint8Array(bytes).fill(7).buffer,
    contentType: 'application/octet-stream',
  },
];

describe('the 1 MiB message limit', () => {
  it('is 1 MiB (1,048,576 bytes)', () => {
    expect(MAX_MESSAGE_BYTES).toBe(MiB);
  });

  it.each(sizedBodies.map((body) => [body.kind, body] as const))(
    'sends %s of exactly 1 MiB, and the peer gets every byte',
    async (_kind, body) => {
      await peer.client.sendToAll(bad(body.make(MiB)), bad(body.options));
      expect(peer.server.requests).toHaveLength(1);
      expect(peer.server.requests[0].body.length).toBe(MiB);
      expect(peer.server.requests[0].headers['content-type']).toContain(body.contentType);
    },
  );

  const over = sizedBodies.flatMap((body) =>
    sends.map(([name, send]) => [`${body.kind} of 1 MiB + 1 byte via ${name}`, body, send] as const),
  );
  it.each(over)('rejects %s, naming the size and the limit', async (_name, body, send) => {
    await expectArgumentError(() => send(peer, body.make(MiB + 1), body.options), 'message', [
      new RegExp(`\\b${MiB + 1}\\b`),
      new RegExp(`\\b${MiB}\\b`),
      /1 MiB/,
      /smaller|split/i,
    ]);
    expectNothingSent(peer);
  });

  it('counts a Blob by its size', async () => {
    expect(() => buildSendToAllRequest({ hub: 'hub1' }, new Blob([new Uint8Array(MiB)]))).not.toThrow();
    await expectArgumentError(
      () => buildSendToAllRequest({ hub: 'hub1' }, new Blob([new Uint8Array(MiB + 1)])),
      'message',
      [/1 MiB/],
    );
    expectNothingSent(peer);
  });

  it('checks the bytes of a typed-array view, not of the buffer behind it', () => {
    const big = new Uint8Array(MiB + 10);
    expect(() => buildSendToAllRequest({ hub: 'hub1' }, big.subarray(0, MiB))).not.toThrow();
    expect(() => buildSendToAllRequest({ hub: 'hub1' }, big.subarray(0, MiB + 1))).toThrow(/1 MiB/);
  });
});
