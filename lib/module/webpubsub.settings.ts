import { isTokenCredential } from '@azure/core-auth';
import type { WebPubSubEmulatorOptions } from '../emulator/emulator.options.js';
import type { HttpLoggingLevel, WebPubSubModuleOptions } from './webpubsub.options.js';
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
  return { instance, hub, httpLogging, connection, fromEnv };
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
