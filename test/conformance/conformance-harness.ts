import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import jsonwebtoken from 'jsonwebtoken';
import {
  WebPubSubRestClient,
  type AzureKeyCredential,
  type TokenCredential,
  type WebPubSubRestClientOptions,
} from '../../lib/index.js';
import {
  defaultResponse,
  startCaptureServer,
  type CaptureServer,
  type CaptureServerTls,
  type CapturedRequest,
  type ScriptedResponse,
} from '../support/capture-server.js';

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
  /**
   * What the official client must return, known independently (from the reference docs or the
   * peer's scripted answer). Guards the case itself: two clients agreeing on the wrong thing fail.
   */
  expected?: unknown;
  /**
   * Our result where we deliberately differ from the official client (documented in the README):
   * e.g. an error's `code` taken from `x-ms-error-code` when the answer has no body.
   */
  oursExpected?: unknown;
}

export interface ClientPair {
  official: WebPubSubRestClient;
  ours: WebPubSubRestClient;
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
  server!: CaptureServer;
  /** The peer's certificate when it serves https; both clients trust it and nothing else. */
  private ca?: string;

  async start(options: { tls?: CaptureServerTls } = {}): Promise<this> {
    this.server = await startCaptureServer((request) => this.responder(request), { tls: options.tls });
    this.ca = options.tls?.cert;
    return this;
  }

  get url(): string {
    return this.server.url;
  }

  respondWith(responder: ((request: CapturedRequest) => ScriptedResponse) | undefined): void {
    this.responder = responder ?? defaultResponse;
  }

  /** Both clients from one connection string, as a user would create them. */
  clients(hub = 'hub1', connectionString = this.server.connectionString(TEST_ACCESS_KEY)): ClientPair {
    // The official client refuses plain http unless told; ours allows loopback http by itself.
    const official = new WebPubSubServiceClient(connectionString, hub, {
      allowInsecureConnection: true,
      ...this.commonOptions(),
    });
    const ours = new WebPubSubRestClient(
      connectionString,
      hub,
      this.commonOptions() satisfies WebPubSubRestClientOptions,
    );
    return { official: asSharedApi(official), ours };
  }

  /**
   * Both clients from `(endpoint, credential, hub)`. Each gets its own credential from `credential()`,
   * so what one client asks of its credential can be compared with what the other asks.
   */
  credentialClients(
    credential: () => AzureKeyCredential | TokenCredential,
    hub = 'hub1',
    endpoint = this.url,
  ): ClientPair {
    const official = new WebPubSubServiceClient(endpoint, credential(), hub, {
      allowInsecureConnection: true,
      ...this.commonOptions(),
    });
    const ours = new WebPubSubRestClient(endpoint, credential(), hub, this.commonOptions());
    return { official: asSharedApi(official), ours };
  }

  /** No retries (one request per attempt is what is compared) and, over https, trust in the peer's certificate. */
  private commonOptions(): WebPubSubRestClientOptions {
    return { retryOptions: { maxRetries: 0 }, ...(this.ca ? { tlsOptions: { ca: this.ca } } : {}) };
  }

  /** Runs one operation and returns its result and the requests it caused. */
  async capture(client: WebPubSubRestClient, run: Operation): Promise<CaseRun> {
    const start = this.server.requests.length;
    const result = await run(client);
    return { result, requests: this.server.requests.slice(start) };
  }

  /** Runs a case on the official client, then on ours, with the case's responder. */
  async runCase(
    testCase: ConformanceCase,
    clients: (hub?: string) => ClientPair = (hub) => this.clients(hub),
  ): Promise<{ official: CaseRun; ours: CaseRun }> {
    this.respondWith(testCase.respond);
    try {
      const { official, ours } = clients(testCase.hub);
      return { official: await this.capture(official, testCase.run), ours: await this.capture(ours, testCase.run) };
    } finally {
      this.respondWith(undefined);
    }
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** A ConformancePeer for the enclosing describe block (`options()` is read when it starts, before the first test). */
export function useConformancePeer(options: () => { tls?: CaptureServerTls } = () => ({})): ConformancePeer {
  const peer = new ConformancePeer();
  beforeAll(() => peer.start(options()));
  afterAll(() => peer.server?.close());
  return peer;
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
export function verifiedTokenView(
  token: string,
  key = TEST_ACCESS_KEY,
): TokenView & { claims: Record<string, unknown> } {
  const claims = jsonwebtoken.verify(token, key, { algorithms: ['HS256'] }) as Record<string, unknown>;
  return {
    aud: claims.aud,
    lifetime: Number(claims.exp) - Number(claims.iat),
    claimNames: Object.keys(claims).sort(),
    claims,
  };
}

export function bearerToken(headers: Record<string, string | string[] | undefined>): string {
  const header = headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null;
  if (!match) throw new Error('request carried no "Authorization: Bearer" header');
  return match[1];
}

/**
 * For an operation expected to fail: its rejection reduced to what callers branch on
 * (`statusCode`, `code`). Resolving is itself a failure of the case, so "both resolved" never passes.
 */
export function rejection(run: Operation): Operation {
  return async (client) => {
    try {
      await run(client);
    } catch (error) {
      const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
      return { statusCode, code };
    }
    throw new Error('the operation resolved, but the peer answered with an error');
  };
}

/** How requests authenticate: a JWT signed with the test key, or a bearer token from a TokenCredential. */
export type AuthKind = 'key' | 'bearer';

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
  /** For key auth, the verified token's audience, lifetime and claim names; for bearer auth, the token as sent. */
  token: TokenView | { bearer: string };
}

export interface WireViewOptions {
  /** Default `key`. */
  auth?: AuthKind;
  /**
   * Compare the token audience with its query as a multiset. For requests that follow a service
   * `nextLink`, whose query order is the service's choice; each audience is still checked to be
   * its own request's exact URL.
   */
  anyQueryOrder?: boolean;
}

/** What two requests must agree on to be "the same request". */
export function wireView(request: CapturedRequest, options: WireViewOptions = {}): WireView {
  const { auth = 'key', anyQueryOrder = false } = options;
  return {
    method: request.method,
    path: request.path,
    query: request.query.map(([name, value]) => `${name}=${value}`).sort(),
    contentType: request.headers['content-type'],
    accept: request.headers.accept,
    body: request.body.toString('latin1'),
    token: auth === 'bearer' ? { bearer: bearerToken(request.headers) } : keyTokenView(request, anyQueryOrder),
  };
}

function keyTokenView(request: CapturedRequest, anyQueryOrder: boolean): TokenView {
  const { aud, lifetime, claimNames } = verifiedTokenView(bearerToken(request.headers));
  return { aud: anyQueryOrder && typeof aud === 'string' ? withSortedQuery(aud) : aud, lifetime, claimNames };
}

function withSortedQuery(url: string): string {
  const [base, query = ''] = url.split('?');
  return `${base}?${query.split('&').sort().join('&')}`;
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
 * audience and lifetime) and return the same result (and, when the case says, the expected one). Each token's audience must also be the exact
 * URL the peer received, which is what the service checks.
 */
export function conformanceTable(cases: ConformanceCase[], options: Pick<WireViewOptions, 'anyQueryOrder'> = {}): void {
  const names = cases.map((testCase) => testCase.name);
  const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
  if (duplicates.length > 0) throw new Error(`duplicate conformance case names: ${duplicates.join(', ')}`);

  const peer = useConformancePeer();

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const { official, ours } = await peer.runCase(testCase);
    expect(official.requests.length).toBeGreaterThan(0);
    expect(ours.requests.map((request) => wireView(request, options))).toEqual(
      official.requests.map((request) => wireView(request, options)),
    );
    expect(ours.result).toEqual('oursExpected' in testCase ? testCase.oursExpected : official.result);
    if ('expected' in testCase) expect(official.result).toEqual(testCase.expected);
    for (const request of [...official.requests, ...ours.requests]) {
      expect(verifiedTokenView(bearerToken(request.headers)).aud).toBe(peer.url + request.url);
    }
  });
}
