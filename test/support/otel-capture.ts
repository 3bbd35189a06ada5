import * as coreTracing from '@azure/core-tracing';
import { AzureSdkInstrumentation } from '@azure/opentelemetry-instrumentation-azure-sdk';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** OpenTelemetry with an in-memory exporter, and the Azure SDK instrumentation feeding it. */
export interface OtelCapture {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  spans(): ReadableSpan[];
  uninstall(): Promise<void>;
}

/**
 * Registers a tracer provider (in-memory exporter), an AsyncLocalStorage context manager, and
 * `@azure/opentelemetry-instrumentation-azure-sdk`. Jest loads modules through its own loader, which
 * the instrumentation's require/import hook never sees, so its patch of `@azure/core-tracing` (which
 * installs its OpenTelemetry instrumenter) is applied here by hand, to the module both SDKs import.
 */
export function installOtelCapture(): OtelCapture {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const instrumentation = new AzureSdkInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(provider);
  for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(coreTracing as never);
  return {
    exporter,
    provider,
    spans: () => exporter.getFinishedSpans(),
    async uninstall() {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

/** One span as two SDKs must agree on it: name, kind, status, namespace, and its parent's name. */
export interface SpanView {
  name: string;
  kind: string;
  status: string;
  namespace: unknown;
  parent: string | null;
}

/** The spans in finishing order, each with its parent's name (`(outside)` for a parent not among them). */
export function spanViews(spans: ReadableSpan[]): SpanView[] {
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  return spans.map((span) => {
    const parentId = span.parentSpanContext?.spanId;
    return {
      name: span.name,
      kind: SpanKind[span.kind],
      status: SpanStatusCode[span.status.code],
      namespace: span.attributes['az.namespace'],
      parent: parentId === undefined ? null : (byId.get(parentId)?.name ?? '(outside)'),
    };
  });
}
