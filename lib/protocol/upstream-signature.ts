import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * `ce-signature` on upstream events: `sha256=<hex>` per access key, comma-separated, where <hex> is
 * HMAC-SHA256(key, connectionId). The service (here: the emulator) signs; the app's event handler
 * verifies. Both halves live here so they cannot drift apart.
 */

const PREFIX = 'sha256=';

function hexSignature(key: string, connectionId: string): string {
  return createHmac('sha256', key).update(connectionId).digest('hex');
}

/** The header value for an event about `connectionId`, one signature per key. */
export function signatureHeader(keys: readonly string[], connectionId: string): string {
  return keys.map((key) => `${PREFIX}${hexSignature(key, connectionId)}`).join(',');
}

/**
 * Valid when any listed signature matches any of our keys (either key may have signed while the
 * other is being rotated). Compared in constant time, so a forger learns nothing from response timing.
 */
export function isValidSignature(header: string | undefined, connectionId: string, keys: readonly string[]): boolean {
  if (!header) return false;
  const given = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.toLowerCase().startsWith(PREFIX))
    .map((part) => Buffer.from(part.slice(PREFIX.length).toLowerCase(), 'utf8'));
  return keys.some((key) => {
    const expected = Buffer.from(hexSignature(key, connectionId), 'utf8');
    return given.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
  });
}
