import { AzureKeyCredential, isTokenCredential, type TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { keyCredentialPolicy, reverseProxyPolicy } from './auth.policies.js';
import { WebPubSubArgumentError, WebPubSubRestError } from './client.errors.js';
import { clientLogger } from './client.logger.js';
import { ClientMessages } from './client.messages.js';
import type { OperationOptions, WebPubSubRestClientOptions } from './client.options.js';
import { normalizeEndpoint } from './connection-string.js';
import { assertApiVersion } from './request-context.js';
import { notifyResponse } from './response-callback.js';
import { withOperationSpan } from './client.tracing.js';
import { attemptTimeoutPolicy, DEFAULT_TIMEOUT_IN_MS } from './timeout.policy.js';
import { assertOptionalInteger, MAX_INT32 } from './validation.js';
import { SDK_NAME, SDK_VERSION } from './version.js';
import { DEFAULT_API_VERSION, formatQuery, type WebPubSubRequest } from './web-pubsub-request.js';

/** The Entra ID scope of the data plane. */
export const WEB_PUBSUB_SCOPE = 'https://webpubsub.azure.com/.default';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * What every client of one service shares: endpoint, credential and pipeline. Hub clients
 * (`client.hub(name)`) and group clients reuse one transport, so they share connections and retries.
 */
export class WebPubSubTransport {
  readonly pipeline: Pipeline;
  readonly apiVersion: string;
  /** Per-attempt timeout of every call (0: none), unless a call's `requestOptions.timeout` says otherwise. */
  readonly timeoutInMs: number;
  private readonly httpClient: HttpClient;
  private readonly allowInsecureConnection: boolean;

  constructor(
    /** Service URL without a trailing slash. */
    readonly endpoint: string,
    readonly credential: AzureKeyCredential | TokenCredential,
    options: WebPubSubRestClientOptions = {},
  ) {
    if (!isTokenCredential(credential) && !(typeof (credential as AzureKeyCredential)?.key === 'string')) {
      throw new WebPubSubArgumentError('credential', ClientMessages.credentialInvalid());
    }
    if (!isTokenCredential(credential) && credential.key.trim() === '') {
      throw new WebPubSubArgumentError('credential', ClientMessages.accessKeyEmpty());
    }
    const proxyEndpoint =
      options.reverseProxyEndpoint === undefined
        ? undefined
        : normalizeEndpoint(options.reverseProxyEndpoint, 'reverseProxyEndpoint');
    for (const [argument, url] of [
      ['endpoint', endpoint],
      ['reverseProxyEndpoint', proxyEndpoint],
    ] as const) {
      if (url && isInsecureRemote(url) && !options.allowInsecureConnection) {
        throw new WebPubSubArgumentError(argument, ClientMessages.insecureEndpoint(argument, url));
      }
    }
    if (options.apiVersion !== undefined) assertApiVersion(options.apiVersion);
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    // setTimeout fires at once beyond int32, so larger values are refused rather than misread.
    assertOptionalInteger(options.timeoutInMs, 'timeoutInMs', 0, MAX_INT32);
    this.timeoutInMs = options.timeoutInMs ?? DEFAULT_TIMEOUT_IN_MS;
    // The checks above refused remote http:// unless allowed, so what is left is loopback or allowed.
    this.allowInsecureConnection =
      options.allowInsecureConnection === true || /^http:/i.test(endpoint) || /^http:/i.test(proxyEndpoint ?? '');
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
    const userPrefix = options.userAgentOptions?.userAgentPrefix;
    this.pipeline = createPipelineFromOptions({
      ...options,
      userAgentOptions: { userAgentPrefix: `${userPrefix ? `${userPrefix} ` : ''}${SDK_NAME}/${SDK_VERSION}` },
      loggingOptions: { logger: clientLogger.info, ...options.loggingOptions },
    });
    if (isTokenCredential(credential)) {
      this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: WEB_PUBSUB_SCOPE }), {
        phase: 'Sign',
      });
    } else {
      this.pipeline.addPolicy(keyCredentialPolicy(credential), { phase: 'Sign' });
    }
    if (proxyEndpoint) this.pipeline.addPolicy(reverseProxyPolicy(proxyEndpoint), { afterPhase: 'Sign' });
    for (const { policy, position } of options.additionalPolicies ?? []) {
      this.pipeline.addPolicy(policy, position === 'perRetry' ? { afterPhase: 'Sign' } : {});
    }
    // Last, next to the HTTP client: it times the network, and the policies above see its error.
    this.pipeline.addPolicy(attemptTimeoutPolicy(), { afterPhase: 'Sign' });
  }

  /** The access key, when the client signs with one (client tokens are then signed locally). */
  get accessKey(): string | undefined {
    return isTokenCredential(this.credential) ? undefined : this.credential.key;
  }

  /**
   * Runs one public operation in its span, named as the official client names it (`WebPubSubServiceClient.sendToAll`,
   * `WebPubSubGroupClient.addUser`); `run` gets the options carrying the span's context to the pipeline.
   */
  traced<O extends OperationOptions, T>(
    spanName: string,
    options: O | undefined,
    run: (options: O) => Promise<T>,
  ): Promise<T> {
    return withOperationSpan(spanName, options, run);
  }

  /** Runs a request through the pipeline and returns the raw response, whatever its status. */
  async send(request: WebPubSubRequest, options: OperationOptions = {}): Promise<PipelineResponse> {
    const response = await this.dispatch(request, options);
    notifyResponse(options, response);
    return response;
  }

  /** Sends and throws a WebPubSubRestError unless the status is one the operation expects. */
  async call(request: WebPubSubRequest, options: OperationOptions = {}): Promise<PipelineResponse> {
    const response = await this.dispatch(request, options);
    const error = request.expectedStatus.includes(response.status)
      ? undefined
      : toRestError(request.operation, response);
    notifyResponse(options, response, error);
    if (error) throw error;
    return response;
  }

  private dispatch(request: WebPubSubRequest, options: OperationOptions): Promise<PipelineResponse> {
    const requestOptions = options.requestOptions;
    assertOptionalInteger(requestOptions?.timeout, 'requestOptions.timeout', 0, MAX_INT32);
    const headers = createHttpHeaders(request.headers);
    for (const [name, value] of Object.entries(requestOptions?.customHeaders ?? {})) headers.set(name, value);
    const pipelineRequest = createPipelineRequest({
      url: this.endpoint + request.path + formatQuery(request.query),
      method: request.method,
      headers,
      body: request.body,
      abortSignal: options.abortSignal,
      timeout: requestOptions?.timeout ?? this.timeoutInMs,
      // As core-client: the call's `true` adds to the client's permission; its `false` takes none away.
      allowInsecureConnection: this.allowInsecureConnection || requestOptions?.allowInsecureConnection === true,
    });
    // The tracing policy parents its HTTP span with this context (the operation's span), as core-client
    // sets it; createPipelineRequest does not copy it from its options.
    pipelineRequest.tracingOptions = options.tracingOptions;
    return this.pipeline.sendRequest(this.httpClient, pipelineRequest);
  }

  /** For HEAD checks: 200 → true, 404 → false, anything else → WebPubSubRestError. */
  async exists(request: WebPubSubRequest, options?: OperationOptions): Promise<boolean> {
    return (await this.call(request, options)).status === 200;
  }
}

/** Maps an unexpected response to the one typed error, with the service's code and request id. */
export function toRestError(operation: string, response: PipelineResponse): WebPubSubRestError {
  let body: unknown;
  if (response.bodyAsText) {
    try {
      body = JSON.parse(response.bodyAsText);
    } catch {
      body = response.bodyAsText;
    }
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = stringOrUndefined(fields.code) ?? response.headers.get('x-ms-error-code');
  const serviceMessage =
    stringOrUndefined(fields.message) ??
    stringOrUndefined(fields.title) ??
    (typeof body === 'string' ? body.slice(0, 500) : undefined);
  return new WebPubSubRestError(
    response.status,
    ClientMessages.serviceError(operation, response.status, code, serviceMessage),
    {
      code,
      operation,
      body,
      requestId: response.headers.get('x-ms-request-id'),
    },
  );
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isInsecureRemote(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && !LOOPBACK_HOSTS.has(parsed.hostname);
}
