import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/free-port.js';
import { ensureSampleBuilt } from './prebuilt.js';
import { waitFor } from '../support/wait-for.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The package and the sample app built as `npm start` builds them (the sample imports `nestjs-web-pubsub` from dist/). */
export function buildSampleApp(): void {
  ensureSampleBuilt();
}

/**
 * The compiled sample app, running as its own Node process. Without `connectionString` it runs with
 * no WEBPUBSUB_CONNECTION_STRING (so on its embedded emulator).
 */
export class SampleAppProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer) => (this.output += chunk.toString('utf8'));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  }

  static async start(options: { port?: number; connectionString?: string } = {}): Promise<SampleAppProcess> {
    const port = options.port ?? (await freePort());
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), NO_COLOR: '1' };
    delete env.WEBPUBSUB_CONNECTION_STRING;
    delete env.NODE_ENV;
    if (options.connectionString) env.WEBPUBSUB_CONNECTION_STRING = options.connectionString;
    const child = spawn(process.execPath, ['sample-app/dist/main.js'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new SampleAppProcess(child, `http://127.0.0.1:${port}`);
    try {
      await waitFor(
        () => app.output.includes('Chat sample ready') || child.exitCode !== null,
        'the sample app to start',
        20_000,
      );
    } catch (error) {
      await app.stop();
      throw new Error(`${(error as Error).message}. Its output:\n${app.output}`, { cause: error });
    }
    if (child.exitCode !== null) throw new Error(`The sample app exited with ${child.exitCode}:\n${app.output}`);
    return app;
  }

  /** Everything the app printed, one entry per line. */
  lines(): string[] {
    return this.output.split('\n').filter((line) => line.trim() !== '');
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    return this.child.exitCode;
  }
}
