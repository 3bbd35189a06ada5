import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { signJwt, nowInSeconds } from '../../lib/protocol/jwt.js';

/*
 * Requests whose path goes on the wire exactly as written. fetch and `ws` parse the URL first, and
 * WHATWG URL parsing removes dot segments (`..`, `%2e%2e`), so the server would never see them.
 */

export interface RawPathAnswer {
  status: number;
  body: string;
}

/** A REST call with the path as written and a token signed for it (aud = endpoint + path). */
export function rawPathCall(
  endpoint: string,
  key: string,
  method: string,
  path: string,
  body?: string,
): Promise<RawPathAnswer> {
  const token = signJwt({ aud: `${endpoint}${path}`, iat: nowInSeconds(), exp: nowInSeconds() + 3600 }, key);
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const request = http.request(`${endpoint}/`, { method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The headers of a WebSocket upgrade asking for the JSON subprotocol, with a fresh key. */
export function upgradeHeaders(): Record<string, string> {
  return {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    'sec-websocket-protocol': 'json.webpubsub.azure.v1',
  };
}

/**
 * A WebSocket upgrade request with the path as written: resolves with the HTTP status of the answer
 * (101 when accepted; the socket is then closed), rejects when the server hangs up without one.
 */
export function rawUpgradeStatus(endpoint: string, path: string, timeoutMs = 3000): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${endpoint}/`, {
      path,
      headers: upgradeHeaders(),
      timeout: timeoutMs,
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on('timeout', () => {
      request.destroy();
      reject(new Error(`No answer to the upgrade of ${path} within ${timeoutMs} ms`));
    });
    request.on('error', (error) => reject(new Error(`The upgrade of ${path} got no answer: ${error.message}`)));
    request.end();
  });
}
