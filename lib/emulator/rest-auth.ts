import type { IncomingMessage } from 'node:http';
import { verifyJwt, type JwtVerifyFailure } from '../protocol/jwt.js';
import { safeDecode } from '../protocol/query.js';

const FAILURE_TEXT: Record<JwtVerifyFailure, string> = {
  malformed: 'malformed',
  algorithm: 'not signed with HS256',
  signature: 'signed with a different key',
  expired: 'expired or has no exp claim',
  'not-yet-valid': 'not valid yet',
  audience: 'for a different audience',
};

/**
 * Checks a REST call's `Authorization: Bearer <jwt>` as the service does: HS256 with one of the
 * access keys, `exp` required, and `aud` equal (ignoring case) to the request URL with or without
 * its query string, encoded or decoded. The URL may name the host the request came to or the
 * emulator's own endpoint (as behind a reverse proxy, where the SDK signs for the service's URL).
 * Returns the failure as text, or undefined when valid.
 */
export function checkRestToken(
  request: IncomingMessage,
  keys: readonly string[],
  endpoint: string,
): string | undefined {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return 'missing';
  const urls = [`http://${request.headers.host}${request.url}`, `${endpoint.replace(/\/$/, '')}${request.url}`];
  const accepted = new Set(
    urls.flatMap((absolute) => {
      const withoutQuery = absolute.split('?')[0];
      return [absolute, withoutQuery, safeDecode(absolute), safeDecode(withoutQuery)].map((url) => url.toLowerCase());
    }),
  );
  const result = verifyJwt(match[1].trim(), {
    keys,
    audience: (aud) => typeof aud === 'string' && accepted.has(aud.toLowerCase()),
  });
  return result.ok ? undefined : FAILURE_TEXT[result.reason];
}

export function failureText(reason: JwtVerifyFailure): string {
  return FAILURE_TEXT[reason];
}
