import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import jsonwebtoken from 'jsonwebtoken';
import { WebPubSubRestClient } from '../../lib/index.js';
import { signJwt, verifyJwt, type JwtVerifyOptions } from '../../lib/protocol/jwt.js';
import { useCaptureServer } from '../support/capture-server.js';

/*
 * Interop with jsonwebtoken, the library the official SDK signs with: what we sign verifies there
 * (HS256, the access key string as the secret, the audience the service checks), and what it signs
 * verifies with our verifyJwt, which must also reject every kind of bad token.
 */

const KEY = 'jwt-suite-key+/=';
const OTHER_KEY = 'jwt-suite-secondary-key';
const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const verifyHs256 = (token: string, key: string, audience?: string) =>
  jsonwebtoken.verify(token, key, { algorithms: ['HS256'], ...(audience ? { audience } : {}) }) as Record<
    string,
    unknown
  >;
const headerOf = (token: string) => jsonwebtoken.decode(token, { complete: true })?.header;

describe('tokens we sign verify with jsonwebtoken', () => {
  it.each([
    ['an ASCII key', KEY],
    ['a non-ASCII key (UTF-8 bytes, as-is)', 'ключ-🔑-key'],
    ['a base64-looking key (not decoded)', 'c2VjcmV0'],
  ])('signJwt with %s', (_label, key) => {
    const iat = now();
    const token = signJwt({ aud: 'https://x/api', iat, exp: iat + 60, sub: 'u1' }, key);
    expect(verifyHs256(token, key, 'https://x/api')).toEqual({ aud: 'https://x/api', iat, exp: iat + 60, sub: 'u1' });
    expect(headerOf(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(() => verifyHs256(token, `${key}x`)).toThrow(/invalid signature/);
  });

  it('adds extra header fields, and alg/typ stay HS256/JWT whatever the extra fields say', () => {
    const iat = now();
    const token = signJwt({ aud: 'https://x/api', iat, exp: iat + 60 }, KEY, { kid: 'k1', alg: 'none', typ: 'x' });
    expect(headerOf(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
    expect(verifyHs256(token, KEY, 'https://x/api')).toMatchObject({ aud: 'https://x/api' });
    expect(verifyJwt(token, { keys: [KEY] })).toMatchObject({ ok: true });
  });

  describe('over the wire', () => {
    const peer = useCaptureServer();
    let client: WebPubSubRestClient;
    beforeAll(() => {
      client = new WebPubSubRestClient(peer.server.connectionString(KEY), 'hub1', { retryOptions: { maxRetries: 0 } });
    });

    it.each([
      [
        'sendToAll with query options',
        (c: WebPubSubRestClient) =>
          c.sendToAll({ a: 1 }, { excludedConnections: ['c 1', "c'2"], filter: "userId eq 'ü'", messageTtlSeconds: 5 }),
      ],
      ['a group operation', (c: WebPubSubRestClient) => c.group('room 1').addUser('user@1')],
      ['a HEAD check', (c: WebPubSubRestClient) => c.hasPermission('c1', 'sendToGroup', { targetName: 'g1' })],
    ])(
      'REST call token for %s: audience is the exact URL received, lifetime 1 hour (reference §2a)',
      async (_label, run) => {
        await run(client);
        expect(peer.server.requests).toHaveLength(1);
        const [request] = peer.server.requests.splice(0);
        const token = String(request.headers.authorization).replace(/^Bearer /, '');
        const claims = verifyHs256(token, KEY, peer.server.url + request.url);
        expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
        expect(Math.abs(Number(claims.iat) - now())).toBeLessThan(30);
      },
    );

    it.each([
      [{}, '/client/hubs/hub1', 3600],
      [
        {
          userId: 'u1',
          roles: ['webpubsub.sendToGroup.g1'],
          groups: ['g1'],
          expirationTimeInMinutes: 5,
          clientProtocol: 'mqtt' as const,
        },
        '/clients/mqtt/hubs/hub1',
        300,
      ],
      [{ userId: 'u2', clientProtocol: 'socketio' as const }, '/clients/socketio/hubs/hub1', 3600],
    ])('client access token %j: audience %s over http(s), not ws (reference §2d)', async (options, path, lifetime) => {
      const { token, baseUrl, url } = await client.getClientAccessToken(options);
      const claims = verifyHs256(token, KEY, `${peer.server.url}${path}`);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(lifetime);
      expect(baseUrl).toBe(`${peer.server.url.replace(/^http:/, 'ws:')}${path}`);
      expect(url).toBe(`${baseUrl}?access_token=${token}`);
      // The same claims as the official client signs (both verified by jsonwebtoken).
      const official = new WebPubSubServiceClient(peer.server.connectionString(KEY), 'hub1', {
        allowInsecureConnection: true,
      });
      const theirs = verifyHs256((await official.getClientAccessToken(options)).token, KEY);
      const { iat: _iat, exp: _exp, ...stable } = claims;
      const { iat: _theirIat, exp: _theirExp, ...theirStable } = theirs;
      expect(stable).toEqual(theirStable);
      expect(peer.server.requests).toHaveLength(0);
    });
  });
});

describe('tokens jsonwebtoken signs verify with our verifyJwt', () => {
  const options: JwtVerifyOptions = { keys: [KEY], audience: (aud) => aud === 'https://x/client/hubs/hub1' };
  const sign = (payload: object, key = KEY, extra: jsonwebtoken.SignOptions = {}) =>
    jsonwebtoken.sign(payload, key, {
      algorithm: 'HS256',
      audience: 'https://x/client/hubs/hub1',
      expiresIn: '1h',
      ...extra,
    });

  it('accepts a token with the standard claims and returns them', () => {
    const token = sign({ role: ['webpubsub.joinLeaveGroup'] }, KEY, { subject: 'u1', notBefore: 0 });
    const result = verifyJwt(token, options);
    expect(result).toEqual({ ok: true, claims: jsonwebtoken.decode(token) });
  });

  it('accepts a token signed with either of two keys', () => {
    const both = { ...options, keys: [KEY, OTHER_KEY] };
    expect(verifyJwt(sign({}, KEY), both).ok).toBe(true);
    expect(verifyJwt(sign({}, OTHER_KEY), both).ok).toBe(true);
    expect(verifyJwt(sign({}, 'third-key'), both)).toEqual({ ok: false, reason: 'signature' });
  });

  it('skips the audience check only when no audience test is given', () => {
    expect(verifyJwt(sign({}, KEY, { audience: 'https://elsewhere' }), { keys: [KEY] }).ok).toBe(true);
  });

  it('accepts an expiry within the clock skew', () => {
    const token = jsonwebtoken.sign({ exp: now() - 10 }, KEY, {
      algorithm: 'HS256',
      audience: 'https://x/client/hubs/hub1',
    });
    expect(verifyJwt(token, { ...options, clockSkewSeconds: 60 }).ok).toBe(true);
  });
});

describe('verifyJwt rejects bad tokens', () => {
  const audience = 'https://x/client/hubs/hub1';
  const options: JwtVerifyOptions = { keys: [KEY], audience: (aud) => aud === audience, clockSkewSeconds: 60 };
  const good = () => jsonwebtoken.sign({}, KEY, { algorithm: 'HS256', audience, expiresIn: '1h' });
  /** HS256 over any header and payload, signed by hand (for tokens jsonwebtoken would not make). */
  const handSigned = (header: object, payload: object, key = KEY) => {
    const input = `${b64url(header)}.${b64url(payload)}`;
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  };

  it.each([
    [
      'a wrong key',
      () => jsonwebtoken.sign({}, 'wrong-key', { algorithm: 'HS256', audience, expiresIn: '1h' }),
      'signature',
    ],
    ['alg none', () => jsonwebtoken.sign({ aud: audience, exp: now() + 600 }, '', { algorithm: 'none' }), 'algorithm'],
    [
      'alg none with our key signature appended',
      () => handSigned({ alg: 'none', typ: 'JWT' }, { aud: audience, exp: now() + 600 }),
      'algorithm',
    ],
    [
      'HS512 with the right key',
      () => jsonwebtoken.sign({}, KEY, { algorithm: 'HS512', audience, expiresIn: '1h' }),
      'algorithm',
    ],
    [
      'HS384 with the right key',
      () => jsonwebtoken.sign({}, KEY, { algorithm: 'HS384', audience, expiresIn: '1h' }),
      'algorithm',
    ],
    [
      'expired beyond the skew',
      () => jsonwebtoken.sign({ exp: now() - 120 }, KEY, { algorithm: 'HS256', audience }),
      'expired',
    ],
    ['no exp at all', () => jsonwebtoken.sign({}, KEY, { algorithm: 'HS256', audience }), 'expired'],
    [
      'nbf in the future beyond the skew',
      () => jsonwebtoken.sign({}, KEY, { algorithm: 'HS256', audience, expiresIn: '1h', notBefore: '10m' }),
      'not-yet-valid',
    ],
    [
      'a wrong audience',
      () =>
        jsonwebtoken.sign({}, KEY, { algorithm: 'HS256', audience: 'https://x/client/hubs/other', expiresIn: '1h' }),
      'audience',
    ],
    ['no audience', () => jsonwebtoken.sign({}, KEY, { algorithm: 'HS256', expiresIn: '1h' }), 'audience'],
    [
      'a tampered payload',
      () => {
        const [header, , signature] = good().split('.');
        return `${header}.${b64url({ aud: audience, exp: now() + 600, role: ['webpubsub.sendToGroup'] })}.${signature}`;
      },
      'signature',
    ],
    [
      'a tampered header (typ changed)',
      () => {
        const [, payload, signature] = good().split('.');
        return `${b64url({ alg: 'HS256', typ: 'XWT' })}.${payload}.${signature}`;
      },
      'signature',
    ],
    ['an empty signature', () => `${good().split('.').slice(0, 2).join('.')}.`, 'signature'],
  ])('%s', (_label, make, reason) => {
    const token = make();
    expect(verifyJwt(token, options)).toEqual({ ok: false, reason });
  });

  it.each([
    ['an empty string', ''],
    ['one part', 'abc'],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['a header that is not JSON', `${Buffer.from('not json').toString('base64url')}.${b64url({})}.sig`],
    ['a payload that is not JSON', `${b64url({ alg: 'HS256' })}.${Buffer.from('{oops').toString('base64url')}.sig`],
    ['a payload that is a string', `${b64url({ alg: 'HS256' })}.${b64url('claims')}.sig`],
    ['a payload that is null', `${b64url({ alg: 'HS256' })}.${b64url(null)}.sig`],
    ['not a string at all', 42],
  ])('a malformed token: %s', (_label, token) => {
    expect(verifyJwt(token as string, options)).toEqual({ ok: false, reason: 'malformed' });
  });

  // jsonwebtoken (via jws) compares the signature text, so only the canonical encoding verifies.
  // Node's base64url decoder skips characters outside the alphabet and ignores the unused low bits
  // of the last character, so these differ from the signed text yet decode to the same bytes.
  it.each([
    ['trailing characters outside base64url', (signature: string) => `${signature}!!`],
    [
      'a last character that differs only in its unused bits',
      (signature: string) => signature.slice(0, -1) + sibling(signature.at(-1) as string),
    ],
    ['padding appended', (signature: string) => `${signature}=`],
  ])('a signature in a non-canonical encoding (%s), as jsonwebtoken does', (_label, alter) => {
    const [header, payload, signature] = good().split('.');
    const token = `${header}.${payload}.${alter(signature)}`;
    expect(() => verifyHs256(token, KEY, audience)).toThrow();
    expect(verifyJwt(token, options)).toEqual({ ok: false, reason: 'signature' });
  });
});

/** The base64url character whose top 4 bits match `char`'s: a 32-byte HMAC leaves 2 unused bits. */
function sibling(char: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return alphabet[alphabet.indexOf(char) ^ 1];
}
