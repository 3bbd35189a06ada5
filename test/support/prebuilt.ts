import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * dist/, sample-app/dist/ and the packed tarball, made once per run. `npm test` and `.ci/run` make
 * them first (`npm run test:prepare`) and set NESTJS_WEB_PUBSUB_PREBUILT=1: then no spec builds.
 * Without it (a developer running a few specs), the first spec that needs one builds it, under a
 * lock, and later specs of the same jest run (in any worker) reuse it: a build empties dist/ first,
 * so two at once, or one while another spec reads dist/, would break the other.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where `npm run test:prepare` packs the tarball. */
export const PREPARED_TARBALL = path.join(root, '.pack', 'nestjs-web-pubsub.tgz');
const stateDir = path.join(root, 'node_modules', '.cache', 'nestjs-web-pubsub-test');
const PREBUILT = process.env.NESTJS_WEB_PUBSUB_PREBUILT === '1';

type Artifact = 'package' | 'sample';
const BUILDS: Record<Artifact, { script: string; output: string }> = {
  package: { script: 'build', output: 'dist/esm/index.js' },
  sample: { script: 'sample:build', output: 'sample-app/dist/main.js' },
};

/** One id per jest run, set by jest's globalSetup (test/support/jest-run-id.mjs) and inherited by every worker. */
function runId(): string {
  const id = process.env.NESTJS_WEB_PUBSUB_TEST_RUN;
  if (!id)
    throw new Error(
      'NESTJS_WEB_PUBSUB_TEST_RUN is not set: run jest with jest.config.js (its globalSetup sets it), e.g. `npm run test:jest -- <paths>`.',
    );
  return id;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `work` while holding a lock directory (a stale lock, older than 5 minutes, is taken over). */
function withLock(name: string, work: () => void): void {
  mkdirSync(stateDir, { recursive: true });
  const lock = path.join(stateDir, `${name}.lock`);
  for (const deadline = Date.now() + 300_000; ; sleep(200)) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() > deadline || Date.now() - since > 300_000) rmSync(lock, { recursive: true, force: true });
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(artifact: Artifact): void {
  const { script, output } = BUILDS[artifact];
  if (PREBUILT) {
    if (!existsSync(path.join(root, output))) {
      throw new Error(
        `NESTJS_WEB_PUBSUB_PREBUILT=1 but ${output} is missing. Run \`npm run test:prepare\` first, or unset NESTJS_WEB_PUBSUB_PREBUILT so the spec builds it.`,
      );
    }
    return;
  }
  withLock(artifact, () => {
    const marker = path.join(stateDir, `${artifact}.built-by`);
    if (existsSync(path.join(root, output)) && existsSync(marker) && readFileSync(marker, 'utf8') === runId()) return;
    try {
      execFileSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run ${script} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
    }
    writeFileSync(marker, runId());
  });
}

/** dist/ built from the current sources: by `npm run test:prepare`, or here once per jest run. */
export function ensureBuilt(): void {
  build('package');
}

/** dist/ and the sample app's build (`npm start` runs the latter, which imports the package from dist/). */
export function ensureSampleBuilt(): void {
  build('package');
  build('sample');
}

/**
 * The path of a tarball of the current dist/ (`npm pack`): the one `npm run test:prepare` made, or a
 * new one in a temp folder (removed by the caller with the folder it returns).
 */
export function packedTarball(): { tarball: string; tempDir?: string } {
  ensureBuilt();
  if (PREBUILT) {
    if (!existsSync(PREPARED_TARBALL))
      throw new Error(
        `NESTJS_WEB_PUBSUB_PREBUILT=1 but ${path.relative(root, PREPARED_TARBALL)} is missing. Run \`npm run test:prepare\` first, or unset NESTJS_WEB_PUBSUB_PREBUILT.`,
      );
    return { tarball: PREPARED_TARBALL };
  }
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'nestjs-web-pubsub-pack-'));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tempDir], {
      cwd: root,
      encoding: 'utf8',
    }),
  ) as Array<{ filename: string }>;
  return { tarball: path.join(tempDir, packed.filename), tempDir };
}
