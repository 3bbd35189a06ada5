import { isTokenCredential } from '@azure/core-auth';
import { MAX_INT32 } from '../protocol/rules.js';
import type { BroadcastDefaults, HttpLoggingLevel, WebPubSubInstanceOptions } from './web-pubsub.options.js';
import { InstanceMessages } from './web-pubsub.messages.js';

const HTTP_LOGGING_LEVELS: readonly HttpLoggingLevel[] = ['off', 'errors', 'debug', 'verbose'];

/** Where the service connects: a connection string (given, from the environment, or an embedded emulator's), or an endpoint with a credential. */
export type WebPubSubConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'credential'; endpoint: string; credential: NonNullable<WebPubSubInstanceOptions['credential']> };

export interface WebPubSubSettings {
  instance: string;
  connection: WebPubSubConnection;
  hub: string;
  httpLogging: HttpLoggingLevel;
  /** Extra header names `verbose` logging shows in clear. */
  httpLoggingAllowedHeaderNames: string[];
  broadcast: Required<BroadcastDefaults>;
  /** The environment variable an option was read from (for error messages), by option name. */
  fromEnv: Partial<Record<string, string>>;
}

/**
 * Checks the module options (with WEBPUBSUB_CONNECTION_STRING / WEBPUBSUB_HUB as fallbacks) and
 * decides how to connect. Throws one clear Error per mistake; the client then checks the values
 * themselves (hub pattern, connection string parts) with its own messages.
 */
export function resolveSettings(
  instance: string,
  options: WebPubSubInstanceOptions,
  env: NodeJS.ProcessEnv = process.env,
): WebPubSubSettings {
  if (typeof options !== 'object' || options === null) throw new Error(InstanceMessages.optionsNotObject(instance));
  const httpLogging = options.httpLogging ?? 'debug';
  if (!HTTP_LOGGING_LEVELS.includes(httpLogging))
    throw new Error(InstanceMessages.invalidHttpLogging(instance, httpLogging));
  const httpLoggingAllowedHeaderNames = options.httpLoggingAllowedHeaderNames ?? [];
  if (
    !Array.isArray(httpLoggingAllowedHeaderNames) ||
    httpLoggingAllowedHeaderNames.some((name) => typeof name !== 'string' || name === '')
  ) {
    throw new Error(InstanceMessages.invalidAllowedHeaderNames(instance));
  }
  const hub = options.hub ?? env.WEBPUBSUB_HUB;
  if (!hub) throw new Error(InstanceMessages.missingHub(instance));
  const connection = resolveConnection(instance, options, env);
  const fromEnv: WebPubSubSettings['fromEnv'] = {};
  if (options.hub == null) fromEnv.hub = 'WEBPUBSUB_HUB';
  if (connection.kind === 'connectionString' && options.connectionString == null)
    fromEnv.connectionString = 'WEBPUBSUB_CONNECTION_STRING';
  return {
    instance,
    hub,
    httpLogging,
    httpLoggingAllowedHeaderNames,
    connection,
    fromEnv,
    broadcast: resolveBroadcastDefaults(instance, options.broadcast ?? {}),
  };
}

function resolveConnection(
  instance: string,
  options: WebPubSubInstanceOptions,
  env: NodeJS.ProcessEnv,
): WebPubSubConnection {
  const { connectionString, endpoint, credential } = options;
  if (connectionString !== undefined && endpoint !== undefined)
    throw new Error(InstanceMessages.bothConnectionAndEndpoint(instance));
  if (endpoint !== undefined) {
    if (!credential || (!isTokenCredential(credential) && typeof (credential as { key?: unknown }).key !== 'string')) {
      throw new Error(InstanceMessages.endpointWithoutCredential(instance));
    }
    return { kind: 'credential', endpoint, credential };
  }
  if (credential !== undefined) throw new Error(InstanceMessages.credentialWithoutEndpoint(instance));
  const fromEnv = connectionString ?? env.WEBPUBSUB_CONNECTION_STRING;
  if (!fromEnv) throw new Error(InstanceMessages.missingConnection(instance));
  return { kind: 'connectionString', connectionString: fromEnv };
}

function resolveBroadcastDefaults(instance: string, defaults: BroadcastDefaults): Required<BroadcastDefaults> {
  // Per field, so an option left undefined (e.g. from an unset config key) keeps its default.
  const resolved = {
    delivery: defaults.delivery ?? 'await',
    onError: defaults.onError ?? 'throw',
    queueLimit: defaults.queueLimit ?? 1000,
    concurrency: defaults.concurrency ?? 4,
    shutdownTimeoutInMs: defaults.shutdownTimeoutInMs ?? 10_000,
  };
  if (resolved.delivery !== 'await' && resolved.delivery !== 'background') {
    throw new Error(
      InstanceMessages.invalidBroadcastOption(instance, 'delivery', resolved.delivery, '"await" or "background"'),
    );
  }
  if (resolved.onError !== 'throw' && resolved.onError !== 'log') {
    throw new Error(InstanceMessages.invalidBroadcastOption(instance, 'onError', resolved.onError, '"throw" or "log"'));
  }
  for (const name of ['queueLimit', 'concurrency'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) {
      throw new Error(
        InstanceMessages.invalidBroadcastOption(instance, name, resolved[name], 'a whole number of at least 1'),
      );
    }
  }
  const { shutdownTimeoutInMs } = resolved;
  // Beyond int32 setTimeout fires at once.
  if (!Number.isInteger(shutdownTimeoutInMs) || shutdownTimeoutInMs < 0 || shutdownTimeoutInMs > MAX_INT32) {
    throw new Error(
      InstanceMessages.invalidBroadcastOption(
        instance,
        'shutdownTimeoutInMs',
        shutdownTimeoutInMs,
        `a whole number of milliseconds from 0 (no limit) to ${MAX_INT32}`,
      ),
    );
  }
  return resolved;
}
