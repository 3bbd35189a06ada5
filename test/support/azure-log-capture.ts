import { afterEach, beforeAll } from '@jest/globals';
import { AzureLogger, getLogLevel, setLogLevel, type AzureLogLevel } from '@azure/logger';

/**
 * For specs that read what the global Azure SDK logger prints: `capture(level)` sets the level and
 * collects every line from then on; the level and AzureLogger.log are put back after each test.
 */
export function useAzureLogCapture(): { capture(level: AzureLogLevel | undefined): string[] } {
  const originalLog = AzureLogger.log;
  let originalLevel: AzureLogLevel | undefined;
  beforeAll(() => {
    originalLevel = getLogLevel();
  });
  afterEach(() => {
    AzureLogger.log = originalLog;
    setLogLevel(originalLevel);
  });
  return {
    capture(level) {
      const lines: string[] = [];
      AzureLogger.log = (...args: unknown[]) => lines.push(args.map(String).join(' '));
      setLogLevel(level);
      return lines;
    },
  };
}
