import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HS256 JSON Web Tokens, as Web PubSub uses them: the access key string (UTF-8, not base64-decoded)
 * is the HMAC secret. Written on node:crypto rather than a JWT library: HS256 takes a few lines and
 * the package gains no dependency. The client signs a REST-call token per request URL (`aud` is the
 * URL) and reuses it for up to five minutes (`RestTokenCache` in client/auth.policies.ts), and a
 * client access token per `getClientAccessToken` call; the emulator verifies both kinds.
 */
export interface JwtClaims {
  aud?: string;
  sub?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
  [claim: string]: unknown;
}

/** The header fields every token carries; extra header fields may add to them, never change them. */
export const JWT_FIXED_HEADER = { alg: 'HS256', typ: 'JWT' } as const;

const HEADER = base64Url(JSON.stringify(JWT_FIXED_HEADER));

/**
 * Signs `claims`. `extraHeader` adds header fields (e.g. `kid`, as the Python SDK's `jwt_headers`);
 * `alg` and `typ` always stay HS256/JWT, whatever it holds, since the signature is HS256.
 */
export function signJwt(claims: JwtClaims, key: string, extraHeader?: Readonly<Record<string, unknown>>): string {
  const header =
    extraHeader && Object.keys(extraHeader).length > 0
      ? base64Url(JSON.stringify({ ...extraHeader, ...JWT_FIXED_HEADER }))
      : HEADER;
  const signingInput = `${header}.${base64Url(JSON.stringify(claims))}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

/** Seconds since the epoch, as JWT `iat`/`exp` use. */
export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export type JwtVerifyFailure = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid' | 'audience';

export type JwtVerifyResult = { ok: true; claims: JwtClaims } | { ok: false; reason: JwtVerifyFailure };

export interface JwtVerifyOptions {
  /** Keys to try (primary and secondary); the token is valid if any of them signed it. */
  keys: readonly string[];
  /** Accept the token when this returns true for its `aud` claim. Omit to skip the check. */
  audience?: (aud: unknown) => boolean;
  /** Require an `exp` claim (Web PubSub does). */
  requireExpiry?: boolean;
  clockSkewSeconds?: number;
}

/** Verifies an HS256 token with a constant-time signature compare. Never throws. */
export function verifyJwt(token: string, options: JwtVerifyOptions): JwtVerifyResult {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  let header: { alg?: unknown };
  let claims: JwtClaims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'malformed' };
  if (header?.alg !== 'HS256') return { ok: false, reason: 'algorithm' };
  // Compare the signature as text: decoding base64url would skip stray characters and ignore the
  // last character's unused bits, so an altered token could still pass.
  const given = Buffer.from(parts[2], 'utf8');
  const signingInput = `${parts[0]}.${parts[1]}`;
  const signed = options.keys.some((key) => {
    const expected = Buffer.from(createHmac('sha256', key).update(signingInput).digest('base64url'), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return { ok: false, reason: 'signature' };
  const now = nowInSeconds();
  const skew = options.clockSkewSeconds ?? 300;
  if (typeof claims.exp !== 'number') {
    if (options.requireExpiry ?? true) return { ok: false, reason: 'expired' };
  } else if (claims.exp + skew < now) {
    return { ok: false, reason: 'expired' };
  }
  if (typeof claims.nbf === 'number' && claims.nbf - skew > now) return { ok: false, reason: 'not-yet-valid' };
  if (options.audience && !options.audience(claims.aud)) return { ok: false, reason: 'audience' };
  return { ok: true, claims };
}

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
