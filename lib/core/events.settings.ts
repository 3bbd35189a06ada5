import { InstanceMessages } from './web-pubsub.messages.js';

/** Options of the upstream event route (`WebPubSubModule.forRoot({ events })`). */
export interface WebPubSubEventsOptions {
  /**
   * Hosts allowed to call the route (WebHook-Request-Origin), e.g. `['<name>.webpubsub.azure.com']`.
   * Defaults to the host of the instance's service endpoint. `['*']` allows any.
   */
  allowedOrigins?: string[];
  /** Keys accepted for `ce-signature` besides the instance's own (e.g. the secondary key during rotation). */
  accessKeys?: string[];
  /** Default true. Turn off only when something in front of the app checks signatures. */
  verifySignature?: boolean;
}

/** The route's settings, resolved at startup. */
export interface EventsSettings {
  allowedOrigins: readonly string[];
  accessKeys: readonly string[];
  verifySignature: boolean;
}

/** Checks the options at startup: a key string spread into characters would accept one-character keys. */
export function resolveEventsSettings(
  options: WebPubSubEventsOptions | undefined,
  serviceEndpoint: string,
): EventsSettings {
  const allowedOrigins = options?.allowedOrigins ?? [new URL(serviceEndpoint).host];
  const accessKeys = options?.accessKeys ?? [];
  if (!isListOfText(allowedOrigins))
    throw new TypeError(
      InstanceMessages.invalidEventsOption(
        'allowedOrigins',
        'an array of host names, e.g. ["contoso.webpubsub.azure.com"]',
      ),
    );
  if (!isListOfText(accessKeys))
    throw new TypeError(
      InstanceMessages.invalidEventsOption(
        'accessKeys',
        'an array of access keys, e.g. [process.env.WEBPUBSUB_SECONDARY_KEY]',
      ),
    );
  if (options?.verifySignature !== undefined && typeof options.verifySignature !== 'boolean') {
    throw new TypeError(InstanceMessages.invalidEventsOption('verifySignature', 'true or false'));
  }
  return {
    allowedOrigins: allowedOrigins.map((origin) => origin.toLowerCase()),
    accessKeys,
    verifySignature: options?.verifySignature ?? true,
  };
}

function isListOfText(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.trim() !== '');
}
