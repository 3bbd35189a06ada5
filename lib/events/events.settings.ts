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

export function resolveEventsSettings(options: WebPubSubEventsOptions | undefined, serviceEndpoint: string): EventsSettings {
  return {
    allowedOrigins: (options?.allowedOrigins ?? [new URL(serviceEndpoint).host]).map((origin) => origin.toLowerCase()),
    accessKeys: options?.accessKeys ?? [],
    verifySignature: options?.verifySignature ?? true,
  };
}
