import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import jsonwebtoken from 'jsonwebtoken';
import { WebPubSubRestClient, type WebPubSubRestClientOptions } from '../../lib/index.js';
import { defaultResponse, startCaptureServer, type CaptureServer, type CapturedRequest, type ScriptedResponse } from '../support/capture-server.js';

/**
 * Shared machinery of the conformance suites: the official `@azure/web-pubsub` client and ours talk
 * to the same real loopback server, and what each put on the wire is reduced to a comparable view.
 */

/** A made-up key for the loopback peer only; it signs tokens nobody else ever checks. */
export const TEST_ACCESS_KEY = 'conformance-suite-key-not-a-secret';

/** One operation, written against our client's API and run unchanged on the official client too. */
export type Operation = (client: WebPubSubRestClient) => Promise<unknown>;

export interface ConformanceCase {
  name: string;
  run: Operation;
  /** Hub the clients are created for (default `hub1`). */
  hub?: string;
  /** How the peer answers during this case (default: each operation's success status). */
  respond?: (request: CapturedRequest) => ScriptedResponse;
}

export interface CaseRun {
  result: unknown;
  requests: CapturedRequest[];
}

/** The official client, typed as ours: the rows are written once, against the shared API. */
export function asSharedApi(client: WebPubSubServiceClient): WebPubSubRestClient {
  return client as unknown as WebPubSubRestClient;
}

/**
 * A capture server both clients talk to, with a responder that each case may swap.
 */
export class ConformancePeer {
  private responder: (request: CapturedRequest) => ScriptedResponse = defaultResponse;

  private constructor(readonly server: CaptureServer) {}

  static async start(): Promise<ConformancePeer> {
    let peer: ConformancePeer | undefined = undefined;
    const server = await startCaptureServer((request) => (peer as ConformancePeer).responder(request));
    peer = new ConformancePeer(server);
    return peer;
  }

  get url(): string {
    return this.server.url;
  }

  respondWith(responder: ((request: CapturedRequest) => ScriptedResponse) | undefined): void {
    this.responder = responder ?? defaultResponse;
  }

  /** Both clients from one connection string, as a user would create them. */
  clients(hub = 'hub1', connectionString = this.server.connectionString(TEST_ACCESS_KEY)): { official: WebPubSubRestClient; ours: WebPubSubRestClient } {
    // The official client refuses plain http unless told; ours allows loopback http by itself.
    const official = new WebPubSubServiceClient(connectionString, hub, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
    const ours = new WebPubSubRestClient(connectionString, hub, { retryOptions: { maxRetries: 0 } } satisfies WebPubSubRestClientOptions);
    return { official: asSharedApi(official), ours };
  }

  /** Runs one operation and returns its result and the requests it caused. */
  async capture(client: WebPubSubRestClient, run: Operation): Promise<CaseRun> {
    const start = this.server.requests.length;
    const result = await run(client);
    return { result, requests: this.server.requests.slice(start) };
  }

  /** Runs a case on the official client, then on ours, with the case's responder. */
  async runCase(testCase: ConformanceCase): Promise<{ official: CaseRun; ours: CaseRun }> {
    this.respondWith(testCase.respond);
    try {
      const { official, ours } = this.clients(testCase.hub);
      return { official: await this.capture(official, testCase.run), ours: await this.capture(ours, testCase.run) };
    } finally {
      this.respondWith(undefined);
    }
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

export interface TokenView {
  aud: unknown;
  /** `exp - iat` in seconds. */
  lifetime: number;
  /** The claim names, sorted (what each client chose to put in the token). */
  claimNames: string[];
}

/**
 * Verifies an HS256 token with the test key (so a wrong signature fails the test) and returns the
 * parts both clients must agree on.
 */
export function verifiedTokenView(token: string, key = TEST_ACCESS_KEY): TokenView & { claims: Record<string, unknown> } {
  const claims = jsonwebtoken.verify(token, key, { algorithms: ['HS256'] }) as Record<string, unknown>;
  return { aud: claims.aud, lifetime: Number(claims.exp) - Number(claims.iat), claimNames: Object.keys(claims).sort(), claims };
}

export function bearerToken(headers: Record<string, string | string[] | undefined>): string {
  const header = headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null;
  if (!match) throw new Error('request carried no "Authorization: Bearer" header');
  return match[1];
}

export interface WireView {
  method: string;
  /** Exact path bytes as sent (still percent-encoded). */
  path: string;
  /** Decoded query pairs, sorted: compared as a multiset. */
  query: string[];
  contentType: string | undefined;
  accept: string | undefined;
  /** Body bytes, one char per byte (latin1 is a bijection), so equality is byte equality. */
  body: string;
  token: TokenView;
}

/** What two requests must agree on to be "the same request". */
export function wireView(request: CapturedRequest): WireView {
  const { aud, lifetime, claimNames } = verifiedTokenView(bearerToken(request.headers));
  return {
    method: request.method,
    path: request.path,
    query: request.query.map(([name, value]) => `${name}=${value}`).sort(),
    contentType: request.headers['content-type'],
    accept: request.headers.accept,
    body: request.body.toString('latin1'),
    token: { aud, lifetime, claimNames },
  };
}

/** Collects every item of a paged listing. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/**
 * Declares one test per case: both clients run it against the same peer and must put the same
 * requests on the wire (method, exact path, query multiset, content type, accept, body bytes, token
 * audience and lifetime) and return the same result. Each token's audience must also be the exact
 * URL the peer received, which is what the service checks.
 */
export function conformanceTable(cases: ConformanceCase[]): void {
  const names = cases.map((testCase) => testCase.name);
  const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
  if (duplicates.length > 0) throw new Error(`duplicate conformance case names: ${duplicates.join(', ')}`);

  let peer: ConformancePeer;
  beforeAll(async () => {
    peer = await ConformancePeer.start();
  });
  afterAll(() => peer.close());

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const { official, ours } = await peer.runCase(testCase);
    expect(official.requests.length).toBeGreaterThan(0);
    expect(ours.requests.map(wireView)).toEqual(official.requests.map(wireView));
    expect(ours.result).toEqual(official.result);
    for (const request of [...official.requests, ...ours.requests]) {
      expect(verifiedTokenView(bearerToken(request.headers)).aud).toBe(peer.url + request.url);
    }
  });
}
