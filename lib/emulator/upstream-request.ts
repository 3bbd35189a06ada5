/** The handler URL with `{hub}` and `{event}` filled in, each percent-encoded as a path segment. */
export function fillTemplate(template: string, hub: string, event: string): string {
  return template.replace(/\{hub\}/gi, encodeURIComponent(hub)).replace(/\{event\}/gi, encodeURIComponent(event));
}

/**
 * The URL as the emulator's log may show it: the query (an Azure Function's `?code=` key, for
 * one) and any user info are replaced, the rest is kept so the handler can still be recognised.
 */
export function redactUrl(url: string): string {
  // Read as text, not with new URL(): a template's `{event}` would come back as `%7Bevent%7D`.
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*@)?([^?#]*)(\?[^#]*)?/i.exec(url);
  if (!match) return '(an unreadable URL)';
  return `${match[1]}${match[2] ? '(redacted)@' : ''}${match[3]}${match[4] ? '?(redacted)' : ''}`;
}

/**
 * An upstream call that failed. `message` is for the emulator's log (the handler's URL, query
 * redacted); `clientMessage` is what a client may see: the event, never the URL.
 */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly clientMessage: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

/** What a client may be told about a failure: the client-safe text of an UpstreamError, else `fallback`. */
export function clientText(error: unknown, fallback: string): string {
  return error instanceof UpstreamError ? error.clientMessage : fallback;
}
