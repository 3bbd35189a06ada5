import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import {
  DEFAULT_WEBPUBSUB_INSTANCE,
  getWebPubSubOptionsToken,
  getWebPubSubToken,
} from '../core/web-pubsub.constants.js';
import { instanceProviders } from '../core/web-pubsub.providers.js';
import { WebPubSubService } from '../core/web-pubsub.service.js';
import { DEFAULT_EVENTS_PATH } from '../events/events.constants.js';
import { eventRoute } from '../events/events.route.js';
import { duplicateRegistrationCheck } from './duplicate-registration.check.js';
import { prepareInstance } from './embedded-emulator.js';
import { ModuleMessages } from './web-pubsub.messages.js';
import type {
  WebPubSubModuleAsyncOptions,
  WebPubSubModuleExtras,
  WebPubSubModuleOptions,
  WebPubSubOptionsFactory,
} from './web-pubsub-module.options.js';

/**
 * Registers an injectable `WebPubSubService`. Register several instances with different `name`s
 * (each with its own connection and hub) and inject them with `@InjectWebPubSub(name)`.
 *
 * @example
 * WebPubSubModule.forRoot({ connectionString: process.env.WEBPUBSUB_CONNECTION_STRING, hub: 'chat' })
 * WebPubSubModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config: ConfigService) => ({ … }) })
 */
@Module({})
export class WebPubSubModule {
  static forRoot(options: WebPubSubModuleOptions & WebPubSubModuleExtras = {}): DynamicModule {
    const { name, isGlobal, eventsPath, ...moduleOptions } = options;
    const instance = instanceName(name);
    return moduleFor(instance, { isGlobal, eventsPath }, [
      { provide: getWebPubSubOptionsToken(instance), useValue: moduleOptions },
    ]);
  }

  static forRootAsync(options: WebPubSubModuleAsyncOptions): DynamicModule {
    const instance = instanceName(options.name);
    const providers: Provider[] = [...(options.extraProviders ?? [])];
    const optionsToken = getWebPubSubOptionsToken(instance);
    if (options.useFactory) {
      providers.push({ provide: optionsToken, useFactory: options.useFactory, inject: options.inject ?? [] });
    } else if (options.useClass || options.useExisting) {
      const factoryClass = (options.useClass ?? options.useExisting)!;
      if (options.useClass) providers.push({ provide: options.useClass, useClass: options.useClass });
      providers.push({
        provide: optionsToken,
        useFactory: (factory: WebPubSubOptionsFactory) => factory.createWebPubSubOptions(),
        inject: [factoryClass],
      });
    } else {
      throw new Error(ModuleMessages.asyncWithoutFactory(instance));
    }
    return moduleFor(instance, options, providers, options.imports);
  }
}

function instanceName(name: unknown): string {
  if (name === undefined) return DEFAULT_WEBPUBSUB_INSTANCE;
  if (typeof name !== 'string' || name.trim() === '') throw new Error(ModuleMessages.invalidName(name));
  return name;
}

function moduleFor(
  instance: string,
  extras: WebPubSubModuleExtras,
  optionProviders: Provider[],
  imports: DynamicModule['imports'] = [],
): DynamicModule {
  const token = getWebPubSubToken(instance);
  const providers: Provider[] = [
    ...optionProviders,
    ...instanceProviders(instance, (options: WebPubSubModuleOptions) => prepareInstance(instance, options)),
    duplicateRegistrationCheck(instance, WebPubSubModule),
  ];
  const exports: DynamicModule['exports'] = [token];
  if (instance === DEFAULT_WEBPUBSUB_INSTANCE) {
    // The default instance is also injectable by class: `constructor(private readonly webPubSub: WebPubSubService)`.
    providers.push({ provide: WebPubSubService, useExisting: token });
    exports.push(WebPubSubService);
  }
  if (
    extras.eventsPath !== undefined &&
    extras.eventsPath !== false &&
    (typeof extras.eventsPath !== 'string' || !extras.eventsPath.startsWith('/'))
  ) {
    throw new TypeError(ModuleMessages.invalidEventsPath(extras.eventsPath));
  }
  const path = extras.eventsPath ?? (instance === DEFAULT_WEBPUBSUB_INSTANCE ? DEFAULT_EVENTS_PATH : false);
  const events = path === false ? undefined : eventRoute(instance, path);
  return {
    module: WebPubSubModule,
    global: extras.isGlobal ?? false,
    imports: [...imports, ...(events ? [DiscoveryModule] : [])],
    providers: [...providers, ...(events?.providers ?? [])],
    controllers: events ? [events.controller] : [],
    exports,
  };
}
