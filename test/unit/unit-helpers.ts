import { beforeAll, beforeEach, expect } from '@jest/globals';
import { createHttpHeaders, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { WebPubSubArgumentError, WebPubSubRestClient } from '../../lib/index.js';
import { useCaptureServer, type CaptureServer } from '../support/capture-server.js';
import { failureOf } from '../support/failure-of.js';
import { StubTokenCredential } from '../support/stub-token-credential.js';

/*
 * Shared pieces of the unit suites: a loopback peer that must stay silent when input is bad, a
 * client pointed at it, and one way to assert an argument error.
 */

/** A made-up key for the loopback peer; distinctive so that a leak of it is easy to spot. */
export const UNIT_KEY = 'unit-suite-key-Zq7wXv3N+/pad==';

/** Whatever a call does: throw synchronously, reject, or return. */
export type Attempt = () => unknown;

/**
 * Asserts the attempt fails with WebPubSubArgumentError naming `argument`, and that the message
 * matches every pattern (the problem, then the fix).
 */
export async function expectArgumentError(
  attempt: Attempt,
  argument: string,
  says: readonly RegExp[],
): Promise<WebPubSubArgumentError> {
  const error = await failureOf(attempt);
  expect(error).toBeInstanceOf(WebPubSubArgumentError);
  const argumentError = error as WebPubSubArgumentError;
  expect(argumentError.name).toBe('WebPubSubArgumentError');
  expect(argumentError.argument).toBe(argument);
  for (const pattern of says) expect(argumentError.message).toMatch(pattern);
  return argumentError;
}

/**
 * An HttpClient that records what reaches it and answers `:generateToken` with a token. Only for
 * TokenCredential clients: core-rest-pipeline's bearer policy refuses any non-https URL, so they
 * cannot talk to the plain-http loopback peer.
 */
export function recordingHttpClient(calls: PipelineRequest[]): HttpClient {
  return {
    sendRequest: async (request) => {
      calls.push(request);
      return {
        request,
        status: 200,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        bodyAsText: JSON.stringify({ token: 'token-from-service' }),
      };
    },
  };
}

export interface SilentPeer {
  server: CaptureServer;
  /** Our client for hub `hub1` on the peer, signing with UNIT_KEY, no retries. */
  client: WebPubSubRestClient;
  /** Our client for hub `hub1` with a TokenCredential, on https with a recording HttpClient. */
  entraClient: WebPubSubRestClient;
  /** What reached entraClient's HttpClient. */
  entraCalls: PipelineRequest[];
}

/** Asserts that neither the loopback peer nor the recording HttpClient saw a request. */
export function expectNothingSent(peer: SilentPeer): void {
  expect(peer.server.requests).toHaveLength(0);
  expect(peer.entraCalls).toHaveLength(0);
}

/**
 * A capture server for the enclosing describe block (its log cleared before each test) and clients
 * pointed at it, so a test can assert that nothing reached the network.
 */
export function useLoopbackPeer(): SilentPeer {
  const captured = useCaptureServer();
  const peer = { entraCalls: [] as PipelineRequest[] } as SilentPeer;
  beforeAll(() => {
    peer.server = captured.server;
    peer.client = new WebPubSubRestClient(peer.server.connectionString(UNIT_KEY), 'hub1', {
      retryOptions: { maxRetries: 0 },
    });
    peer.entraClient = new WebPubSubRestClient('https://unit.webpubsub.azure.com', new StubTokenCredential(), 'hub1', {
      retryOptions: { maxRetries: 0 },
      httpClient: recordingHttpClient(peer.entraCalls),
    });
  });
  beforeEach(() => {
    peer.entraCalls.length = 0;
  });
  return peer;
}
