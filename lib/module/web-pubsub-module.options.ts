import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Provider, Type } from '@nestjs/common';
import type { WebPubSubInstanceOptions } from '../core/web-pubsub.options.js';
import type { WebPubSubEmulatorOptions } from '../emulator/emulator.options.js';

export interface WebPubSubModuleOptions extends WebPubSubInstanceOptions {
  /**
   * Start an in-process Web PubSub emulator on a free loopback port when the app starts, and use it
   * (for local development and tests; refused when NODE_ENV=production). `true`, or the emulator's
   * options (event handlers per hub, access key, …). Loaded only when set.
   */
  emulator?: boolean | WebPubSubEmulatorOptions;
}

/** Implemented by a class given to `forRootAsync({ useClass })` or `useExisting`. */
export interface WebPubSubOptionsFactory {
  createWebPubSubOptions(): WebPubSubModuleOptions | Promise<WebPubSubModuleOptions>;
}

export interface WebPubSubModuleExtras {
  /** Register this instance under a name, injected with `@InjectWebPubSub(name)`. */
  name?: string;
  /** Make the service injectable in every module without importing this one again. */
  isGlobal?: boolean;
  /**
   * Where `@WebPubSubEventHandler` classes are served (that path and everything below it). Default
   * `/eventhandler` for the default instance; named instances serve no route unless given one.
   * `false`: no route.
   */
  eventsPath?: string | false;
}

export interface WebPubSubModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'>, WebPubSubModuleExtras {
  /** Returns the options; receives the `inject` list. */
  useFactory?: (...args: never[]) => WebPubSubModuleOptions | Promise<WebPubSubModuleOptions>;
  /** What `useFactory` receives, in order (e.g. `[ConfigService]`). */
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useClass?: Type<WebPubSubOptionsFactory>;
  useExisting?: Type<WebPubSubOptionsFactory>;
  /** Providers the factory or class needs that no imported module gives. */
  extraProviders?: Provider[];
}
