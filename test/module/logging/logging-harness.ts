/**
 * Shared pieces of the HTTP-logging suites: parsers for what Nest's ConsoleLogger prints and for the
 * request lines, and the checks for secrets in log text.
 */

export interface LogLine {
  level: string;
  message: string;
  context?: string;
}

const CONSOLE_LINE = /^\[Nest\] \d+\s+- .+?\s+(LOG|ERROR|WARN|DEBUG|VERBOSE|FATAL) \[([^\]]+)\] (.*)$/;

/**
 * Parses ConsoleLogger output into lines; any output line that is not one ConsoleLogger line (a
 * stray second message, a stack) is returned in `stray`.
 */
export function parseConsoleOutput(lines: string[]): { lines: LogLine[]; stray: string[] } {
  const parsed: LogLine[] = [];
  const stray: string[] = [];
  for (const line of lines) {
    const match = CONSOLE_LINE.exec(line);
    if (match) parsed.push({ level: match[1].toLowerCase(), context: match[2], message: match[3] });
    else stray.push(line);
  }
  return { lines: parsed, stray };
}

export const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The parts of one request line: `METHOD URL → status in N ms (attempt A, x-ms-client-request-id ID)`. */
export interface CallLine {
  method: string;
  url: URL;
  status: number;
  ms: number;
  attempt: number;
  requestId: string;
}

const CALL_LINE =
  /^(GET|HEAD|POST|PUT|DELETE|PATCH) (\S+) → (\d{3})(?: \(Retry-After [^)]*\))? in (\d+) ms \(attempt (\d+), x-ms-client-request-id ([^)]+)\)/;

export function parseCallLine(message: string): CallLine | undefined {
  const match = CALL_LINE.exec(message);
  if (!match) return undefined;
  return {
    method: match[1],
    url: new URL(match[2]),
    status: Number(match[3]),
    ms: Number(match[4]),
    attempt: Number(match[5]),
    requestId: match[6],
  };
}

/** Fails naming the line when any of `secrets` (or a JWT, or a Bearer value) is in the log text. */
export function expectNoSecrets(lines: string[], secrets: string[]): void {
  for (const line of lines) {
    if (JWT.test(line)) throw new Error(`A log line contains a JWT: ${line}`);
    if (/bearer\s+\S/i.test(line)) throw new Error(`A log line contains an Authorization value: ${line}`);
    if (/access_token=(?!REDACTED)/.test(line)) throw new Error(`A log line contains an access_token value: ${line}`);
    for (const secret of secrets)
      if (line.includes(secret)) throw new Error(`A log line contains "${secret}": ${line}`);
  }
}
