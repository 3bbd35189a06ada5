import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { AzureKeyCredential, WebPubSubRestClient } from '../../lib/index.js';
import { useCaptureServer } from '../support/capture-server.js';

/*
 * REST calls reuse a URL's token for a few minutes instead of signing one per request (a benchmark
 * finding). What must still hold: each token names its own URL and has most of its hour left, and a
 * rotated key (credential.update) is used from the next request on.
 */
const KEY = 'first-key-0123456789abcdefghijklmnopqrstuvwxyzABCD';
const ROTATED = 'second-key-0123456789abcdefghijklmnopqrstuvwxyzAB';

function tokenOf(authorization: string | undefined): string {
  return authorization!.replace(/^Bearer /, '');
}

/** Independent of lib: is `token` HS256-signed with `key`? And its claims. */
function inspect(token: string, key: string): { signedWith: boolean; aud: string; lifetimeLeft: number } {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud: string; exp: number };
  return {
    signedWith: createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url') === signature,
    aud: claims.aud,
    lifetimeLeft: claims.exp - Date.now() / 1000,
  };
}

describe('REST call tokens', () => {
  const peer = useCaptureServer();

  it('reuses a URL’s token, gives another URL its own, and follows a key rotation at once', async () => {
    const credential = new AzureKeyCredential(KEY);
    const client = new WebPubSubRestClient(peer.server.url, credential, 'chat');
    await client.sendToAll({ n: 1 });
    await client.sendToAll({ n: 2 });
    await client.sendToUser('alice', { n: 3 });
    credential.update(ROTATED);
    await client.sendToAll({ n: 4 });

    const [first, second, toAlice, afterRotation] = peer.server.requests
      .slice(-4)
      .map((request) => ({ url: request.url, token: tokenOf(request.headers.authorization) }));
    expect(second.token).toBe(first.token);
    expect(toAlice.token).not.toBe(first.token);
    for (const { url, token } of [first, toAlice]) {
      expect(inspect(token, KEY)).toEqual({
        signedWith: true,
        aud: `${peer.server.url}${url}`,
        lifetimeLeft: expect.any(Number),
      });
      expect(inspect(token, KEY).lifetimeLeft).toBeGreaterThan(3300);
    }
    expect(inspect(afterRotation.token, ROTATED)).toMatchObject({
      signedWith: true,
      aud: `${peer.server.url}${afterRotation.url}`,
    });
    expect(inspect(afterRotation.token, KEY).signedWith).toBe(false);
  });
});
