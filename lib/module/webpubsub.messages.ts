/**
 * Every user-facing message of the Nest module, in one place. Each names what is wrong and ends
 * with the fix; none includes an access key, a token or a connection string.
 */
export const ModuleMessages = {
  missingConnection: (instance: string) =>
    `WebPubSubModule${label(instance)}: no connection is configured. Set WEBPUBSUB_CONNECTION_STRING or pass \`connectionString\` (or \`endpoint\` with \`credential\`, or \`emulator: true\` for local development).`,
  bothConnectionAndEndpoint: (instance: string) =>
    `WebPubSubModule${label(instance)}: both \`connectionString\` and \`endpoint\` are set. Pass only one: a connection string, or an endpoint with a credential.`,
  endpointWithoutCredential: (instance: string) =>
    `WebPubSubModule${label(instance)}: \`endpoint\` needs a \`credential\` (an AzureKeyCredential or a TokenCredential such as DefaultAzureCredential). Pass one, or pass \`connectionString\` instead.`,
  credentialWithoutEndpoint: (instance: string) =>
    `WebPubSubModule${label(instance)}: \`credential\` needs an \`endpoint\` (e.g. "https://<name>.webpubsub.azure.com"). Pass it, or drop \`credential\`.`,
  missingHub: (instance: string) =>
    `WebPubSubModule${label(instance)}: no hub is configured. Set WEBPUBSUB_HUB or pass \`hub\` (e.g. "chat").`,
  emulatorWithConnection: (instance: string) =>
    `WebPubSubModule${label(instance)}: \`emulator\` is set together with \`connectionString\` or \`endpoint\`. The embedded emulator supplies its own connection: drop one of them.`,
  emulatorInProduction: (instance: string) =>
    `WebPubSubModule${label(instance)}: \`emulator\` is refused because NODE_ENV=production. The emulator is for local development and tests: configure a real Web PubSub service for production.`,
  invalidOption: (instance: string, option: string, envVar: string | undefined, detail: string) =>
    `WebPubSubModule${label(instance)}: invalid \`${option}\`${envVar ? ` (read from ${envVar})` : ''}. ${detail}`,
  invalidLogger: (instance: string) =>
    `WebPubSubModule${label(instance)}: \`logger\` must be true, false or a LoggerService (an object with log, error and warn methods, e.g. new Logger('WebPubSub')).`,
  invalidHttpLogging: (instance: string, value: unknown) =>
    `WebPubSubModule${label(instance)}: \`httpLogging\` ${JSON.stringify(value)} is invalid. Use "off", "errors", "debug" or "verbose".`,
  invalidBroadcastOption: (instance: string, option: string, value: unknown, expected: string) =>
    // String() for numbers: JSON would print Infinity and NaN as null.
    `WebPubSubModule${label(instance)}: \`broadcast.${option}\` ${typeof value === 'number' ? String(value) : JSON.stringify(value)} is invalid. Use ${expected}.`,
  invalidEventsPath: (value: unknown) =>
    `WebPubSubModule: \`eventsPath\` ${JSON.stringify(value)} is invalid. Pass a path starting with "/" (e.g. "/eventhandler"), or false for no event route.`,
  invalidName: (value: unknown) =>
    `WebPubSubModule: \`name\` ${JSON.stringify(value)} is invalid. Pass a non-empty string, or leave it out for the default instance.`,
  asyncWithoutFactory: (instance: string) =>
    `WebPubSubModule.forRootAsync${label(instance)}: pass one of \`useFactory\`, \`useClass\` or \`useExisting\`.`,
  optionsNotObject: (instance: string) =>
    `WebPubSubModule${label(instance)}: the options factory returned no object. Return the module options, e.g. { connectionString, hub }.`,
  registeredTwice: (instance: string, times: number) =>
    `WebPubSubModule${label(instance)}: the ${instance === 'default' ? 'default instance' : 'instance'} is registered ${times} times (forRoot or forRootAsync called more than once), so the app has ${times} separate services for it and maps its event route ${times} times. Register it once (in AppModule, with \`isGlobal: true\` if other modules need it), or give the other registrations a \`name\`.`,
  embeddedEmulatorStarted: (endpoint: string, hub: string) =>
    `Started an embedded Web PubSub emulator at ${endpoint} (hub "${hub}"). For local development only.`,
} as const;

function label(instance: string): string {
  return instance === 'default' ? '' : ` (instance "${instance}")`;
}
