import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';

export interface ParsedConnectionString {
  /** Service URL without a trailing slash, with `Port=` merged in, e.g. `http://localhost:8080`. */
  endpoint: string;
  accessKey: string;
}

/**
 * Parses `Endpoint=...;AccessKey=...;Version=1.0;[Port=...;]` the way the official SDKs do: parts are
 * split at `;` and at their first `=`, keys are case-insensitive, unknown parts are ignored, an
 * endpoint without a scheme gets `https://`. Whitespace around parts is trimmed (a common
 * copy-paste accident). Errors never include the key.
 */
export function parseConnectionString(connectionString: unknown): ParsedConnectionString {
  if (typeof connectionString !== 'string' || connectionString.trim() === '') {
    throw new WebPubSubArgumentError('connectionString', ClientMessages.connectionStringNotString());
  }
  const parts = new Map<string, string>();
  for (const segment of connectionString.split(';')) {
    const separator = segment.indexOf('=');
    if (separator < 0) continue;
    parts.set(segment.slice(0, separator).trim().toLowerCase(), segment.slice(separator + 1).trim());
  }
  const rawEndpoint = parts.get('endpoint');
  if (!rawEndpoint) {
    throw new WebPubSubArgumentError('connectionString', ClientMessages.connectionStringMissingPart('Endpoint'));
  }
  const accessKey = parts.get('accesskey');
  if (!accessKey) {
    throw new WebPubSubArgumentError('connectionString', ClientMessages.connectionStringMissingPart('AccessKey'));
  }
  const withScheme = /^https?:\/\//i.test(rawEndpoint) ? rawEndpoint : `https://${rawEndpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new WebPubSubArgumentError('connectionString', ClientMessages.connectionStringBadEndpoint(rawEndpoint));
  }
  const port = parts.get('port');
  if (port !== undefined && port !== '') {
    const portNumber = Number(port);
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
      throw new WebPubSubArgumentError('connectionString', ClientMessages.connectionStringBadPort(port));
    }
    url.port = port;
  }
  return { endpoint: trimTrailingSlashes(url.toString()), accessKey };
}

/** Validates an endpoint URL given directly and returns it without trailing slashes. */
export function normalizeEndpoint(endpoint: unknown, name = 'endpoint'): string {
  if (typeof endpoint === 'string' && /^https?:\/\//i.test(endpoint.trim())) {
    try {
      return trimTrailingSlashes(new URL(endpoint.trim()).toString());
    } catch {
      // falls through to the error below
    }
  }
  throw new WebPubSubArgumentError(name, ClientMessages.endpointInvalid(name, endpoint));
}

/** Builds a connection string in the portal's format (used by the emulator and tests). */
export function formatConnectionString(endpoint: string, accessKey: string): string {
  return `Endpoint=${trimTrailingSlashes(endpoint)};AccessKey=${accessKey};Version=1.0;`;
}

function trimTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}
