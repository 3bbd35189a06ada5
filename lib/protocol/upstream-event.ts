/*
 * How the service names an upstream event in its CloudEvents headers: `ce-type` says whether it is
 * a system event (connect, connected, disconnected), a group presence event (joined, left) or a
 * user event, `ce-source` which connection it came from.
 */

export type UpstreamEventKind = 'system' | 'group' | 'user';

const TYPE_SEGMENT: Record<UpstreamEventKind, string> = { system: 'sys', group: 'gp', user: 'user' };

/** `azure.webpubsub.sys.<name>`, `azure.webpubsub.gp.<name>` or `azure.webpubsub.user.<name>`. */
export function upstreamEventType(kind: UpstreamEventKind, name: string): string {
  return `azure.webpubsub.${TYPE_SEGMENT[kind]}.${name}`;
}

/** `ce-source`: `/hubs/<hub>/client/<connectionId>`. */
export function upstreamEventSource(hub: string, connectionId: string): string {
  return `/hubs/${hub}/client/${connectionId}`;
}

/**
 * A `ce-*` header value as the service writes text (CloudEvents HTTP binding 1.0.2, section
 * 3.1.3.2): printable ASCII stays as it is; space, `"`, `%` and every other character go as their
 * UTF-8 bytes, each percent-encoded (`名前` -> `%E5%90%8D%E5%89%8D`, `a b%` -> `a%20b%25`).
 * `decodeHeaderText` reads it back.
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

/**
 * A `ce-*` header value as text. Header values carry printable ASCII only, so the service writes
 * other text (e.g. an event name `名前`) percent-encoded as UTF-8, as the CloudEvents HTTP binding
 * says: one round of percent-decoding gives it back. A value that is not valid percent-encoding
 * (`100%`) is taken as it is.
 */
export function decodeHeaderText(value: string): string {
  if (!/%[0-9a-f]{2}/i.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Whether text has a control character (C0, DEL or C1), which no event name may carry. */
export function hasControlCharacter(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}
