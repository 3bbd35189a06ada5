/** Why a connection string was refused; the client words it (messages never include the key). */
export type ConnectionStringProblem =
  | { kind: 'not-string' }
  | { kind: 'missing-part'; part: 'Endpoint' | 'AccessKey' }
  | { kind: 'bad-endpoint'; endpoint: string }
  | { kind: 'bad-port'; port: string };

export type ConnectionStringResult =
  { ok: true; endpoint: string; accessKey: string } | { ok: false; problem: ConnectionStringProblem };

/**
 * Reads `Endpoint=...;AccessKey=...;Version=1.0;[Port=...;]` the way the official SDKs do: parts are
 * split at `;` and at their first `=`, keys are case-insensitive, unknown parts are ignored, an
 * endpoint without a scheme gets `https://`. Whitespace around parts is trimmed (a common
 * copy-paste accident). The endpoint comes back without a trailing slash, with `Port=` merged in.
 */
export function readConnectionString(connectionString: unknown): ConnectionStringResult {
  if (typeof connectionString !== 'string' || connectionString.trim() === '') return refused({ kind: 'not-string' });
  const parts = new Map<string, string>();
  for (const segment of connectionString.split(';')) {
    const separator = segment.indexOf('=');
    if (separator < 0) continue;
    parts.set(segment.slice(0, separator).trim().toLowerCase(), segment.slice(separator + 1).trim());
  }
  const rawEndpoint = parts.get('endpoint');
  if (!rawEndpoint) return refused({ kind: 'missing-part', part: 'Endpoint' });
  const accessKey = parts.get('accesskey');
  if (!accessKey) return refused({ kind: 'missing-part', part: 'AccessKey' });
  const withScheme = /^https?:\/\//i.test(rawEndpoint) ? rawEndpoint : `https://${rawEndpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return refused({ kind: 'bad-endpoint', endpoint: rawEndpoint });
  }
  const port = parts.get('port');
  if (port !== undefined && port !== '') {
    const portNumber = Number(port);
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535)
      return refused({ kind: 'bad-port', port });
    url.port = port;
  }
  return { ok: true, endpoint: trimTrailingSlashes(url.toString()), accessKey };
}

/** An http(s) URL given directly, without trailing slashes; undefined when it is not one. */
export function readEndpoint(endpoint: unknown): string | undefined {
  if (typeof endpoint !== 'string' || !/^https?:\/\//i.test(endpoint.trim())) return undefined;
  try {
    return trimTrailingSlashes(new URL(endpoint.trim()).toString());
  } catch {
    return undefined;
  }
}

/** Builds a connection string in the portal's format (the emulator prints one). */
export function formatConnectionString(endpoint: string, accessKey: string): string {
  return `Endpoint=${trimTrailingSlashes(endpoint)};AccessKey=${accessKey};Version=1.0;`;
}

function refused(problem: ConnectionStringProblem): ConnectionStringResult {
  return { ok: false, problem };
}

function trimTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}
