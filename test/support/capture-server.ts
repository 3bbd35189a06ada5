import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { closeServer, listenOnLoopback } from './loopback-server.js';
import type { LoopbackCertificate } from './self-signed-certificate.js';

/** One request as it arrived on the wire. */
export interface CapturedRequest {
  method: string;
  /** Raw request target: path plus query, exactly as sent. */
  url: string;
  path: string;
  /** Decoded query pairs in arrival order (`+` is not treated as a space). */
  query: Array<[string, string]>;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Destroy the socket instead of answering (a dropped connection). */
  drop?: boolean;
}

/** PEM key and certificate for serving HTTPS (e.g. `loopbackCertificate()`). */
export type CaptureServerTls = LoopbackCertificate;

export interface CaptureServerOptions {
  /** Serve HTTPS with this key pair instead of plain HTTP (bearer tokens are only sent over TLS). */
  tls?: CaptureServerTls;
}

export interface CaptureServer {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`) */
  url: string;
  port: number;
  /** A connection string for this server with the given key. */
  connectionString(accessKey?: string): string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback that records every request and answers with `respond` (by default
 * the status a Web PubSub operation answers on success). Used as the peer that both our client and
 * the official SDK talk to, so their requests can be compared byte for byte.
 */
export async function startCaptureServer(
  respond: (request: CapturedRequest) => ScriptedResponse = defaultResponse,
  options: CaptureServerOptions = {},
): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const questionMark = url.indexOf('?');
      const captured: CapturedRequest = {
        method: req.method ?? 'GET',
        url,
        path: questionMark < 0 ? url : url.slice(0, questionMark),
        query: questionMark < 0 ? [] : decodeQuery(url.slice(questionMark + 1)),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(captured);
      const answer = respond(captured);
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    });
  };
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  const port = await listenOnLoopback(server);
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url,
    port,
    requests,
    connectionString: (accessKey = 'capture-server-test-key') => `Endpoint=${url};AccessKey=${accessKey};Version=1.0;`,
    close: () => closeServer(server),
  };
}

/**
 * A capture server for the enclosing describe block (or file): started before it, its request log
 * emptied before each test (so a test sees only its own requests), closed after it.
 */
export function useCaptureServer(
  respond?: (request: CapturedRequest) => ScriptedResponse,
  options: CaptureServerOptions = {},
): { readonly server: CaptureServer } {
  let server: CaptureServer | undefined;
  beforeAll(async () => {
    server = await startCaptureServer(respond, options);
  });
  beforeEach(() => {
    if (server) server.requests.length = 0;
  });
  afterAll(() => server?.close());
  return {
    get server(): CaptureServer {
      if (!server) throw new Error('The capture server starts in beforeAll: use it inside a hook or a test.');
      return server;
    },
  };
}

/** Success statuses of the REST operations (202 for sends, 204 for removes/closes, 200 otherwise). */
export function defaultResponse(request: CapturedRequest): ScriptedResponse {
  if (request.path.endsWith('/:send')) return { status: 202 };
  if (request.path.endsWith('/:generateToken')) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ token: 'token-from-service' }),
    };
  }
  if (request.method === 'GET') {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ connectionId: 'c1', userId: 'u1' }] }),
    };
  }
  if (request.method === 'DELETE' || request.path.endsWith('/:closeConnections')) return { status: 204 };
  return { status: 200 };
}

function decodeQuery(search: string): Array<[string, string]> {
  return search
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const separator = part.indexOf('=');
      const name = separator < 0 ? part : part.slice(0, separator);
      const value = separator < 0 ? '' : part.slice(separator + 1);
      return [decodeURIComponent(name), decodeURIComponent(value)];
    });
}

/** Decodes a JWT's claims without verifying it (for comparing what two clients signed). */
export function decodeJwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** The service's 400 for an invalid value, in its ProblemDetails-like shape (from a real-service recording). */
export function invalidValueAnswer(target: string, value: string): ScriptedResponse {
  const message = `The value '${value}' is not valid.`;
  return {
    status: 400,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-error-code': 'Error.BadRequest' },
    body: JSON.stringify({
      code: 'Error.BadRequest',
      message,
      target,
      errors: { [target]: [message] },
      type: null,
      title: 'One or more validation errors occurred.',
      status: 400,
      detail: null,
      instance: null,
      extensions: {},
    }),
  };
}
