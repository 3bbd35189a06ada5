import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScriptedResponse } from '../support/capture-server.js';

/**
 * Reading the test-proxy recordings of the real service kept in test/fixtures/recordings (copies of
 * public recordings; that folder's README names each file's source).
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RECORDINGS_DIR = path.join(repoRoot, 'test/fixtures/recordings');

/** One request/response pair as the Azure SDK test proxy stores it. */
export interface RecordedEntry {
  RequestUri: string;
  RequestMethod: string;
  RequestHeaders: Record<string, string>;
  /** Text for text/plain, parsed JSON for application/json, base64 for binary payloads, or null. */
  RequestBody: unknown;
  StatusCode: number;
  ResponseHeaders: Record<string, string>;
  ResponseBody: unknown;
}

export interface Recording {
  file: string;
  entries: RecordedEntry[];
}

export function recordingFiles(): string[] {
  return readdirSync(RECORDINGS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function loadRecording(file: string): Recording {
  const parsed = JSON.parse(readFileSync(path.join(RECORDINGS_DIR, file), 'utf8')) as { Entries?: RecordedEntry[] };
  if (!Array.isArray(parsed.Entries) || parsed.Entries.length === 0) throw new Error(`${file} has no Entries`);
  return { file, entries: parsed.Entries };
}

/** Header lookup ignoring case, as HTTP does. */
export function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers?.[key];
}

/** The recorded URL's path (still percent-encoded, as sent) and decoded query pairs in order. */
export function splitUri(uri: string): { path: string; query: Array<[string, string]> } {
  const { pathname, search } = new URL(uri);
  const query = search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((part): [string, string] => {
      const at = part.indexOf('=');
      return at < 0
        ? [decodeURIComponent(part), '']
        : [decodeURIComponent(part.slice(0, at)), decodeURIComponent(part.slice(at + 1))];
    });
  return { path: pathname, query };
}

/**
 * The exact bytes the recorded request carried. The test proxy keeps JSON bodies parsed, text bodies
 * as text and binary bodies base64-encoded (see the recordings' README). The recorded Content-Length,
 * when present, must agree, which checks this decoding itself.
 */
export function recordedRequestBytes(entry: RecordedEntry): Buffer {
  const contentType = header(entry.RequestHeaders, 'content-type')?.split(';')[0].trim().toLowerCase();
  const body = entry.RequestBody;
  let bytes: Buffer;
  if (body === null || body === undefined) bytes = Buffer.alloc(0);
  else if (contentType === 'application/octet-stream') bytes = Buffer.from(String(body), 'base64');
  else if (contentType === 'application/json')
    bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  else if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else throw new Error(`Cannot decode a ${typeof body} request body with content type ${contentType ?? '(none)'}`);
  const length = header(entry.RequestHeaders, 'content-length');
  if (length !== undefined && Number(length) !== bytes.length) {
    throw new Error(
      `Decoded ${bytes.length} body bytes but the recording says Content-Length ${length} (${entry.RequestUri})`,
    );
  }
  return bytes;
}

/** Connection-level headers the loopback server must not copy: Node frames the body itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/**
 * The recorded response as the loopback server sends it: same status, end-to-end headers and body,
 * with an absolute `nextLink` moved from the sanitized recorded host to `origin`.
 */
export function recordedResponse(entry: RecordedEntry, origin: string): ScriptedResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.ResponseHeaders ?? {})) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = value;
  }
  let body = entry.ResponseBody;
  if (body === null || body === undefined) return { status: entry.StatusCode, headers };
  if (typeof body === 'object' && typeof (body as { nextLink?: unknown }).nextLink === 'string') {
    const nextLink = new URL((body as { nextLink: string }).nextLink);
    body = { ...body, nextLink: `${origin}${nextLink.pathname}${nextLink.search}` };
  }
  return { status: entry.StatusCode, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}
