import { Logger, type LoggerService } from '@nestjs/common';

export type LogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose';

/** Writes one message at a level of a Nest logger (with a stack trace, for errors that have one). */
export type LogWriter = (level: LogLevel, message: string, stack?: string) => void;

/**
 * Writes with the module's context. A Nest `Logger` created with a context of its own adds that
 * context itself; passing ours as well would print it as a second message.
 */
export function contextualWriter(logger: LoggerService, context: string): LogWriter {
  const hasOwnContext =
    logger instanceof Logger && typeof (logger as unknown as { context?: unknown }).context === 'string';
  const extra = hasOwnContext ? [] : [context];
  return (level, message, stack) => {
    if (level === 'error' && stack !== undefined) logger.error(message, stack, ...extra);
    else logger[level]?.(message, ...extra);
  };
}
