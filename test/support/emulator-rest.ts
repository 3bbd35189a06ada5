import { signJwt, nowInSeconds } from '../../lib/protocol/jwt.js';
import type { WebPubSubEmulator } from '../../lib/emulator/index.js';

/*
 * REST calls to the emulator over plain fetch, for inputs a client would refuse to build: the
 * status, headers and body exactly as the emulator answered.
 */

/** The emulator's access key, read back from its connection string. */
export function accessKeyOf(emulator: WebPubSubEmulator): string {
  return /AccessKey=([^;]+)/.exec(emulator.connectionString)![1];
}

/** A REST JWT as the SDKs sign it (aud = full request URL), with overrides for the 401 cases. */
export function restToken(key: string, url: string, claims: Record<string, unknown> = {}): string {
  return signJwt({ aud: url, iat: nowInSeconds(), exp: nowInSeconds() + 3600, ...claims }, key);
}

/** A raw REST call with a valid token unless `authorization` is given (`null`: no header at all). */
export async function rawCall(
  emulator: WebPubSubEmulator,
  method: string,
  pathAndQuery: string,
  init: { body?: string | Buffer; contentType?: string; authorization?: string | null } = {},
): Promise<{ status: number; headers: Headers; text: string; json?: { code?: string; message?: string } }> {
  const url = `${emulator.endpoint}${pathAndQuery}`;
  const headers: Record<string, string> = {};
  if (init.authorization !== null)
    headers.authorization = init.authorization ?? `Bearer ${restToken(accessKeyOf(emulator), url)}`;
  if (init.contentType) headers['content-type'] = init.contentType;
  const response = await fetch(url, { method, headers, body: init.body });
  const text = await response.text();
  let json: { code?: string; message?: string } | undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
