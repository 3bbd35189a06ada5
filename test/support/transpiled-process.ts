import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { waitFor } from './wait-for.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Transpiles lib/ and the given entry files (paths from the repo root) into `test/artifacts/<name>/`,
 * file by file (no type check: tsc checks them anyway), keeping the tree, so a child Node process
 * can run a test app without ts-jest or a loader, and without touching dist/ (which other tests
 * rebuild). The copy sits inside the repo, so its imports find node_modules and it is ESM by the
 * root package.json. Returns the output directory.
 */
export function transpileForChild(name: string, entries: readonly string[]): string {
  const outDir = path.join(root, 'test/artifacts', name);
  rmSync(outDir, { recursive: true, force: true });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    isolatedModules: true,
  };
  for (const file of [...tsFiles(path.join(root, 'lib')), ...entries.map((entry) => path.join(root, entry))]) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file });
    const target = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return outDir;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** A child Node process running a script; its output is kept, and it reports readiness with a line. */
export class ChildApp {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    const keep = (chunk: Buffer) => (this.output += chunk.toString('utf8'));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  }

  /** Starts `node <script>` with `env` on top of ours; resolves once it printed `ready`. */
  static async start(script: string, name: string, env: Record<string, string>): Promise<ChildApp> {
    const child = spawn(process.execPath, [script], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new ChildApp(child, name);
    try {
      await waitFor(() => app.output.includes(ready) || child.exitCode !== null, `${name} to start`, 20_000);
    } catch (error) {
      await app.stop();
      throw new Error(`${(error as Error).message}. Its output:\n${app.output}`, { cause: error });
    }
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${app.output}`);
    return app;
  }

  /** Everything it printed on stdout and stderr. */
  text(): string {
    return this.output;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    return this.child.exitCode;
  }
}

/** What a child app prints once it listens. */
export const ready = 'CHILD APP READY';
