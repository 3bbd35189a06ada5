import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The 202 server in a child process: its URL, how many requests it served, and stop(). */
export class AcceptingServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(delayMs = 0): Promise<AcceptingServer> {
    const script = fileURLToPath(new URL('./accepting-server.js', import.meta.url));
    const child = fork(script, [String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (code) => reject(new Error(`The 202 server exited with ${code}`)));
    });
    return new AcceptingServer(child, `http://127.0.0.1:${port}`);
  }

  /** A connection string for it (any key: the server checks nothing). */
  get connectionString(): string {
    return `Endpoint=${this.url};AccessKey=benchmark-key-0123456789abcdefghijklmnopqrstuv;Version=1.0;`;
  }

  served(): Promise<number> {
    return new Promise((resolve) => {
      this.child.once('message', (count) => resolve(count as number));
      this.child.send('count');
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }
}
