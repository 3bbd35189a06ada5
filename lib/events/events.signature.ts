import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks `ce-signature` (`sha256=<hex>[,sha256=<hex>]`, one per service key) against our keys:
 * valid when any listed signature is HMAC-SHA256(key, connectionId) for any of the keys. Compared in
 * constant time, so a forger learns nothing from response timing.
 */
export function isValidSignature(header: string | undefined, connectionId: string, keys: readonly string[]): boolean {
  if (!header) return false;
  const given = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.toLowerCase().startsWith('sha256='))
    .map((part) => Buffer.from(part.slice('sha256='.length).toLowerCase(), 'utf8'));
  return keys.some((key) => {
    const expected = Buffer.from(createHmac('sha256', key).update(connectionId).digest('hex'), 'utf8');
    return given.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
  });
}
