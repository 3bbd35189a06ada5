import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { buildSampleApp, SampleAppProcess } from '../support/sample-app-process.js';

/** Where Debian's `chromium` package puts the browser; CHROMIUM_PATH overrides it. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches the system Chromium. A missing browser fails the test (never skips it): the browser
 * test is part of `npm test`, and `.ci/run` installs Chromium.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/** The screenshots' folder. */
export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../artifacts/browser');

/** The built sample app in its own process and a Chromium, for a describe block. */
export interface SampleInChromium {
  readonly app: SampleAppProcess;
  readonly browser: Browser;
}

/** Builds and starts the sample and launches Chromium before the block; closes both after it. */
export function useSampleInChromium(): SampleInChromium {
  let app: SampleAppProcess | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    buildSampleApp();
    app = await SampleAppProcess.start();
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  return {
    get app() {
      return app!;
    },
    get browser() {
      return browser!;
    },
  };
}
