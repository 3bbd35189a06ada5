import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import type { WebPubSubRestClient } from '../../lib/index.js';
import type { CapturedRequest, ScriptedResponse } from '../support/capture-server.js';
import { installOtelCapture, spanViews, type OtelCapture, type SpanView } from '../support/otel-capture.js';
import { collect, useConformancePeer } from './conformance-harness.js';

/*
 * OpenTelemetry through `@azure/opentelemetry-instrumentation-azure-sdk`: for the same call against
 * the same peer, the official client and ours must record the same spans — names
 * (`WebPubSubServiceClient.sendToAll`), kinds, status, `az.namespace`, and which span is whose parent
 * (the HTTP span under the operation's span, the operation's span under the caller's).
 */

interface TracingCase {
  name: string;
  run: (client: WebPubSubRestClient) => Promise<unknown>;
  respond?: (request: CapturedRequest) => ScriptedResponse;
  /** The official client's spans, known independently: guards the case itself. */
  expected: SpanView[];
}

const forbidden = (): ScriptedResponse => ({
  status: 403,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ code: 'Forbidden', message: 'Not allowed.' }),
});

const http = (method: string, parent: string, status = 'UNSET'): SpanView => ({
  name: `HTTP ${method}`,
  kind: 'CLIENT',
  status,
  namespace: 'Microsoft.WebPubSub',
  parent,
});
// A success leaves the status UNSET, as OpenTelemetry advises for instrumentation libraries.
const operation = (name: string, status = 'UNSET', parent: string | null = null): SpanView => ({
  name,
  kind: 'INTERNAL',
  status,
  namespace: 'Microsoft.WebPubSub',
  parent,
});

const cases: TracingCase[] = [
  {
    name: 'sendToAll',
    run: (client) => client.sendToAll({ hello: 'world' }),
    expected: [http('POST', 'WebPubSubServiceClient.sendToAll'), operation('WebPubSubServiceClient.sendToAll')],
  },
  {
    name: 'sendToUser (text)',
    run: (client) => client.sendToUser('user1', 'hi', { contentType: 'text/plain' }),
    expected: [http('POST', 'WebPubSubServiceClient.sendToUser'), operation('WebPubSubServiceClient.sendToUser')],
  },
  {
    name: 'group sendToAll',
    run: (client) => client.group('room1').sendToAll('hi', { contentType: 'text/plain' }),
    expected: [http('POST', 'WebPubSubGroupClient.sendToAll'), operation('WebPubSubGroupClient.sendToAll')],
  },
  {
    name: 'group addUser',
    run: (client) => client.group('room1').addUser('user1'),
    expected: [http('PUT', 'WebPubSubGroupClient.addUser'), operation('WebPubSubGroupClient.addUser')],
  },
  {
    name: 'userExists',
    run: (client) => client.userExists('user1'),
    expected: [http('HEAD', 'WebPubSubServiceClient.userExists'), operation('WebPubSubServiceClient.userExists')],
  },
  {
    name: 'closeConnection',
    run: (client) => client.closeConnection('conn1', { reason: 'bye' }),
    expected: [
      http('DELETE', 'WebPubSubServiceClient.closeConnection'),
      operation('WebPubSubServiceClient.closeConnection'),
    ],
  },
  {
    name: 'getClientAccessToken with a key (no HTTP)',
    run: (client) => client.getClientAccessToken({ userId: 'user1' }),
    expected: [operation('WebPubSubServiceClient.getClientAccessToken')],
  },
  {
    // The official span covers making the iterator only; the pages, fetched later, carry its context.
    name: 'listConnections',
    run: async (client) => collect(await client.group('room1').listConnections()),
    expected: [operation('WebPubSubGroupClient.listConnections'), http('GET', 'WebPubSubGroupClient.listConnections')],
  },
  {
    name: 'listConnections iterated inside a caller span',
    run: (client) =>
      trace.getTracer('app').startActiveSpan('caller', async (span) => {
        try {
          return await collect(await client.group('room1').listConnections());
        } finally {
          span.end();
        }
      }),
    expected: [
      operation('WebPubSubGroupClient.listConnections', 'UNSET', 'caller'),
      http('GET', 'WebPubSubGroupClient.listConnections'),
      { name: 'caller', kind: 'INTERNAL', status: 'UNSET', namespace: undefined, parent: null },
    ],
  },
  {
    name: 'a failed call (403)',
    run: (client) => client.sendToAll('hi', { contentType: 'text/plain' }).catch(() => 'rejected'),
    respond: forbidden,
    expected: [
      http('POST', 'WebPubSubServiceClient.sendToAll', 'ERROR'),
      operation('WebPubSubServiceClient.sendToAll', 'ERROR'),
    ],
  },
  {
    name: 'inside a caller span (the operation span is its child)',
    run: (client) =>
      trace.getTracer('app').startActiveSpan('caller', async (span) => {
        try {
          return await client.sendToConnection('conn1', 'hi', { contentType: 'text/plain' });
        } finally {
          span.end();
        }
      }),
    expected: [
      http('POST', 'WebPubSubServiceClient.sendToConnection'),
      operation('WebPubSubServiceClient.sendToConnection', 'UNSET', 'caller'),
      { name: 'caller', kind: 'INTERNAL', status: 'UNSET', namespace: undefined, parent: null },
    ],
  },
  {
    name: 'tracingOptions.tracingContext parents the operation span',
    run: async (client) => {
      const span = trace.getTracer('app').startSpan('explicit');
      await client.removeUserFromAllGroups('user1', {
        tracingOptions: { tracingContext: trace.setSpan(context.active(), span) },
      });
      span.end();
    },
    expected: [
      http('DELETE', 'WebPubSubServiceClient.removeUserFromAllGroups'),
      operation('WebPubSubServiceClient.removeUserFromAllGroups', 'UNSET', 'explicit'),
      { name: 'explicit', kind: 'INTERNAL', status: 'UNSET', namespace: undefined, parent: null },
    ],
  },
];

describe('tracing: the same spans as @azure/web-pubsub', () => {
  const peer = useConformancePeer();
  let otel: OtelCapture;
  beforeAll(() => {
    otel = installOtelCapture();
  });
  afterAll(() => otel.uninstall());

  async function spansOf(client: WebPubSubRestClient, testCase: TracingCase): Promise<SpanView[]> {
    otel.exporter.reset();
    await testCase.run(client);
    return spanViews(otel.spans());
  }

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    peer.respondWith(testCase.respond);
    try {
      const { official, ours } = peer.clients();
      const officialSpans = await spansOf(official, testCase);
      expect(officialSpans).toEqual(testCase.expected);
      expect(await spansOf(ours, testCase)).toEqual(officialSpans);
    } finally {
      peer.respondWith(undefined);
    }
  });

  it('the HTTP span is a child of the operation span in the same trace', async () => {
    otel.exporter.reset();
    await peer.clients().ours.sendToAll('hi', { contentType: 'text/plain' });
    const [httpSpan, operationSpan] = otel.spans();
    expect(httpSpan.spanContext().traceId).toBe(operationSpan.spanContext().traceId);
    expect(httpSpan.parentSpanContext?.spanId).toBe(operationSpan.spanContext().spanId);
  });
});
