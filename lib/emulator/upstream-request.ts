/**
 * How the emulator writes text into an upstream request, as the CloudEvents HTTP binding (1.0.2,
 * section 3.1.3.2) says: a header value carries printable ASCII only, so each character that is
 * not in U+0021..U+007E, and space, `"` and `%`, goes as its UTF-8 bytes, each percent-encoded
 * (`名前` -> `%E5%90%8D%E5%89%8D`, `a b%` -> `a%20b%25`). A reader gets the text back with one
 * round of percent-decoding (`decodeURIComponent`). Values that need none of it are sent as they are.
 */
export function ceHeaderValue(value: string): string {
  let encoded = '';
  for (const character of value) {
    const code = character.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && character !== '"' && character !== '%') encoded += character;
    else
      for (const byte of Buffer.from(character, 'utf8'))
        encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** Control characters (Unicode Cc: U+0000..U+001F, U+007F..U+009F), which no event name may hold. */
export function hasControlCharacter(value: string): boolean {
  return /\p{Cc}/u.test(value);
}

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
