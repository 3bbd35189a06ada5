import { describe, expect, it } from '@jest/globals';
import { clientPath, clientTokenClaims } from '../../lib/protocol/client-token.js';
import { formatQuery, parseQuery } from '../../lib/protocol/query.js';
import { upstreamEventSource, upstreamEventType } from '../../lib/protocol/upstream-event.js';
import { isValidSignature, signatureHeader } from '../../lib/protocol/upstream-signature.js';
import { signatureHex } from '../support/upstream-events.js';

/*
 * The protocol rules the client, the emulator and the event handler share, checked directly where no
 * other suite pins them down: query strings, client-token claims, both halves of ce-signature, and
 * the CloudEvents names of upstream events. Expected values are written out or computed with
 * node:crypto, not with the code under test.
 */

describe('query strings', () => {
  it('formats like the official SDK: encodeURIComponent plus %27 for a quote', () => {
    expect(
      formatQuery([
        ['api-version', '2024-12-01'],
        ['filter', "userId eq 'a b'"],
        ['x+y', '1+1&2=3'],
      ]),
    ).toBe('?api-version=2024-12-01&filter=userId%20eq%20%27a%20b%27&x%2By=1%2B1%262%3D3');
    expect(formatQuery([])).toBe('');
  });

  it('parses with or without "?", keeps "+" and repeated names, skips empty parts', () => {
    expect(parseQuery('?a=1&&b=x+y&c&b=2&e=%E2%98%83')).toEqual([
      ['a', '1'],
      ['b', 'x+y'],
      ['c', ''],
      ['b', '2'],
      ['e', '☃'],
    ]);
    expect(parseQuery('a=1')).toEqual([['a', '1']]);
    expect(parseQuery('')).toEqual([]);
  });

  it('keeps a part with malformed percent-encoding as sent instead of throwing', () => {
    expect(parseQuery('continuationToken=%zz&ok=%41')).toEqual([
      ['continuationToken', '%zz'],
      ['ok', 'A'],
    ]);
  });

  it('round-trips values that need encoding', () => {
    const pairs: Array<[string, string]> = [
      ['continuationToken', "a+b/c=d&e'f%g ☃"],
      ['excluded', ''],
      ['excluded', 'c 2'],
    ];
    expect(parseQuery(formatQuery(pairs))).toEqual(pairs);
  });
});

describe('client access token claims', () => {
  const endpoint = 'https://demo.webpubsub.azure.com';

  it.each([
    [undefined, '/client/hubs/chat'],
    ['default', '/client/hubs/chat'],
    ['mqtt', '/clients/mqtt/hubs/chat'],
    ['socketio', '/clients/socketio/hubs/chat'],
  ] as const)('%s protocol: the audience is the endpoint plus %s', (protocol, path) => {
    expect(clientPath('chat', protocol)).toBe(path);
    expect(clientTokenClaims({ endpoint, hub: 'chat', protocol }).aud).toBe(`${endpoint}${path}`);
  });

  it('lives 60 minutes by default, or as long as asked', () => {
    const before = Math.floor(Date.now() / 1000);
    const claims = clientTokenClaims({ endpoint, hub: 'chat' });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    const short = clientTokenClaims({ endpoint, hub: 'chat', expirationTimeInMinutes: 5 });
    expect(Number(short.exp) - Number(short.iat)).toBe(300);
  });

  it('carries sub, role and webpubsub.group only when given (an empty list counts, an empty userId does not)', () => {
    expect(Object.keys(clientTokenClaims({ endpoint, hub: 'chat' })).sort()).toEqual(['aud', 'exp', 'iat']);
    const claims = clientTokenClaims({
      endpoint,
      hub: 'chat',
      userId: 'u1',
      roles: ['webpubsub.joinLeaveGroup'],
      groups: ['g1', 'g 2'],
    });
    expect(claims).toMatchObject({ sub: 'u1', role: ['webpubsub.joinLeaveGroup'], 'webpubsub.group': ['g1', 'g 2'] });
    const empty = clientTokenClaims({ endpoint, hub: 'chat', userId: '', roles: [], groups: [] });
    expect(empty).not.toHaveProperty('sub');
    expect(empty).toMatchObject({ role: [], 'webpubsub.group': [] });
  });
});

describe('ce-signature', () => {
  const [primary, secondary, other] = ['primary-key', 'secondary-key', 'other-key'];

  it('signs each key as sha256=<HMAC-SHA256(key, connectionId) hex>, comma-joined', () => {
    expect(signatureHeader([primary, secondary], 'conn1')).toBe(
      `sha256=${signatureHex(primary, 'conn1')},sha256=${signatureHex(secondary, 'conn1')}`,
    );
  });

  it('verifies what it signs, with either key alone', () => {
    const header = signatureHeader([primary, secondary], 'conn1');
    expect(isValidSignature(header, 'conn1', [primary])).toBe(true);
    expect(isValidSignature(header, 'conn1', [secondary])).toBe(true);
    expect(isValidSignature(signatureHeader([secondary], 'conn1'), 'conn1', [primary, secondary])).toBe(true);
  });

  it('accepts upper-case hex, spaces after commas and unknown entries beside a valid one', () => {
    expect(isValidSignature(`sha256=${signatureHex(primary, 'conn1').toUpperCase()}`, 'conn1', [primary])).toBe(true);
    expect(isValidSignature(`md5=abc, sha256=${signatureHex(primary, 'conn1')}`, 'conn1', [primary])).toBe(true);
  });

  it.each([
    ['another key', () => signatureHeader([other], 'conn1')],
    ['another connection', () => signatureHeader([primary], 'conn2')],
    ['a truncated signature', () => `sha256=${signatureHex(primary, 'conn1').slice(0, -2)}`],
    ['the hex without sha256=', () => signatureHex(primary, 'conn1')],
    ['an empty header', () => ''],
    ['no header', () => undefined],
  ])('refuses %s', (_label, header) => {
    expect(isValidSignature(header(), 'conn1', [primary, secondary])).toBe(false);
  });
});

describe('upstream event names', () => {
  it('types system and user events as the service does', () => {
    expect(upstreamEventType('system', 'connect')).toBe('azure.webpubsub.sys.connect');
    expect(upstreamEventType('system', 'disconnected')).toBe('azure.webpubsub.sys.disconnected');
    expect(upstreamEventType('user', 'message')).toBe('azure.webpubsub.user.message');
    expect(upstreamEventType('group', 'joined')).toBe('azure.webpubsub.gp.joined');
    expect(upstreamEventType('group', 'left')).toBe('azure.webpubsub.gp.left');
  });

  it('names the connection as the source', () => {
    expect(upstreamEventSource('chat', 'conn1')).toBe('/hubs/chat/client/conn1');
  });
});
