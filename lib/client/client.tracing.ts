import {
  createTracingClient,
  type TracingClient,
  type TracingContext,
  type TracingSpan,
  type TracingSpanLink,
} from '@azure/core-tracing';
import type { OperationOptions } from './client.options.js';
import { SDK_NAME, SDK_VERSION } from './version.js';

/** The namespace of the official client's spans (`az.namespace`), so tools group ours with theirs. */
export const TRACING_NAMESPACE = 'Microsoft.WebPubSub';

/**
 * The package's core-tracing client, one for every transport: it holds only the namespace and package
 * and looks the instrumenter up at each call.
 */
const tracing: TracingClient = createTracingClient({
  namespace: TRACING_NAMESPACE,
  packageName: SDK_NAME,
  packageVersion: SDK_VERSION,
});

/**
 * Runs an operation in a span named as the official client names it (`WebPubSubServiceClient.sendToAll`),
 * passing the options with the span's context on, so the pipeline's HTTP span nests under it.
 * `tracingOptions.spanLinks` become the span's links.
 */
export function withOperationSpan<O extends OperationOptions, T>(
  name: string,
  options: O | undefined,
  run: (options: O) => Promise<T>,
): Promise<T> {
  // No instrumenter registered: skip the no-op span and its contexts (a measurable share of a call
  // that never leaves the process, see the tracing bench). core-tracing has no public "is tracing
  // on?"; its no-op instrumenter is the one that reads no traceparent, and asking it costs nothing.
  if (tracing.parseTraceparentHeader(PROBE_TRACEPARENT) === undefined) return callSafely(run, options ?? ({} as O));
  const spanLinks = options?.tracingOptions?.spanLinks;
  const { span, updatedOptions } = tracing.startSpan(name, options ?? {}, spanLinks ? { spanLinks } : undefined);
  const traced = updatedOptions as O;
  // No tracer registered (or the span sampled out): the call still carries the span's context, so the
  // HTTP span decides as it would under it, but skips making it the active context and setting a status.
  if (!span.isRecording()) {
    span.end();
    return callSafely(run, traced);
  }
  return inSpan(span, traced, run);
}

/** A valid W3C traceparent (sampled), only ever parsed, never sent. */
const PROBE_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A bad argument found while building the request rejects, as with a span (and as the official client). */
function callSafely<O, T>(run: (options: O) => Promise<T>, options: O): Promise<T> {
  try {
    return run(options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** As core-tracing's `withSpan`: the span is the active context while `run` runs, and gets its status. */
async function inSpan<O extends OperationOptions, T>(
  span: TracingSpan,
  options: O,
  run: (options: O) => Promise<T>,
): Promise<T> {
  try {
    const result = await tracing.withContext(options.tracingOptions!.tracingContext!, () => run(options));
    span.setStatus({ status: 'success' });
    return result;
  } catch (error) {
    span.setStatus({ status: 'error', error: error as Error });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The context of the span active now (e.g. the HTTP request a Nest handler serves), to parent or link
 * later work to; undefined when there is none or no instrumenter is registered.
 */
export function captureActiveTracingContext(): TracingContext | undefined {
  const { traceparent } = tracing.createRequestHeaders();
  return traceparent ? tracing.parseTraceparentHeader(traceparent) : undefined;
}

/**
 * Tracing options for work done for a request but outside it (background delivery): a root span,
 * linked to the request's span rather than its child.
 */
export function linkedTracingOptions(link: TracingContext): {
  tracingContext: TracingContext;
  spanLinks: TracingSpanLink[];
} {
  return { tracingContext: EMPTY_CONTEXT, spanLinks: [{ tracingContext: link }] };
}

/** An immutable core-tracing TracingContext (as OpenTelemetry's Context); empty, it holds no span, so a span started in it is a root. */
class MapTracingContext implements TracingContext {
  constructor(private readonly values = new Map<symbol, unknown>()) {}

  getValue(key: symbol): unknown {
    return this.values.get(key);
  }

  setValue(key: symbol, value: unknown): TracingContext {
    return new MapTracingContext(new Map(this.values).set(key, value));
  }

  deleteValue(key: symbol): TracingContext {
    const values = new Map(this.values);
    values.delete(key);
    return new MapTracingContext(values);
  }
}

const EMPTY_CONTEXT: TracingContext = new MapTracingContext();
