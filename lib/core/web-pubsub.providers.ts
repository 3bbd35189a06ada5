import { Logger, type LoggerService, type Provider } from '@nestjs/common';
import { WebPubSubArgumentError, WebPubSubRestClient, type WebPubSubRestClientOptions } from '../client/index.js';
import { nestAzureLogger } from './azure-logger.bridge.js';
import { resolveEventsSettings } from './events.settings.js';
import { nestHttpLoggingPolicies } from './http-logging.policy.js';
import { contextualWriter, type LogWriter } from './nest-log-writer.js';
import {
  getWebPubSubClientToken,
  getWebPubSubContextToken,
  getWebPubSubOptionsToken,
  getWebPubSubToken,
  WEBPUBSUB_LOGGER_CONTEXT,
} from './web-pubsub.constants.js';
import { WebPubSubInstanceContext } from './web-pubsub.context.js';
import { InstanceMessages } from './web-pubsub.messages.js';
import type { WebPubSubInstanceOptions } from './web-pubsub.options.js';
import { WebPubSubService } from './web-pubsub.service.js';
import { resolveSettings, type WebPubSubSettings } from './web-pubsub.settings.js';

/** An instance's options, as the composition root hands them over (with what it started for them). */
export interface WebPubSubInstanceSetup {
  options: WebPubSubInstanceOptions;
  /** Logged once through the instance's logger when it is built (e.g. where an embedded emulator listens). */
  notice?: string;
  /** Runs at shutdown after the background queue is drained (e.g. stops an embedded emulator). */
  onShutdown?: () => Promise<void>;
}

/**
 * The providers of one instance, built from its options provider: the internal context (settings,
 * logger, queue, keys), the REST client, and the WebPubSubService (a client on the same transport). `prepare` lets the
 * composition root turn the module options into instance options first (starting what they ask for).
 */
export function instanceProviders<Options extends object>(
  instance: string,
  prepare: (options: Options) => Promise<WebPubSubInstanceSetup> | WebPubSubInstanceSetup,
): Provider[] {
  const contextToken = getWebPubSubContextToken(instance);
  const clientToken = getWebPubSubClientToken(instance);
  const createContext = async (options: Options): Promise<WebPubSubInstanceContext> => {
    const setup = await prepare(options);
    try {
      return createInstanceContext(instance, setup);
    } catch (error) {
      // Nest calls no shutdown hook for an app that failed to start: stop what `prepare` started.
      await setup.onShutdown?.();
      throw error;
    }
  };
  return [
    { provide: contextToken, useFactory: createContext, inject: [getWebPubSubOptionsToken(instance)] },
    { provide: clientToken, useFactory: (context: WebPubSubInstanceContext) => context.client, inject: [contextToken] },
    {
      provide: getWebPubSubToken(instance),
      useFactory: (client: WebPubSubRestClient) => new WebPubSubService(client, instance),
      inject: [clientToken],
    },
  ];
}

/** Validates the options, builds the instance's logger and client, and its context. */
export function createInstanceContext(instance: string, setup: WebPubSubInstanceSetup): WebPubSubInstanceContext {
  const { options } = setup;
  const settings = resolveSettings(instance, options);
  const logger = resolveLogger(settings.instance, options.logger);
  const log: LogWriter = logger ? contextualWriter(logger, WEBPUBSUB_LOGGER_CONTEXT) : () => undefined;
  const client = asModuleError(settings, () => createClient(settings, clientOptionsOf(options, settings, logger)));
  const events = resolveEventsSettings(options.events, client.endpoint);
  const context = new WebPubSubInstanceContext({ settings, events, log, client, onShutdown: setup.onShutdown });
  if (setup.notice) log('log', setup.notice);
  return context;
}

function createClient(settings: WebPubSubSettings, clientOptions: WebPubSubRestClientOptions): WebPubSubRestClient {
  const { connection } = settings;
  return connection.kind === 'credential'
    ? new WebPubSubRestClient(connection.endpoint, connection.credential, settings.hub, clientOptions)
    : new WebPubSubRestClient(connection.connectionString, settings.hub, clientOptions);
}

function resolveLogger(instance: string, option: WebPubSubInstanceOptions['logger']): LoggerService | undefined {
  if (option === false) return undefined;
  // Anything else (e.g. 'yes') would silently drop every line.
  const isLoggerService =
    typeof option === 'object' &&
    option !== null &&
    ['log', 'error', 'warn'].every(
      (method) => typeof (option as unknown as Record<string, unknown>)[method] === 'function',
    );
  if (option !== undefined && option !== true && !isLoggerService)
    throw new TypeError(InstanceMessages.invalidLogger(instance));
  // No context of its own: every call passes WEBPUBSUB_LOGGER_CONTEXT (as a user's LoggerService needs),
  // and a Logger with a context would print that argument again as a second message.
  if (option === undefined || option === true) return new Logger();
  return option;
}

function clientOptionsOf(
  options: WebPubSubInstanceOptions,
  settings: WebPubSubSettings,
  logger: LoggerService | undefined,
): WebPubSubRestClientOptions {
  const policies = [...(options.clientOptions?.additionalPolicies ?? [])];
  if (logger && settings.httpLogging !== 'off') {
    const { perCall, perRetry } = nestHttpLoggingPolicies(
      logger,
      settings.httpLogging,
      WEBPUBSUB_LOGGER_CONTEXT,
      settings.httpLoggingAllowedHeaderNames,
    );
    policies.push({ policy: perCall, position: 'perCall' }, { policy: perRetry, position: 'perRetry' });
  }
  return {
    ...options.clientOptions,
    // Azure SDK log lines of this client go to the same Nest logger (when Azure logging is on).
    ...(logger
      ? {
          loggingOptions: {
            ...options.clientOptions?.loggingOptions,
            logger: nestAzureLogger(logger, WEBPUBSUB_LOGGER_CONTEXT),
          },
        }
      : {}),
    reverseProxyEndpoint: options.reverseProxyEndpoint,
    apiVersion: options.apiVersion,
    retryOptions: options.retryOptions,
    timeoutInMs: options.timeoutInMs,
    additionalPolicies: policies,
  };
}

/** Client argument errors become module errors that say which instance is misconfigured. */
function asModuleError<T>(settings: WebPubSubSettings, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof WebPubSubArgumentError) {
      throw new Error(
        InstanceMessages.invalidOption(
          settings.instance,
          error.argument,
          settings.fromEnv[error.argument],
          error.message,
        ),
        { cause: error },
      );
    }
    throw error;
  }
}
