import type { LoggerService } from '@nestjs/common';
import { getLogLevel, type Debugger } from '@azure/logger';
import { contextualWriter } from './nest-log-writer.js';

const NAMESPACE = 'azure:nestjs-web-pubsub:info';

/**
 * A logger for core-rest-pipeline's log policy that writes to a Nest logger instead of the global
 * `AzureLogger`. It is on while Azure SDK logging is (AZURE_LOG_LEVEL or `setLogLevel` at `info` or
 * `verbose`), and it belongs to one client: other Azure clients in the app log as before, and
 * nothing global is replaced. The pipeline's sanitizer has already redacted headers and query values.
 */
export function nestAzureLogger(logger: LoggerService, context: string): Debugger {
  const write = contextualWriter(logger, context);
  const log = (...args: unknown[]) => write('verbose', `${NAMESPACE} ${args.map(String).join(' ')}`);
  const debug = Object.assign((...args: unknown[]) => log(...args), {
    log,
    namespace: NAMESPACE,
    destroy: () => true,
    extend: (child: string) => Object.assign(nestAzureLogger(logger, context), { namespace: `${NAMESPACE}:${child}` }),
  });
  Object.defineProperty(debug, 'enabled', {
    get: () => getLogLevel() === 'info' || getLogLevel() === 'verbose',
    set: () => undefined,
    enumerable: true,
  });
  return debug as unknown as Debugger;
}
