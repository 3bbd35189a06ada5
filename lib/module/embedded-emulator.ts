import type { WebPubSubInstanceSetup } from '../core/web-pubsub.providers.js';
import { ModuleMessages } from './web-pubsub.messages.js';
import type { WebPubSubModuleOptions } from './web-pubsub-module.options.js';

/**
 * Turns module options into an instance's options. With `emulator` set, starts an in-process
 * emulator and connects the instance to it; the core never knows where its connection came from.
 */
export async function prepareInstance(
  instance: string,
  options: WebPubSubModuleOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<WebPubSubInstanceSetup> {
  // Not an object: the core says so, with the instance's name.
  if (typeof options !== 'object' || options === null || !options.emulator) return { options };
  const { emulator, ...instanceOptions } = options;
  if (instanceOptions.connectionString !== undefined || instanceOptions.endpoint !== undefined)
    throw new Error(ModuleMessages.emulatorWithConnection(instance));
  if (env.NODE_ENV === 'production') throw new Error(ModuleMessages.emulatorInProduction(instance));

  // Loaded only when asked for, so apps without the emulator never load it (or `ws`).
  const { WebPubSubEmulator } = await import('../emulator/index.js');
  // Unref'd: if another provider then fails at startup, Nest calls no shutdown hook, and a listening
  // emulator would otherwise hold the process open. The app's own server keeps a running app alive.
  const started = (await WebPubSubEmulator.start(emulator === true ? {} : emulator)).unref();
  return {
    options: { ...instanceOptions, connectionString: started.connectionString },
    notice: ModuleMessages.embeddedEmulatorStarted(started.endpoint, instanceOptions.hub ?? env.WEBPUBSUB_HUB ?? ''),
    onShutdown: () => started.stop(),
  };
}
