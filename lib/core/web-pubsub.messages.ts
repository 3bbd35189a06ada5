/**
 * Every user-facing message about an instance's options, in one place. Each names what is wrong and
 * ends with the fix; none includes an access key, a token or a connection string.
 */
export const InstanceMessages = {
  missingConnection: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: no connection is configured. Set WEBPUBSUB_CONNECTION_STRING or pass \`connectionString\` (or \`endpoint\` with \`credential\`, or \`emulator: true\` for local development).`,
  bothConnectionAndEndpoint: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: both \`connectionString\` and \`endpoint\` are set. Pass only one: a connection string, or an endpoint with a credential.`,
  endpointWithoutCredential: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: \`endpoint\` needs a \`credential\` (an AzureKeyCredential or a TokenCredential such as DefaultAzureCredential). Pass one, or pass \`connectionString\` instead.`,
  credentialWithoutEndpoint: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: \`credential\` needs an \`endpoint\` (e.g. "https://<name>.webpubsub.azure.com"). Pass it, or drop \`credential\`.`,
  missingHub: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: no hub is configured. Set WEBPUBSUB_HUB or pass \`hub\` (e.g. "chat").`,
  invalidOption: (instance: string, option: string, envVar: string | undefined, detail: string) =>
    `WebPubSubModule${instanceLabel(instance)}: invalid \`${option}\`${envVar ? ` (read from ${envVar})` : ''}. ${detail}`,
  invalidLogger: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: \`logger\` must be true, false or a LoggerService (an object with log, error and warn methods, e.g. new Logger('WebPubSub')).`,
  invalidHttpLogging: (instance: string, value: unknown) =>
    `WebPubSubModule${instanceLabel(instance)}: \`httpLogging\` ${JSON.stringify(value)} is invalid. Use "off", "errors", "debug" or "verbose".`,
  invalidAllowedHeaderNames: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: \`httpLoggingAllowedHeaderNames\` must be an array of header names. Pass e.g. ["x-request-source"], or leave it out.`,
  invalidBroadcastOption: (instance: string, option: string, value: unknown, expected: string) =>
    // String() for numbers: JSON would print Infinity and NaN as null.
    `WebPubSubModule${instanceLabel(instance)}: \`broadcast.${option}\` ${typeof value === 'number' ? String(value) : JSON.stringify(value)} is invalid. Use ${expected}.`,
  optionsNotObject: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: the options factory returned no object. Return the module options, e.g. { connectionString, hub }.`,
  broadcastDroppedAtShutdown: (label: string, ms: number) =>
    `Broadcast of ${label} was dropped: it was still queued when the shutdown wait of ${ms} ms ran out. Check that the service answers (a call waits up to \`timeoutInMs\`), or raise \`broadcast.shutdownTimeoutInMs\`.`,
  broadcastsInFlightAtShutdown: (count: number, ms: number) =>
    `${count} background broadcast${count === 1 ? ' was' : 's were'} still being sent when the shutdown wait of ${ms} ms ran out; shutdown goes on without ${count === 1 ? 'it' : 'them'}, and a failure is still logged. Check that the service answers, or raise \`broadcast.shutdownTimeoutInMs\`.`,
  invalidEventsOption: (option: string, expected: string) =>
    `WebPubSubModule: \`events.${option}\` must be ${expected}. (The value is not shown: it may be a key.)`,
} as const;

/** ` (instance "name")` for named instances, nothing for the default one. */
export function instanceLabel(instance: string): string {
  return instance === 'default' ? '' : ` (instance "${instance}")`;
}
