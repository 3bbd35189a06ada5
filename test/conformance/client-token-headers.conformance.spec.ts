import { describe, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import jsonwebtoken from 'jsonwebtoken';
import { AzureKeyCredential, WebPubSubArgumentError, WebPubSubRestClient } from '../../lib/index.js';
import { StubTokenCredential } from '../support/stub-token-credential.js';
import { TEST_ACCESS_KEY, useConformancePeer } from './conformance-harness.js';

/*
 * `jwtHeaders` of getClientAccessToken. The official JS SDK (@azure/web-pubsub 1.2.0) has no such
 * option, so the oracle is the Python SDK's documented behaviour: `get_client_access_token(...,
 * jwt_headers=...)` passes them to PyJWT's `jwt.encode(payload, key, algorithm="HS256",
 * headers=jwt_headers)`, whose header is `{"alg": "HS256", "typ": "JWT"}` plus the given fields
 * (reference §2d; PyJWT docs). The claims are the JS SDK's, so they are compared with its token.
 * Overriding `alg` or `typ` would make a token the service cannot verify: we refuse it before signing.
 */

const endpoint = 'https://demo.webpubsub.azure.com';
const verifyComplete = (token: string) =>
  jsonwebtoken.verify(token, TEST_ACCESS_KEY, { algorithms: ['HS256'], complete: true });
const ours = () => new WebPubSubRestClient(endpoint, new AzureKeyCredential(TEST_ACCESS_KEY), 'hub1');
const official = () => new WebPubSubServiceClient(endpoint, new AzureKeyCredential(TEST_ACCESS_KEY), 'hub1');

describe("getClientAccessToken jwtHeaders (the Python SDK's jwt_headers)", () => {
  it('adds kid (and other fields) to the header, leaves alg/typ and the claims as the official client signs them', async () => {
    const request = { userId: 'u1', roles: ['webpubsub.joinLeaveGroup'], groups: ['g1'] };
    const mine = verifyComplete(
      (await ours().getClientAccessToken({ ...request, jwtHeaders: { kid: 'key-2025', 'x-tenant': 't1' } })).token,
    );
    const theirs = verifyComplete((await official().getClientAccessToken(request)).token);
    expect(mine.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'key-2025', 'x-tenant': 't1' });
    expect(theirs.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const strip = ({ iat, exp, ...claims }: jsonwebtoken.JwtPayload) => ({
      claims,
      lifetime: Number(exp) - Number(iat),
    });
    expect(strip(mine.payload as jsonwebtoken.JwtPayload)).toEqual(strip(theirs.payload as jsonwebtoken.JwtPayload));
  });

  it('signs the header it shows: changing kid afterwards breaks the signature', async () => {
    const { token } = await ours().getClientAccessToken({ jwtHeaders: { kid: 'a' } });
    const [, payload, signature] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'b' })).toString('base64url')}.${payload}.${signature}`;
    expect(() => verifyComplete(forged)).toThrow(/invalid signature/);
  });

  it('gives the plain header for an empty jwtHeaders object', async () => {
    const { token } = await ours().getClientAccessToken({ jwtHeaders: {} });
    expect(verifyComplete(token).header).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('accepts alg/typ given with the values they have anyway', async () => {
    const { token } = await ours().getClientAccessToken({ jwtHeaders: { alg: 'HS256', typ: 'JWT', kid: 'k' } });
    expect(verifyComplete(token).header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k' });
  });

  it.each([
    ['alg', { alg: 'none' }],
    ['alg', { alg: 'RS256', kid: 'k' }],
    ['typ', { typ: 'at+jwt' }],
  ])('refuses to change %s, naming the field and the fix', async (field, jwtHeaders) => {
    const failure = await ours()
      .getClientAccessToken({ jwtHeaders })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WebPubSubArgumentError);
    expect(failure).toMatchObject({ argument: `jwtHeaders.${field}` });
    expect((failure as Error).message).toMatch(
      new RegExp(`^jwtHeaders\\.${field} cannot be changed: .*Remove ${field} from jwtHeaders\\.$`),
    );
  });

  it.each([
    ['a string', 'kid=1'],
    ['null', null],
    ['an array', [['kid', '1']]],
  ])('refuses %s as jwtHeaders', async (_label, jwtHeaders) => {
    const failure = await ours()
      .getClientAccessToken({ jwtHeaders: jwtHeaders as never })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'WebPubSubArgumentError', argument: 'jwtHeaders' });
    expect((failure as Error).message).toMatch(/Pass an object, or leave it out\.$/);
  });

  describe('with a TokenCredential (the service signs the token)', () => {
    const peer = useConformancePeer();

    it('refuses jwtHeaders before any request, since they could not be applied', async () => {
      const client = new WebPubSubRestClient(peer.url, new StubTokenCredential(), 'hub1');
      const failure = await client.getClientAccessToken({ jwtHeaders: { kid: 'k' } }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ name: 'WebPubSubArgumentError', argument: 'jwtHeaders' });
      expect((failure as Error).message).toMatch(
        /Remove jwtHeaders, or create the client with a connection string or AzureKeyCredential\.$/,
      );
      expect(peer.server.requests).toHaveLength(0);
    });
  });
});
