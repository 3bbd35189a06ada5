/** Answers and log lines of the upstream event route; none repeats a signature, key or token. */
export const EventMessages = {
  missingOrigin: () => 'WebHook-Request-Origin header is required (abuse protection). Only Azure Web PubSub should call this route.',
  originNotAllowed: (origin: string) =>
    `Origin "${origin}" is not an allowed Web PubSub service. Add its host to \`events.allowedOrigins\` of WebPubSubModule if it is yours.`,
  notCloudEvent: () => 'Not a Web PubSub CloudEvent: ce-awpsversion, ce-type (azure.webpubsub.*), ce-hub and ce-connectionId headers are required.',
  unknownHub: (hub: string) => `No @WebPubSubEventHandler({ hub: '${hub}' }) is registered. Add one, or point the hub's event handler elsewhere.`,
  unknownType: (type: string) => `Unsupported event type "${type}".`,
  noUserEventHandler: (hub: string, event: string) => `Hub "${hub}" has no @OnUserEvent('${event}') (or '*') handler.`,
  badSignature: () => 'The ce-signature header is missing or does not match any access key.',
  signatureRejected: (hub: string, connectionId: string, origin: string) =>
    `Rejected an upstream event for hub "${hub}", connection "${connectionId}" from "${origin}": its ce-signature is missing or matches no access key.`,
  malformedBody: () => 'The event body is not valid JSON.',
  bodyTooLarge: (limit: number) => `The event body is larger than ${limit} bytes.`,
  handlerFailed: (handler: string, reason: string) => `Web PubSub event handler ${handler} failed: ${reason}`,
  noKeys: (hub: string) =>
    `@WebPubSubEventHandler({ hub: '${hub}' }): the module instance has no access key to check ce-signature with (it uses a TokenCredential). Set \`events.accessKeys\`, or \`events.verifySignature: false\` if a gateway checks them.`,
  invalidOption: (option: string, expected: string) =>
    `WebPubSubModule: \`events.${option}\` must be ${expected}. (The value is not shown: it may be a key.)`,
  duplicateHub: (hub: string) => `Two classes are @WebPubSubEventHandler({ hub: '${hub}' }). Use one class per hub.`,
} as const;
