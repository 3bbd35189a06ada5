/** Answers and log lines of the upstream event route; none repeats a signature, key or token. */
export const EventMessages = {
  missingOrigin: () =>
    'WebHook-Request-Origin header is required (abuse protection). Only Azure Web PubSub should call this route.',
  originNotAllowed: (origin: string) =>
    `Origin "${origin}" is not an allowed Web PubSub service. Add its host to \`events.allowedOrigins\` of WebPubSubModule if it is yours.`,
  notCloudEvent: () =>
    'Not a Web PubSub CloudEvent: ce-awpsversion, ce-type (azure.webpubsub.*), ce-hub and ce-connectionId headers are required.',
  unknownHub: (hub: string) =>
    `No @WebPubSubEventHandler({ hub: '${hub}' }) is registered. Add one, or point the hub's event handler elsewhere.`,
  unknownType: (type: string) => `Unsupported event type "${type}".`,
  noUserEventHandler: (hub: string, event: string) => `Hub "${hub}" has no @OnUserEvent('${event}') (or '*') handler.`,
  twoConnectHandlers: (hub: string, first: string, second: string) =>
    `Hub "${hub}" has two connect handlers, ${first} and ${second}: the service takes one answer per connect. Keep @OnConnect() on one of them.`,
  twoUserEventHandlers: (hub: string, event: string, first: string, second: string) =>
    `Hub "${hub}" has two handlers for user event "${event}", ${first} and ${second}: the service takes one answer per event. Keep one of them.`,
  badSignature: () => 'The ce-signature header is missing or does not match any access key.',
  signatureRejected: (hub: string, connectionId: string, origin: string) =>
    `Rejected an upstream event for hub ${hub}, connection ${connectionId} from ${origin}: its ce-signature is missing or matches no access key.`,
  suppressed: (count: number, seconds: number) =>
    ` (${count} more like it in the last ${seconds} s, not logged one by one)`,
  repeatedHeader: (name: string) =>
    `The ${name} header is sent more than once; Web PubSub sends each ce-* header once, so the request is refused rather than merged. Only Azure Web PubSub should call this route.`,
  controlCharacters: (name: string) =>
    `The ${name} header has a control character once percent-decoded; no Web PubSub event name has one. Only Azure Web PubSub should call this route.`,
  missingGroup: (type: string) =>
    `The ${type} event body has no \`group\` string. Only Azure Web PubSub should call this route.`,
  malformedBody: () => 'The event body is not valid JSON.',
  bodyTooLarge: (limit: number) => `The event body is larger than ${limit} bytes.`,
  handlerFailed: (handler: string, reason: string) => `Web PubSub event handler ${handler} failed: ${reason}`,
  noKeys: (hub: string) =>
    `@WebPubSubEventHandler({ hub: '${hub}' }): the module instance has no access key to check ce-signature with (it uses a TokenCredential). Set \`events.accessKeys\`, or \`events.verifySignature: false\` if a gateway checks them.`,
  duplicateHub: (hub: string, instance: string) =>
    `Two classes are @WebPubSubEventHandler({ hub: '${hub}'${instanceOption(instance)} }). Use one class per hub and instance.`,
  instanceWithoutRoute: (className: string, hub: string, instance: string) =>
    `${className} is @WebPubSubEventHandler({ hub: '${hub}'${instanceOption(instance)} }), but instance "${instance}" serves no event route, so its events would never arrive. Register it with one: WebPubSubModule.forRoot({ name: '${instance}', eventsPath: '/${instance}/eventhandler', … }).`,
  invalidConnectAnswer: (field: string, expected: string) =>
    `its answer's \`${field}\` is invalid: the service needs ${expected}. The client was refused; return a valid answer, or throw an HttpException to refuse on purpose.`,
  noOctetStreamParser: (path: string) =>
    `Binary user events to ${path} will be refused with 415: this Fastify app has no parser for application/octet-stream. To accept them, add in main.ts before app.listen(): app.getHttpAdapter().getInstance().addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 2 * 1024 * 1024 }, (_request, body, done) => done(null, body)).`,
  gateAfterParsers: (path: string) =>
    `The event route ${path} is behind Express's body parsers and CORS in this testing module: @nestjs/core before 11.1.4 does not announce the app's HTTP adapter (HttpAdapterHost.init$), so the route's gate cannot go first. Nest's default JSON parser refuses events whose JSON body is not an object or array, or is over 100 kB, and app.enableCors() would answer the service's handshake. Fix: app.useBodyParser('json', { strict: false, limit: '2mb' }) right after createNestApplication(), or upgrade to @nestjs/core 11.1.4 or later.`,
} as const;

function instanceOption(instance: string): string {
  return instance === 'default' ? '' : `, instance: '${instance}'`;
}
