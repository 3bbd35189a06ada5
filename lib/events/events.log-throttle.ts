import type { LogWriter } from '../core/nest-log-writer.js';
import { EventMessages } from './events.messages.js';

/** Control characters (C0, DEL, C1), and the quote and backslash that would end or fake the quoting. */
// eslint-disable-next-line no-control-regex -- control characters are what a log line must not carry
const UNSAFE = /[\u0000-\u001f\u007f-\u009f"\\]/g;

/** Longest piece of request text a log line quotes. */
export const MAX_LOGGED_TEXT = 200;

/**
 * Request text as a log line may quote it: in quotes, control characters escaped (no forged line
 * breaks or terminal escapes), cut to 200 characters with the number left out.
 */
export function quoteForLog(text: string): string {
  const cut = text.length > MAX_LOGGED_TEXT ? text.slice(0, MAX_LOGGED_TEXT) : text;
  const escaped = cut.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const rest = text.length - cut.length;
  return `"${escaped}"${rest > 0 ? `… (${rest} more characters)` : ''}`;
}

/**
 * Refusals a forger can cause at will are logged at most one line per period and reason; the next
 * line after a period says how many were left out, so nothing is dropped uncounted.
 */
export class RefusalLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly periodMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(log: LogWriter, reason: string, message: string): void {
    const now = this.now();
    const entry = this.last.get(reason);
    if (entry && now - entry.at < this.periodMs) {
      entry.suppressed++;
      return;
    }
    const suffix = entry?.suppressed ? EventMessages.suppressed(entry.suppressed, this.periodMs / 1000) : '';
    this.last.set(reason, { at: now, suppressed: 0 });
    log('warn', message + suffix);
  }
}
