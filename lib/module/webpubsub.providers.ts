import { Logger, type LoggerService, type Provider } from '@nestjs/common';
import { WebPubSubArgumentError, type WebPubSubRestClientOptions } from '../client/index.js';
import { nestAzureLogger } from './azure-logger.bridge.js';
import { nestHttpLoggingPolicies } from './http-logging.policy.js';
import { contextualWriter, type LogWriter } from './nest-log-writer.js';
import { getWebPubSubOptionsToken, getWebPubSubToken, WEBPUBSUB_LOGGER_CONTEXT } from './webpubsub.constants.js';
import { ModuleMessages } from './webpubsub.messages.js';
import type { WebPubSubModuleOptions } from './webpubsub.options.js';
import { WebPubSubService } from './webpubsub.service.js';
import { resolveSettings, type WebPubSubSettings } from './webpubsub.settings.js';

/** The service provider of one instance, built from its options provider when the app starts. */
export function serviceProvider(instance: string): Provider {
  return {
    provide: getWebPubSubToken(instance),
    useFactory: (options: WebPubSubModuleOptions) => createWebPubSubService(instance, options),
    inject: [getWebPubSubOptionsToken(instance)],
  };
}

/** Validates the options, starts the embedded emulator if asked, and builds the service. */
export async function createWebPubSubService(instance: string, options: WebPubSubModuleOptions): Promise<WebPubSubService> {
  const settings = resolveSettings(instance, options);
  const logger = resolveLogger(settings.instance, options.logger);
  const clientOptions = clientOptionsOf(options, settings, logger);
  const log: LogWriter = logger ? contextualWriter(logger, WEBPUBSUB_LOGGER_CONTEXT) : () => undefined;
  if (settings.connection.kind !== 'emulator') return construct(settings, () => new WebPubSubService({ settings, clientOptions, log }));

  // Loaded only when asked for, so apps without the emulator never load it (or `ws`).
  const { WebPubSubEmulator } = await import('../emulator/index.js');
  // Unref'd: if another provider then fails at startup, Nest calls no shutdown hook, and a listening
  // emulator would otherwise hold the process open. The app's own server keeps a running app alive.
  const emulator = (await WebPubSubEmulator.start(settings.connection.options)).unref();
  try {
    const service = construct(settings, () =>
      new WebPubSubService({ settings, clientOptions, log, emulatorConnectionString: emulator.connectionString, onShutdown: () => emulator.stop() }),
    );
    log('log', ModuleMessages.embeddedEmulatorStarted(emulator.endpoint, settings.hub));
    return service;
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

function resolveLogger(instance: string, option: WebPubSubModuleOptions['logger']): LoggerService | undefined {
  if (option === false) return undefined;
  // Anything else (e.g. 'yes') would silently drop every line.
  const isLoggerService = typeof option === 'object' && option !== null && ['log', 'error', 'warn'].every((method) => typeof (option as unknown as Record<string, unknown>)[method] === 'function');
  if (option !== undefined && option !== true && !isLoggerService) throw new TypeError(ModuleMessages.invalidLogger(instance));
  // No context of its own: every call passes WEBPUBSUB_LOGGER_CONTEXT (as a user's LoggerService needs),
  // and a Logger with a context would print that argument again as a second message.
  if (option === undefined || option === true) return new Logger();
  return option;
}

function clientOptionsOf(options: WebPubSubModuleOptions, settings: WebPubSubSettings, logger: LoggerService | undefined): WebPubSubRestClientOptions {
  const policies = [...(options.clientOptions?.additionalPolicies ?? [])];
  if (logger && settings.httpLogging !== 'off') {
    const { perCall, perRetry } = nestHttpLoggingPolicies(logger, settings.httpLogging, WEBPUBSUB_LOGGER_CONTEXT);
    policies.push({ policy: perCall, position: 'perCall' }, { policy: perRetry, position: 'perRetry' });
  }
  return {
    ...options.clientOptions,
    // Azure SDK log lines of this client go to the same Nest logger (when Azure logging is on).
    ...(logger ? { loggingOptions: { ...options.clientOptions?.loggingOptions, logger: nestAzureLogger(logger, WEBPUBSUB_LOGGER_CONTEXT) } } : {}),
    reverseProxyEndpoint: options.reverseProxyEndpoint,
    apiVersion: options.apiVersion,
    retryOptions: options.retryOptions,
    additionalPolicies: policies,
  };
}

/** Client argument errors become module errors that say which instance is misconfigured. */
function construct<T>(settings: WebPubSubSettings, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof WebPubSubArgumentError) {
      throw new Error(ModuleMessages.invalidOption(settings.instance, error.argument, settings.fromEnv[error.argument], error.message), { cause: error });
    }
    throw error;
  }
}
