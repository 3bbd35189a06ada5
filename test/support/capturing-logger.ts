import type { LoggerService } from '@nestjs/common';

export interface CapturedLine {
  level: string;
  /** The message as text (an Error with its stack). */
  message: string;
  /** What followed the message (a context, a stack, more values). */
  params: unknown[];
  /** The trailing string parameter, which Nest treats as the context. */
  context?: string;
  /** Message and params as one line of text: what a secret check must search. */
  text: string;
}

/**
 * A LoggerService that keeps every line (given as a module's `logger`, or to `app.useLogger`), so
 * tests can assert what was logged and that no secret was.
 */
export class CapturingLogger implements LoggerService {
  readonly lines: CapturedLine[] = [];
  log = (message: unknown, ...params: unknown[]) => this.keep('log', message, params);
  error = (message: unknown, ...params: unknown[]) => this.keep('error', message, params);
  warn = (message: unknown, ...params: unknown[]) => this.keep('warn', message, params);
  debug = (message: unknown, ...params: unknown[]) => this.keep('debug', message, params);
  verbose = (message: unknown, ...params: unknown[]) => this.keep('verbose', message, params);
  fatal = (message: unknown, ...params: unknown[]) => this.keep('fatal', message, params);

  /** Error lines logged with the given context (the module's `WebPubSub` by default). */
  errors(context = 'WebPubSub'): string[] {
    return this.lines.filter((line) => line.level === 'error' && line.context === context).map((line) => line.message);
  }

  /** Everything logged, as one string. */
  text(): string {
    return this.lines.map((line) => line.text).join('\n');
  }

  private keep(level: string, message: unknown, params: unknown[]): void {
    const last = params.at(-1);
    const asText = (value: unknown) =>
      typeof value === 'string'
        ? value
        : value instanceof Error
          ? `${value.message}\n${value.stack}`
          : (JSON.stringify(value) ?? String(value));
    this.lines.push({
      level,
      message: asText(message),
      params,
      context: typeof last === 'string' ? last : undefined,
      text: [message, ...params].map(asText).join(' '),
    });
  }
}
