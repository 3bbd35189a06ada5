import { beforeAll, describe, expect, it } from '@jest/globals';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import jsonwebtoken from 'jsonwebtoken';
import { AzureKeyCredential, WebPubSubRestClient, WebPubSubRestError } from '../../lib/index.js';
import { startCaptureServer, type CaptureServer, type CapturedRequest } from '../support/capture-server.js';
import { loopbackCertificate, type LoopbackCertificate } from '../support/self-signed-certificate.js';
import { settle, type Outcome } from '../support/settle.js';
import { StubTokenCredential } from '../support/stub-token-credential.js';
import {
  header,
  loadRecording,
  recordedRequestBytes,
  recordedResponse,
  recordingFiles,
  splitUri,
  type RecordedEntry,
} from './recording-files.js';
import { planCalls, type ReplayCall } from './recording-mapper.js';

/**
 * Replays the real service's recorded answers (test/fixtures/recordings) to our client over a
 * loopback HTTPS server: our requests must be the recorded ones, and our client must turn the
 * recorded responses into the right results. One test per call and credential, per recording file.
 */

const ACCESS_KEY = 'replay-suite-key-not-a-secret';
/** Reference §2b: the data-plane scope a TokenCredential is asked for. */
const ENTRA_SCOPE = 'https://webpubsub.azure.com/.default';

type Mode = 'key' | 'entra';

let certificate: LoopbackCertificate;
beforeAll(() => {
  certificate = loopbackCertificate();
});

/** A loopback server answering each request with the call's next recorded response. */
async function replayServer(entries: RecordedEntry[]): Promise<CaptureServer> {
  let origin = '';
  let served = 0;
  const server = await startCaptureServer(
    () => {
      const entry = entries[served++];
      return entry ? recordedResponse(entry, origin) : { status: 599, body: 'more requests than the recording has' };
    },
    { tls: certificate },
  );
  origin = server.url;
  return server;
}

const sortedPairs = (pairs: Array<[string, string]>) => pairs.map((pair) => JSON.stringify(pair)).sort();

function expectRecordedRequest(
  actual: CapturedRequest,
  entry: RecordedEntry,
  extraQuery: Array<[string, string]>,
): void {
  const recorded = splitUri(entry.RequestUri);
  expect(actual.method).toBe(entry.RequestMethod);
  expect(actual.path).toBe(recorded.path);
  expect(sortedPairs(actual.query)).toEqual(sortedPairs([...recorded.query, ...extraQuery]));
  expect(actual.headers['content-type']).toBe(header(entry.RequestHeaders, 'content-type'));
  // Accept differs between the SDK versions that made the recordings; every one of them accepts JSON.
  expect(header(entry.RequestHeaders, 'accept')).toContain('application/json');
  expect(actual.headers.accept).toContain('application/json');
  expect(actual.body.equals(recordedRequestBytes(entry))).toBe(true);
}

function expectAuthorized(actual: CapturedRequest, mode: Mode, origin: string, credential: StubTokenCredential): void {
  const authorization = String(actual.headers.authorization);
  if (mode === 'entra') {
    expect(authorization).toBe(`Bearer ${credential.token}`);
    expect(credential.requestedScopes.every((scopes) => scopes.length === 1 && scopes[0] === ENTRA_SCOPE)).toBe(true);
    return;
  }
  // Reference §2a: an HS256 JWT signed with the key whose audience is the exact URL requested.
  const claims = jsonwebtoken.verify(authorization.replace(/^Bearer /, ''), ACCESS_KEY, {
    algorithms: ['HS256'],
    audience: origin + actual.url,
  });
  expect(typeof claims === 'object' && typeof claims.exp === 'number' && claims.exp > Date.now() / 1000).toBe(true);
}

/** The recorded failure mapped to our error: status, the service code and the service's message. */
function expectRecordedFailure(outcome: Outcome, entry: RecordedEntry): void {
  expect(outcome.ok).toBe(false);
  const error = (outcome as { error: WebPubSubRestError }).error;
  const body = (typeof entry.ResponseBody === 'object' && entry.ResponseBody !== null ? entry.ResponseBody : {}) as {
    code?: string;
    message?: string;
  };
  expect(error.status).toBe(entry.StatusCode);
  expect(error.code).toBe(body.code ?? header(entry.ResponseHeaders, 'x-ms-error-code'));
  if (body.message) expect(error.message).toContain(body.message);
  expect(error).toBeInstanceOf(WebPubSubRestError);
}

function client(
  mode: Mode,
  server: CaptureServer,
  call: ReplayCall,
  credential: StubTokenCredential,
): WebPubSubRestClient {
  const options = {
    apiVersion: call.apiVersion,
    tlsOptions: { ca: certificate.cert },
    retryOptions: { maxRetries: 0 },
  };
  return mode === 'entra'
    ? new WebPubSubRestClient(server.url, credential, call.hub, options)
    : new WebPubSubRestClient(server.url, new AzureKeyCredential(ACCESS_KEY), call.hub, options);
}

async function replay(call: ReplayCall, mode: Mode): Promise<void> {
  const server = await replayServer(call.entries);
  try {
    const credential = new StubTokenCredential();
    const outcome = await settle(call.invoke(client(mode, server, call, credential)));
    expect(server.requests).toHaveLength(call.entries.length);
    server.requests.forEach((request, i) => {
      expectRecordedRequest(request, call.entries[i], call.sdkDefaults);
      expectAuthorized(request, mode, server.url, credential);
    });
    if (call.succeeds) {
      if (!outcome.ok) throw outcome.error;
      expect(outcome.value).toEqual(call.expectedResult(server.url));
    } else {
      expectRecordedFailure(outcome, call.entries[call.entries.length - 1]);
    }
  } finally {
    await server.close();
  }
}

/** What the official 1.2.0 client sends for the same call, to ground the defaults we expect beyond the recording. */
async function officialRequests(call: ReplayCall): Promise<CapturedRequest[]> {
  const server = await replayServer(call.entries);
  try {
    const official = new WebPubSubServiceClient(server.url, new StubTokenCredential(), call.hub, {
      tlsOptions: { ca: certificate.cert },
      retryOptions: { maxRetries: 0 },
    });
    await settle(call.invoke(official as unknown as WebPubSubRestClient));
    return server.requests;
  } finally {
    await server.close();
  }
}

describe('real-service recordings replayed against WebPubSubRestClient', () => {
  const files = recordingFiles();

  it('finds the recordings in test/fixtures/recordings', () => {
    expect(files).toHaveLength(4);
  });

  it('refuses recorded requests it has no mapping for, rather than skipping them', () => {
    const unmapped = {
      ...loadRecording(files[0]).entries[0],
      RequestMethod: 'PATCH',
      RequestUri: 'https://endpoint/api/hubs/h/anything?api-version=2024-12-01',
    };
    expect(() => planCalls([unmapped])).toThrow(/No replay mapping for recorded PATCH/);
    const unknownOption = {
      ...unmapped,
      RequestMethod: 'POST',
      RequestUri: 'https://endpoint/api/hubs/h/:send?api-version=2024-12-01&shout=1',
    };
    expect(() => planCalls([unknownOption])).toThrow(/"shout"/);
  });

  for (const file of files) {
    describe(file, () => {
      const entries = loadRecording(file).entries;
      let calls: ReplayCall[] = [];
      let planError: unknown;
      try {
        calls = planCalls(entries);
      } catch (error) {
        planError = error;
      }

      it('maps every recorded entry to a call of our client', () => {
        if (planError) throw planError;
        expect(calls.reduce((count, call) => count + call.entries.length, 0)).toBe(entries.length);
      });

      for (const call of calls) {
        // A key client signs client tokens locally, so :generateToken replays only with a TokenCredential.
        const modes: Mode[] = call.needsTokenCredential ? ['entra'] : ['key', 'entra'];
        for (const mode of modes) {
          it(`${call.title} [${mode === 'key' ? 'access key' : 'TokenCredential'}]`, () => replay(call, mode));
        }
        if (call.sdkDefaults.length > 0) {
          it(`${call.title}: the official 1.2.0 client sends the same query, defaults included`, async () => {
            const [request] = await officialRequests(call);
            const withoutVersion = (pairs: Array<[string, string]>) =>
              sortedPairs(pairs.filter(([name]) => name !== 'api-version'));
            expect(withoutVersion(request.query)).toEqual(
              withoutVersion([...splitUri(call.entries[0].RequestUri).query, ...call.sdkDefaults]),
            );
          });
        }
      }
    });
  }
});
