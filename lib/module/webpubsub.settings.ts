import { isTokenCredential } from '@azure/core-auth';
import type { WebPubSubEmulatorOptions } from '../emulator/emulator.options.js';
import type { BroadcastDefaults, HttpLoggingLevel, WebPubSubModuleOptions } from './webpubsub.options.js';
import { ModuleMessages } from './webpubsub.messages.js';

const HTTP_LOGGING_LEVELS: readonly HttpLoggingLevel[] = ['off', 'errors', 'debug', 'verbose'];

/** Where the service connects: given by the user, or an embedded emulator started at boot. */
export type WebPubSubConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'credential'; endpoint: string; credential: NonNullable<WebPubSubModuleOptions['credential']> }
  | { kind: 'emulator'; options: WebPubSubEmulatorOptions };

export interface WebPubSubSettings {
  instance: string;
  connection: WebPubSubConnection;
  hub: string;
  httpLogging: HttpLoggingLevel;
  broadcast: Required<BroadcastDefaults>;
  /** The environment variable an option was read from (for error messages), by option name. */
  fromEnv: Partial<Record<string, string>>;
}

/**
 * Checks the module options (with WEBPUBSUB_CONNECTION_STRING / WEBPUBSUB_HUB as fallbacks) and
 * decides how to connect. Throws one clear Error per mistake; the client then checks the values
 * themselves (hub pattern, connection string parts) with its own messages.
 */
export function resolveSettings(instance: string, options: WebPubSubModuleOptions, env: NodeJS.ProcessEnv = process.env): WebPubSubSettings {
  if (typeof options !== 'object' || options === null) throw new Error(ModuleMessages.optionsNotObject(instance));
  const httpLogging = options.httpLogging ?? 'debug';
  if (!HTTP_LOGGING_LEVELS.includes(httpLogging)) throw new Error(ModuleMessages.invalidHttpLogging(instance, httpLogging));
  const hub = options.hub ?? env.WEBPUBSUB_HUB;
  if (!hub) throw new Error(ModuleMessages.missingHub(instance));
  const connection = resolveConnection(instance, options, env);
  const fromEnv: WebPubSubSettings['fromEnv'] = {};
  if (options.hub == null) fromEnv.hub = 'WEBPUBSUB_HUB';
  if (connection.kind === 'connectionString' && options.connectionString == null) fromEnv.connectionString = 'WEBPUBSUB_CONNECTION_STRING';
  return { instance, hub, httpLogging, connection, fromEnv, broadcast: resolveBroadcastDefaults(instance, options.broadcast ?? {}) };
}

function resolveConnection(instance: string, options: WebPubSubModuleOptions, env: NodeJS.ProcessEnv): WebPubSubConnection {
  const { connectionString, endpoint, credential, emulator } = options;
  if (emulator) {
    if (connectionString !== undefined || endpoint !== undefined) throw new Error(ModuleMessages.emulatorWithConnection(instance));
    if (env.NODE_ENV === 'production') throw new Error(ModuleMessages.emulatorInProduction(instance));
    return { kind: 'emulator', options: emulator === true ? {} : emulator };
  }
  if (connectionString !== undefined && endpoint !== undefined) throw new Error(ModuleMessages.bothConnectionAndEndpoint(instance));
  if (endpoint !== undefined) {
    if (!credential || (!isTokenCredential(credential) && typeof (credential as { key?: unknown }).key !== 'string')) {
      throw new Error(ModuleMessages.endpointWithoutCredential(instance));
    }
    return { kind: 'credential', endpoint, credential };
  }
  if (credential !== undefined) throw new Error(ModuleMessages.credentialWithoutEndpoint(instance));
  const fromEnv = connectionString ?? env.WEBPUBSUB_CONNECTION_STRING;
  if (!fromEnv) throw new Error(ModuleMessages.missingConnection(instance));
  return { kind: 'connectionString', connectionString: fromEnv };
}

function resolveBroadcastDefaults(instance: string, defaults: BroadcastDefaults): Required<BroadcastDefaults> {
  // Per field, so an option left undefined (e.g. from an unset config key) keeps its default.
  const resolved = {
    delivery: defaults.delivery ?? 'await',
    onError: defaults.onError ?? 'throw',
    queueLimit: defaults.queueLimit ?? 1000,
    concurrency: defaults.concurrency ?? 4,
  };
  if (resolved.delivery !== 'await' && resolved.delivery !== 'background') {
    throw new Error(ModuleMessages.invalidBroadcastOption(instance, 'delivery', resolved.delivery, '"await" or "background"'));
  }
  if (resolved.onError !== 'throw' && resolved.onError !== 'log') {
    throw new Error(ModuleMessages.invalidBroadcastOption(instance, 'onError', resolved.onError, '"throw" or "log"'));
  }
  for (const name of ['queueLimit', 'concurrency'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) {
      throw new Error(ModuleMessages.invalidBroadcastOption(instance, name, resolved[name], 'a whole number of at least 1'));
    }
  }
  return resolved;
}
