/** The name of the instance registered without a `name` option. */
export const DEFAULT_WEBPUBSUB_INSTANCE = 'default';

/**
 * The injection token of a named instance's `WebPubSubService` (the default one is also injectable
 * by class). It reads as a hint because Nest prints it when nothing provides it.
 */
export function getWebPubSubToken(name: string = DEFAULT_WEBPUBSUB_INSTANCE): string {
  return name === DEFAULT_WEBPUBSUB_INSTANCE
    ? 'WebPubSubService (register it with WebPubSubModule.forRoot or forRootAsync)'
    : `WebPubSubService "${name}" (register it with WebPubSubModule.forRoot({ name: '${name}', … }) or forRootAsync({ name: '${name}', … }))`;
}

/** The injection token of a named instance's resolved module options. */
export function getWebPubSubOptionsToken(name: string = DEFAULT_WEBPUBSUB_INSTANCE): string {
  return `WebPubSubModuleOptions(${name})`;
}

/** The Nest Logger context of everything the module logs. */
export const WEBPUBSUB_LOGGER_CONTEXT = 'WebPubSub';

/** Internal: the injection token of an instance's WebPubSubRestClient (what the features send through). */
export function getWebPubSubClientToken(name: string = DEFAULT_WEBPUBSUB_INSTANCE): string {
  return `WebPubSubRestClient(${name})`;
}

/** Internal: the injection token of an instance's WebPubSubInstanceContext (what the features share). */
export function getWebPubSubContextToken(name: string = DEFAULT_WEBPUBSUB_INSTANCE): string {
  return `WebPubSubInstanceContext(${name})`;
}
