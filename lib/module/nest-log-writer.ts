import { Logger, type LoggerService } from '@nestjs/common';

export type LogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose';

/** Writes one message at a level of a Nest logger. */
export type LogWriter = (level: LogLevel, message: string) => void;

/**
 * Writes with the module's context. A Nest `Logger` created with a context of its own adds that
 * context itself; passing ours as well would print it as a second message.
 */
export function contextualWriter(logger: LoggerService, context: string): LogWriter {
  const hasOwnContext = logger instanceof Logger && typeof (logger as unknown as { context?: unknown }).context === 'string';
  const extra = hasOwnContext ? [] : [context];
  return (level, message) => logger[level]?.(message, ...extra);
}
