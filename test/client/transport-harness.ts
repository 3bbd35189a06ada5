import http from 'node:http';
import { afterEach, expect } from '@jest/globals';
import { WebPubSubServiceClient, type WebPubSubServiceClientOptions } from '@azure/web-pubsub';
import jsonwebtoken, { type JwtPayload } from 'jsonwebtoken';
import { WebPubSubRestClient, type WebPubSubRestClientOptions } from '../../lib/index.js';
import {
  startCaptureServer,
  type CaptureServer,
  type CaptureServerOptions,
  type CapturedRequest,
  type ScriptedResponse,
} from '../support/capture-server.js';
import { closeServer, listenOnLoopback } from '../support/loopback-server.js';

/**
 * Shared pieces of the transport suites: both clients built the same way against a loopback
 * capture server, scripted answers, and checks of the signed Authorization header.
 */

/** A made-up key for loopback peers only. */
export const ACCESS_KEY = 'transport-suite-key-not-a-secret';

/** Small retry delays keep the retry tests fast without changing which attempts happen. */
export const FAST_RETRIES = { retryDelayInMs: 1, maxRetryDelayInMs: 10 };

/** Answers the n-th request with the n-th response (the last one repeats). */
export function inSequence(...responses: ScriptedResponse[]): (request: CapturedRequest) => ScriptedResponse {
  let served = 0;
  return () => responses[Math.min(served++, responses.length - 1)];
}

type Closable = { close(): Promise<void> };

/**
 * For a spec file: `serve` starts a capture server and `track` takes any other server; each is
 * closed after the test that started it.
 */
export function useServers(): {
  serve(
    respond?: (request: CapturedRequest) => ScriptedResponse,
    options?: CaptureServerOptions,
  ): Promise<CaptureServer>;
  track<T extends Closable>(server: T): T;
} {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  const track = <T extends Closable>(server: T): T => (open.push(server), server);
  return { track, serve: async (respond, options) => track(await startCaptureServer(respond, options)) };
}

/** Anything with a connection string: a capture server or a hanging server. */
export type Peer = Pick<CaptureServer, 'connectionString'>;

export function ourClient(server: Peer, options: WebPubSubRestClientOptions = {}, hub = 'hub1'): WebPubSubRestClient {
  return new WebPubSubRestClient(server.connectionString(ACCESS_KEY), hub, {
    ...options,
    retryOptions: { ...FAST_RETRIES, ...options.retryOptions },
  });
}

/** The official client; it needs `allowInsecureConnection` for plain-http loopback (ours allows loopback http). */
export function officialClient(
  server: Peer,
  options: WebPubSubServiceClientOptions = {},
  hub = 'hub1',
): WebPubSubServiceClient {
  return new WebPubSubServiceClient(server.connectionString(ACCESS_KEY), hub, {
    allowInsecureConnection: true,
    ...options,
    retryOptions: { ...FAST_RETRIES, ...options.retryOptions },
  });
}

/**
 * Reference §2a: `Authorization: Bearer <HS256 JWT>` signed with the access key, unexpired, whose
 * `aud` is the exact URL requested (`audienceOrigin` + path + query as received).
 */
export function expectSignedFor(request: CapturedRequest, audienceOrigin: string): JwtPayload {
  const authorization = String(request.headers.authorization);
  expect(authorization).toMatch(/^Bearer /);
  const claims = jsonwebtoken.verify(authorization.slice('Bearer '.length), ACCESS_KEY, {
    algorithms: ['HS256'],
    audience: audienceOrigin + request.url,
  }) as JwtPayload;
  expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
  return claims;
}

export interface HangingServer {
  url: string;
  connectionString(accessKey?: string): string;
  /** Resolves when the first request has fully arrived (it is never answered). */
  firstRequest: Promise<void>;
  close(): Promise<void>;
}

/** A loopback server that accepts requests and never answers them. */
export async function startHangingServer(): Promise<HangingServer> {
  let arrived: () => void = () => undefined;
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const server = http.createServer((req) => {
    req.resume();
    req.on('end', () => arrived());
  });
  const url = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  return {
    url,
    firstRequest,
    connectionString: (accessKey = ACCESS_KEY) => `Endpoint=${url};AccessKey=${accessKey};Version=1.0;`,
    close: () => closeServer(server),
  };
}
