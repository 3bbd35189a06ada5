import type { LoggerService } from '@nestjs/common';
import type { AzureKeyCredential, TokenCredential } from '@azure/core-auth';
import type { PipelineRetryOptions } from '@azure/core-rest-pipeline';
import type { WebPubSubRestClientOptions } from '../client/index.js';
import type { WebPubSubEventsOptions } from './events.settings.js';

/**
 * How much of each REST call the module logs through Nest's Logger:
 * - `off`: nothing;
 * - `errors`: failed calls (`error`) and retried attempts (`warn`);
 * - `debug` (default): also every successful call, at `debug`;
 * - `verbose`: also the (redacted) request and response headers, at `verbose`.
 */
export type HttpLoggingLevel = 'off' | 'errors' | 'debug' | 'verbose';

/**
 * What one instance needs to connect and behave: everything of the module options but how the
 * connection is obtained for local development (`emulator`, which the composition root resolves).
 */
export interface WebPubSubInstanceOptions {
  /**
   * `Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;` from the portal's
   * Keys blade. Defaults to the WEBPUBSUB_CONNECTION_STRING environment variable. Give this, or
   * `endpoint` with `credential`, not both.
   */
  connectionString?: string;
  /** The service URL, with `credential`: for Entra ID (a TokenCredential) or a key kept elsewhere. */
  endpoint?: string;
  credential?: AzureKeyCredential | TokenCredential;
  /** The hub the service sends to (other hubs: `service.hub(name)`). Defaults to WEBPUBSUB_HUB. */
  hub?: string;
  /** Route requests through a reverse proxy such as API Management. */
  reverseProxyEndpoint?: string;
  /** Defaults to `2024-12-01`. */
  apiVersion?: string;
  retryOptions?: PipelineRetryOptions;
  /**
   * Milliseconds each attempt of a REST call may take before it is abandoned (and not retried): a
   * service that accepts connections and never answers fails the call instead of hanging it.
   * Default 30000; 0: no timeout. A call's `requestOptions.timeout` overrides it.
   */
  timeoutInMs?: number;
  /** Other options of the underlying `WebPubSubRestClient` (http client, policies, user agent). */
  clientOptions?: Omit<
    WebPubSubRestClientOptions,
    'reverseProxyEndpoint' | 'apiVersion' | 'retryOptions' | 'timeoutInMs'
  >;
  /** `true` (default): Nest's Logger with context `WebPubSub`; `false`: silent; or your own LoggerService. */
  logger?: boolean | LoggerService;
  /** How much of each REST call to log; defaults to `debug`. */
  httpLogging?: HttpLoggingLevel;
  /**
   * More headers whose values `httpLogging: 'verbose'` shows in clear, like the Azure SDK's
   * `loggingOptions.additionalAllowedHeaderNames`. Headers other than the standard and Azure ones are
   * logged as REDACTED; names that look like credentials (authorization, key, token, …) always are.
   */
  httpLoggingAllowedHeaderNames?: string[];
  /** Defaults for the broadcast decorators of this instance. */
  broadcast?: BroadcastDefaults;
  /** The upstream event route's security settings (allowed origins, extra keys). */
  events?: WebPubSubEventsOptions;
}

/** How broadcast decorators deliver by default (each decorator may override `delivery` and `onError`). */
export interface BroadcastDefaults {
  /**
   * `await` (default): the response waits until Web PubSub accepted the message, so a failure can
   * fail the request. `background`: the response does not wait; messages go through a bounded queue.
   */
  delivery?: 'await' | 'background';
  /**
   * `throw` (default): a failed awaited broadcast fails the request with 502 and logs why. `log`: the
   * response stays intact and the failure is logged. Background failures are always logged.
   */
  onError?: 'throw' | 'log';
  /**
   * Most background messages waiting to be sent (default 1000). When the queue is full, the next
   * background broadcast waits for room before its response is sent (backpressure): nothing is
   * dropped and memory stays bounded. `app.close()` sends everything still queued.
   */
  queueLimit?: number;
  /** How many background messages are sent at once (default 4); one request's messages keep their order. */
  concurrency?: number;
  /**
   * How long `app.close()` waits for queued background messages, in milliseconds (default 10000; 0:
   * no limit). What is still queued then is dropped, each logged with its route and target.
   */
  shutdownTimeoutInMs?: number;
}
