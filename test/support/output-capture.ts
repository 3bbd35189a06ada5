import { inspect } from 'node:util';
import { jest } from '@jest/globals';

/** What the process printed while capturing; nothing of it reaches the terminal. */
export interface OutputCapture {
  stdout: string[];
  stderr: string[];
  /** console.* calls, when captured on their own (`{ console: true }`). */
  console: string[];
  /** stdout and stderr as one text, in the order written, ANSI colours removed. */
  text(): string;
  /** Every non-empty line of text(). */
  lines(): string[];
  restore(): void;
}

/**
 * Captures stdout and stderr (console calls write there too), or with `console: true` also keeps
 * console.* calls apart, as the values they were given.
 */
export function captureOutput(options: { console?: boolean } = {}): OutputCapture {
  const written: string[] = [];
  const asText = (chunk: unknown) =>
    typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  const keep = (into: string[]) =>
    ((chunk: unknown) => {
      into.push(asText(chunk));
      written.push(asText(chunk));
      return true;
    }) as never;
  const text = () => written.join('').replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
  const capture: OutputCapture = {
    stdout: [],
    stderr: [],
    console: [],
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== ''),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(keep(capture.stdout)),
    jest.spyOn(process.stderr, 'write').mockImplementation(keep(capture.stderr)),
    ...(options.console
      ? (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
          jest
            .spyOn(console, method)
            .mockImplementation(
              (...args: unknown[]) =>
                void capture.console.push(args.map((arg) => inspect(arg, { depth: 8 })).join(' ')),
            ),
        )
      : []),
  ];
  return capture;
}
