import type { Provider } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { getWebPubSubContextToken, getWebPubSubToken } from '../core/web-pubsub.constants.js';
import type { WebPubSubInstanceContext } from '../core/web-pubsub.context.js';
import { ModuleMessages } from './web-pubsub.messages.js';

/** Apps already warned, per instance name: every registration runs the check, one line is enough. */
const warned = new WeakMap<ModulesContainer, Set<string>>();

/**
 * A provider that warns at startup when an instance is registered more than once. A second
 * `forRoot({ hub })` (say, copied from a sample into an app that already has one) silently makes a
 * second service with its own options and maps the event route again; Nest itself says nothing.
 */
export function duplicateRegistrationCheck(instance: string, moduleClass: object): Provider {
  const token = getWebPubSubToken(instance);
  return {
    provide: `WebPubSubDuplicateRegistrationCheck(${instance})`,
    useFactory: (modules: ModulesContainer, context: WebPubSubInstanceContext) => {
      const registrations = [...modules.values()].filter(
        (module) => module.metatype === moduleClass && module.providers.has(token),
      ).length;
      const seen = warned.get(modules) ?? new Set<string>();
      warned.set(modules, seen);
      if (registrations > 1 && !seen.has(instance)) {
        seen.add(instance);
        context.log('warn', ModuleMessages.registeredTwice(instance, registrations));
      }
      return registrations;
    },
    inject: [ModulesContainer, getWebPubSubContextToken(instance)],
  };
}
