import { instanceLabel } from '../core/web-pubsub.messages.js';

/**
 * The messages of module registration (names, paths, the embedded emulator). Each names what is
 * wrong and ends with the fix.
 */
export const ModuleMessages = {
  emulatorWithConnection: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: \`emulator\` is set together with \`connectionString\` or \`endpoint\`. The embedded emulator supplies its own connection: drop one of them.`,
  emulatorInProduction: (instance: string) =>
    `WebPubSubModule${instanceLabel(instance)}: \`emulator\` is refused because NODE_ENV=production. The emulator is for local development and tests: configure a real Web PubSub service for production.`,
  invalidEventsPath: (value: unknown) =>
    `WebPubSubModule: \`eventsPath\` ${JSON.stringify(value)} is invalid. Pass a path starting with "/" (e.g. "/eventhandler"), or false for no event route.`,
  invalidName: (value: unknown) =>
    `WebPubSubModule: \`name\` ${JSON.stringify(value)} is invalid. Pass a non-empty string, or leave it out for the default instance.`,
  asyncWithoutFactory: (instance: string) =>
    `WebPubSubModule.forRootAsync${instanceLabel(instance)}: pass one of \`useFactory\`, \`useClass\` or \`useExisting\`.`,
  registeredTwice: (instance: string, times: number) =>
    `WebPubSubModule${instanceLabel(instance)}: the ${instance === 'default' ? 'default instance' : 'instance'} is registered ${times} times (forRoot or forRootAsync called more than once), so the app has ${times} separate services for it and maps its event route ${times} times. Register it once (in AppModule, with \`isGlobal: true\` if other modules need it), or give the other registrations a \`name\`.`,
  embeddedEmulatorStarted: (endpoint: string, hub: string) =>
    `Started an embedded Web PubSub emulator at ${endpoint} (hub "${hub}"). For local development only.`,
} as const;
