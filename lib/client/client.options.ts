import type { OperationTracingOptions, TracingSpanLink } from '@azure/core-tracing';
import type {
  HttpClient,
  LogPolicyOptions,
  PipelineOptions,
  PipelinePolicy,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import type {
  BroadcastSendOptions,
  CloseOptions,
  FilteredSendOptions,
  ListConnectionsOptions,
  PermissionOptions,
  SendOptions,
} from './request-builders.js';

/**
 * Options of `WebPubSubRestClient`: the official client's options (`reverseProxyEndpoint`,
 * `retryOptions`, `userAgentOptions`, `httpClient`, `additionalPolicies`, …) plus `apiVersion`, which
 * the official client ignores and we honour.
 */
export interface WebPubSubRestClientOptions extends PipelineOptions {
  /** Send requests through this host (e.g. API Management); tokens still name the service. */
  reverseProxyEndpoint?: string;
  /** Defaults to `2024-12-01`. */
  apiVersion?: string;
  /** Replace the HTTP client (tests, custom agents). */
  httpClient?: HttpClient;
  /** Extra pipeline policies: `perCall` runs once per operation, `perRetry` once per attempt. */
  additionalPolicies?: Array<{ policy: PipelinePolicy; position: 'perCall' | 'perRetry' }>;
  /**
   * Allow plain `http://` to a host that is not loopback. Loopback `http://` endpoints (a local
   * emulator) are always allowed.
   */
  allowInsecureConnection?: boolean;
  /**
   * Milliseconds each attempt of a REST call may take (connecting, headers and body) before it is
   * abandoned with a RestError of code `REQUEST_TIMEOUT`, which is not retried. Default 30000; 0: no
   * timeout. `requestOptions.timeout` overrides it for one call.
   */
  timeoutInMs?: number;
  /** Options of core-rest-pipeline's log policy (which headers and query names may be logged). */
  loggingOptions?: LogPolicyOptions;
}

/**
 * The final response of an operation, as core-client's `FullOperationResponse` has it: the pipeline
 * response plus its body parsed as JSON (when it is JSON).
 */
export interface FullOperationResponse extends PipelineResponse {
  parsedHeaders?: Record<string, unknown>;
  parsedBody?: unknown;
}

/**
 * core-client's `RawResponseCallback`: called once per operation with the final response, for an
 * error answer too (then with the error the operation throws).
 */
export type RawResponseCallback = (rawResponse: FullOperationResponse, flatResponse: unknown, error?: unknown) => void;

/** core-client's `OperationRequestOptions`, as far as a REST call of this client uses them. */
export interface OperationRequestOptions {
  /** Milliseconds before an attempt is abandoned (0: no timeout); overrides the client's `timeoutInMs`. */
  timeout?: number;
  /** Headers added to this call's request (they replace a header of the same name). */
  customHeaders?: Record<string, string>;
  /**
   * Accepted as core-client's and passed on to the request, but the client settles plain `http://`
   * when it is built (loopback allowed, another host only with the client's `allowInsecureConnection`),
   * so it only matters to a policy of yours that rewrites the URL; a call's `false` withdraws nothing.
   */
  allowInsecureConnection?: boolean;
}

/**
 * core-tracing's `OperationTracingOptions`: `tracingContext` parents the operation's span (by default,
 * the active context). `spanLinks` (ours) links it to other spans, e.g. the request a background send answers.
 */
export interface WebPubSubTracingOptions extends OperationTracingOptions {
  spanLinks?: TracingSpanLink[];
}

/** Options every operation accepts (core-client's `OperationOptions`). */
export interface OperationOptions {
  abortSignal?: AbortSignal;
  requestOptions?: OperationRequestOptions;
  /** Tracing of this call (OpenTelemetry through `@azure/opentelemetry-instrumentation-azure-sdk`). */
  tracingOptions?: WebPubSubTracingOptions;
  /**
   * Called with the final response: `rawResponse` (status, headers, `parsedBody`), the flattened
   * body as the official client gives it, and for an answer the operation rejects, the error it throws.
   */
  onResponse?: RawResponseCallback;
}

// The official SDK's option names, so code written for @azure/web-pubsub compiles unchanged.
export type HubSendToAllOptions = Omit<BroadcastSendOptions, 'contentType'> & OperationOptions;
export type HubSendTextToAllOptions = HubSendToAllOptions & { contentType: 'text/plain' };
export type HubSendToUserOptions = Omit<FilteredSendOptions, 'contentType'> & OperationOptions;
export type HubSendTextToUserOptions = HubSendToUserOptions & { contentType: 'text/plain' };
export type HubSendToConnectionOptions = Omit<SendOptions, 'contentType'> & OperationOptions;
export type HubSendTextToConnectionOptions = HubSendToConnectionOptions & { contentType: 'text/plain' };
/** Any send's options with an explicit content type (`application/json`, `text/plain` or `application/octet-stream`). */
export type SendWithContentTypeOptions = BroadcastSendOptions & OperationOptions;
export type HubCloseConnectionOptions = Pick<CloseOptions, 'reason'> & OperationOptions;
export type HubCloseAllConnectionsOptions = CloseOptions & OperationOptions;
export type HubCloseUserConnectionsOptions = CloseOptions & OperationOptions;
export type HubGrantPermissionOptions = PermissionOptions & OperationOptions;
export type HubRevokePermissionOptions = HubGrantPermissionOptions;
export type HubHasPermissionOptions = HubGrantPermissionOptions;
export type { GenerateClientTokenOptions } from './client-access-token.js';
export type GroupSendToAllOptions = HubSendToAllOptions;
export type GroupSendTextToAllOptions = HubSendTextToAllOptions;
export type GroupCloseAllConnectionsOptions = HubCloseAllConnectionsOptions;
export type GroupListConnectionsOptions = ListConnectionsOptions & OperationOptions;

/** A member of a group, as ListConnectionsInGroup returns it. */
export interface WebPubSubGroupMember {
  connectionId: string;
  userId?: string;
}
