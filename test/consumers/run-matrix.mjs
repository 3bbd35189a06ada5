#!/usr/bin/env node
/* global console, process, setTimeout, clearTimeout */
/*
 * The consumer matrix: the packed tarball (`npm pack`) installed into small Nest apps laid out as
 * users have them (see README.md beside this file), each type-checked with its own tsc and tested
 * with its own test runner.
 *
 *   node test/consumers/run-matrix.mjs [case ...] [--skip-build | --tarball <file>]
 *   npx -y node@22 test/consumers/run-matrix.mjs      # the whole matrix on another Node
 *
 * --skip-build packs the dist/ already built; --tarball installs a tarball packed before (what
 * `npm run test:prepare` writes to .pack/, so a CI run builds and packs once for every Node).
 *
 * Every child runs on this process's node (`process.execPath`, first in PATH). The apps are copied
 * to CONSUMERS_DIR (default: <tmpdir>/nestjs-web-pubsub-consumers), outside the repo, so module
 * resolution can never reach the repo's own node_modules; their node_modules stay there as a cache.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const CASES = ['nest11-commonjs-jest', 'nest10-commonjs-jest', 'nest12-esm-vitest', 'nest12-esm-jest'];
const TARBALL = 'nestjs-web-pubsub.tgz';
const PACKAGE = 'nestjs-web-pubsub';
const TAIL_LINES = 60;
const MINUTE = 60_000;

const USAGE = `usage: node test/consumers/run-matrix.mjs [--skip-build | --tarball <file>] [${CASES.join('|')} ...]`;
const args = process.argv.slice(2);
const skipBuild = args.includes('--skip-build');
// `--tarball <file>` or `--tarball=<file>`: the value is not a case name.
const tarballAt = args.findIndex((arg) => arg === '--tarball' || arg.startsWith('--tarball='));
const tarballArg =
  tarballAt < 0
    ? undefined
    : args[tarballAt].startsWith('--tarball=')
      ? args[tarballAt].slice('--tarball='.length)
      : args[tarballAt + 1];
const rest = args.filter(
  (_, index) => index !== tarballAt && !(index === tarballAt + 1 && args[tarballAt] === '--tarball'),
);
const unknownFlags = rest.filter((arg) => arg.startsWith('-') && arg !== '--skip-build');
const selected = rest.filter((arg) => !arg.startsWith('-'));
const unknownCases = selected.filter((name) => !CASES.includes(name));
if (unknownFlags.length > 0 || unknownCases.length > 0) {
  console.error(
    `unknown ${unknownFlags.length > 0 ? `option(s) ${unknownFlags.join(' ')}` : `case(s) ${unknownCases.join(' ')}`}`,
  );
  console.error(USAGE);
  process.exit(2);
}
if (tarballAt >= 0 && (!tarballArg || tarballArg.startsWith('-') || skipBuild)) {
  console.error(
    skipBuild
      ? '--tarball and --skip-build together: --tarball already skips the build; give one of them.'
      : '--tarball needs a file: --tarball .pack/nestjs-web-pubsub.tgz (`npm run test:prepare` writes it).',
  );
  console.error(USAGE);
  process.exit(2);
}
const prebuiltTarball = tarballArg === undefined ? undefined : path.resolve(tarballArg);
if (prebuiltTarball && !existsSync(prebuiltTarball)) {
  console.error(
    `--tarball ${tarballArg}: no such file. Run \`npm run test:prepare\` to build and pack it, or leave --tarball out to build and pack here.`,
  );
  process.exit(2);
}
const cases = selected.length > 0 ? CASES.filter((name) => selected.includes(name)) : CASES;

const workRoot = path.resolve(process.env.CONSUMERS_DIR || path.join(os.tmpdir(), 'nestjs-web-pubsub-consumers'));
const logDir = path.join(workRoot, 'logs');
/** The tarball, unpacked: what every case's node_modules/nestjs-web-pubsub must equal. */
const packedDir = path.join(workRoot, 'packed', 'package');
if (isInside(resolveReal(workRoot), resolveReal(root))) {
  console.error(
    `CONSUMERS_DIR (${workRoot}) is inside the repo: module resolution there would reach the repo's own node_modules.`,
  );
  process.exit(2);
}

/** The node every child runs on, first in PATH so `#!/usr/bin/env node` scripts (jest, vitest, tsc) find it too. */
const nodeDir = path.dirname(process.execPath);
const childEnv = {
  // Without what a parent `npm run` sets for its own package.
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(npm_(lifecycle|package|config_local_prefix)|INIT_CWD$)/i.test(name),
    ),
  ),
  PATH: [nodeDir, process.env.PATH].filter(Boolean).join(path.delimiter),
  NO_COLOR: '1',
};
const npmCli = findNpmCli();

/** The child of the step running now: killed (with its process group) if this process is interrupted. */
let running;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (running) killGroup(running);
    console.log(`\ninterrupted (${signal})`);
    process.exit(130);
  });
}

function resolveReal(dir) {
  // The nearest existing ancestor, resolved (the temp folder may itself be a link).
  let existing = dir;
  while (!existsSync(existing)) existing = path.dirname(existing);
  return path.join(realpathSync(existing), path.relative(existing, dir));
}

function isInside(dir, parent) {
  const relative = path.relative(parent, dir);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** npm's own script, to run with this node: beside it (a Node install), else the npm that started us, else the one on PATH. */
function findNpmCli() {
  const candidates = [
    path.join(nodeDir, '../lib/node_modules/npm/bin/npm-cli.js'),
    path.join(nodeDir, 'node_modules/npm/bin/npm-cli.js'),
    process.env.npm_execpath,
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'npm')),
  ];
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    if (/npm-cli\.js$/.test(real)) return real;
  }
  throw new Error('npm-cli.js not found (beside node, in npm_execpath, or on PATH)');
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Runs one command in its own process group, bounded by `timeoutMs` (then the whole group is
 * killed); resolves with its exit code, its interleaved output and how long it took.
 */
function exec(command, commandArgs, { cwd, timeoutMs }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd,
      env: childEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    const finish = (code, error) => {
      clearTimeout(timer);
      // Whatever the command left behind in its group goes with it.
      killGroup(child);
      running = undefined;
      if (error) output += `\n${error.message}`;
      if (timedOut) output += `\n[run-matrix] timed out after ${seconds(timeoutMs)}; killed its process group`;
      resolve({ code: timedOut ? 'timeout' : code, output, ms: Date.now() - started });
    };
    child.on('error', (error) => finish('spawn-error', error));
    // 'close', not 'exit': a grandchild still holding the pipes (a runner that does not exit) keeps it open until the timeout.
    child.on('close', (code, signal) => finish(code ?? signal));
  });
}

function npm(npmArgs, options) {
  return exec(process.execPath, [npmCli, ...npmArgs], options);
}

function tail(output, lines = TAIL_LINES) {
  return output.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs and reports one step; `check` (after a zero exit) may fail it, or add a note or a warning. */
async function step(report, name, label, run, check = () => ({ ok: true })) {
  const result = await run();
  const verdict = result.code === 0 ? check(result) : { ok: false };
  const logFile = path.join(logDir, `${report.name}.${name}.log`);
  await writeFile(logFile, `$ ${label}\n${result.output}`);
  const status = verdict.ok
    ? verdict.warning
      ? 'ok (warning)'
      : 'ok'
    : `FAILED (${result.code === 0 ? 'check' : `exit ${result.code}`})`;
  console.log(`[${report.name}] ${name.padEnd(10)} ${seconds(result.ms).padStart(7)}  ${status}  ${label}`);
  if (verdict.note) console.log(indent(verdict.note));
  if (verdict.warning) console.log(indent(`warning: ${verdict.warning}`));
  if (!verdict.ok) {
    console.log(indent(`--- last ${TAIL_LINES} lines (full log: ${logFile}) ---\n${tail(result.output)}\n--- end ---`));
  }
  report.steps.push({ name, ms: result.ms, ok: verdict.ok, warning: verdict.warning });
  return verdict.ok;
}

function indent(text) {
  return text.replace(/^/gm, '    ');
}

async function hashFiles(dir) {
  const hashes = new Map();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    hashes.set(
      path.relative(dir, file),
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return hashes;
}

/** Compares the installed package with the tarball's contents (unpacked in `packedDir`), file by file. */
async function compareInstalled(caseDir) {
  const installed = path.join(caseDir, 'node_modules', PACKAGE);
  if (!existsSync(installed)) return { same: false, detail: `${installed} does not exist` };
  const [expected, actual] = await Promise.all([hashFiles(packedDir), hashFiles(installed)]);
  const differing = [...new Set([...expected.keys(), ...actual.keys()])].filter(
    (file) => expected.get(file) !== actual.get(file),
  );
  return differing.length === 0
    ? { same: true, detail: `all ${expected.size} files identical to the tarball's` }
    : {
        same: false,
        detail: `${differing.length} of ${expected.size} files differ from the tarball's, e.g. ${differing.slice(0, 5).join(', ')}`,
      };
}

/**
 * Sorts the errors tsc printed by the declaration file they are in: this package's, or others'.
 * Errors in the app's own files are "ours" too (they come from our types).
 */
function classifyTscErrors(output) {
  const files = new Map();
  for (const [, file, code] of output.matchAll(/^(\S[^(\n]*)\(\d+,\d+\): error (TS\d+)/gm)) {
    files.set(file, [...(files.get(file) ?? []), code]);
  }
  const ours = [...files.keys()].filter(
    (file) => !file.includes('node_modules/') || file.includes(`node_modules/${PACKAGE}/`),
  );
  const thirdParty = [...files.keys()].filter((file) => !ours.includes(file));
  const describe = (list) => list.map((file) => `${file} (${[...new Set(files.get(file))].join(', ')})`).join('; ');
  return { ours, thirdParty, describe };
}

async function prepareCase(name) {
  const source = path.join(here, name);
  const target = path.join(workRoot, name);
  await mkdir(target, { recursive: true });
  // Fresh sources every run; node_modules and the lockfile stay as the install cache.
  for (const entry of await readdir(target)) {
    if (entry !== 'node_modules' && entry !== 'package-lock.json')
      await rm(path.join(target, entry), { recursive: true, force: true });
  }
  await cp(source, target, { recursive: true, filter: (file) => !/[\\/](node_modules|dist|coverage)$/.test(file) });
  // A cached copy of the package (same version, new contents) may be kept by npm: make it install the tarball anew.
  await rm(path.join(target, 'node_modules', PACKAGE), { recursive: true, force: true });
  const lockFile = path.join(target, 'package-lock.json');
  if (existsSync(lockFile)) {
    const lock = JSON.parse(await readFile(lockFile, 'utf8'));
    delete lock.packages?.[`node_modules/${PACKAGE}`];
    await writeFile(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  }
  return target;
}

async function runCase(name) {
  const report = { name, steps: [] };
  const dir = await prepareCase(name);
  const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  const testScript = manifest.scripts['test:e2e'] ? 'test:e2e' : 'test';
  const tsc = ['node_modules/typescript/bin/tsc', '--noEmit', '-p'];

  const installed = await step(report, 'install', 'npm i --no-audit --no-fund', () =>
    npm(['i', '--no-audit', '--no-fund'], { cwd: dir, timeoutMs: 15 * MINUTE }),
  );
  if (!installed) return report;

  const verified = await step(
    report,
    'verify',
    `installed ${PACKAGE} is the fresh tarball`,
    async () => {
      const started = Date.now();
      const { same, detail } = await compareInstalled(dir);
      return { code: same ? 0 : 1, output: detail, ms: Date.now() - started };
    },
    ({ output }) => ({ ok: true, note: output }),
  );
  if (!verified) return report;

  await step(report, 'typecheck', 'tsc --noEmit -p tsconfig.json', () =>
    exec(process.execPath, [...tsc, 'tsconfig.json'], { cwd: dir, timeoutMs: 5 * MINUTE }),
  );

  await step(
    report,
    'lib-check',
    'tsc --noEmit -p tsconfig.lib-check.json (skipLibCheck: false, no @types/ws)',
    async () => {
      if (existsSync(path.join(dir, 'node_modules/@types/ws'))) {
        const why = await npm(['explain', '@types/ws'], { cwd: dir, timeoutMs: MINUTE });
        return {
          code: 'types-ws-present',
          output: `@types/ws is installed in the app, so this check would not prove anything:\n${why.output}`,
          ms: why.ms,
        };
      }
      const result = await exec(process.execPath, [...tsc, 'tsconfig.lib-check.json'], {
        cwd: dir,
        timeoutMs: 5 * MINUTE,
      });
      // Errors only in other packages' declarations are theirs, not this package's: reported, not failed.
      if (result.code !== 0) {
        const { ours, thirdParty, describe } = classifyTscErrors(result.output);
        if (ours.length === 0 && thirdParty.length > 0) return { ...result, code: 0, thirdPartyOnly: true };
        result.output += `\n[run-matrix] errors in ${PACKAGE}'s or the app's files: ${describe(ours) || 'none'}; in third-party declarations: ${describe(thirdParty) || 'none'}`;
      }
      return result;
    },
    (result) => {
      if (!result.thirdPartyOnly) return { ok: true };
      const { thirdParty, describe } = classifyTscErrors(result.output);
      return {
        ok: true,
        warning: `errors only in third-party declarations (${thirdParty.length} files): ${describe(thirdParty)}`,
      };
    },
  );

  await step(report, 'test', `npm run ${testScript}`, () =>
    npm(['run', testScript], { cwd: dir, timeoutMs: 5 * MINUTE }),
  );
  return report;
}

async function main() {
  const started = Date.now();
  await mkdir(logDir, { recursive: true });
  const leaks = ancestors(workRoot).filter((dir) => existsSync(path.join(dir, 'node_modules')));
  console.log(`node ${process.version} (${process.execPath}), npm ${npmCli}`);
  console.log(`work dir ${workRoot}; cases: ${cases.join(', ')}`);
  // What `node` a script (`#!/usr/bin/env node`, `node --experimental-vm-modules ...`) finds on the children's PATH.
  const pathNode = await exec('node', ['-v'], { cwd: workRoot, timeoutMs: MINUTE });
  if (pathNode.output.trim() !== process.version) {
    console.log(
      `\`node\` on the children's PATH is ${pathNode.output.trim() || `missing (${pathNode.code})`}, not ${process.version}`,
    );
    process.exit(2);
  }
  if (leaks.length > 0)
    console.log(
      `warning: ${leaks.map((dir) => path.join(dir, 'node_modules')).join(', ')} exists above the work dir; the apps may resolve packages from it`,
    );

  const setup = { name: 'package', steps: [] };
  let ready = true;
  const packed = path.join(workRoot, TARBALL);
  if (prebuiltTarball) {
    ready = await step(
      setup,
      'tarball',
      `the tarball packed before: ${prebuiltTarball}`,
      async () => {
        const started = Date.now();
        await copyFile(prebuiltTarball, packed);
        const { code, output } = await unpackAndCheck(packed);
        return { code, output: `${prebuiltTarball} -> ${packed}${output}`, ms: Date.now() - started };
      },
      ({ output }) => ({ ok: true, note: output }),
    );
  } else {
    if (!skipBuild)
      ready = await step(setup, 'build', 'npm run build', () =>
        npm(['run', 'build'], { cwd: root, timeoutMs: 10 * MINUTE }),
      );
    else if (!existsSync(path.join(root, 'dist'))) ready = false;
  }
  if (ready && !prebuiltTarball) {
    ready = await step(
      setup,
      'pack',
      `npm pack --ignore-scripts --pack-destination ${workRoot}`,
      async () => {
        const result = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', workRoot], {
          cwd: root,
          timeoutMs: 5 * MINUTE,
        });
        if (result.code !== 0) return result;
        const [{ filename, size, entryCount }] = JSON.parse(result.output.slice(result.output.indexOf('[')));
        await rename(path.join(workRoot, path.basename(filename)), packed);
        const { code, output } = await unpackAndCheck(packed);
        return { ...result, code, output: `${filename} -> ${packed} (${entryCount} files, ${size} bytes)${output}` };
      },
      ({ output }) => ({ ok: true, note: output }),
    );
  } else if (!ready && skipBuild) {
    console.log('--skip-build, but there is no dist/ to pack: run without it once');
  }

  const reports = [];
  for (const name of cases) {
    if (!ready) {
      reports.push({ name, steps: [{ name: 'package', ok: false }] });
      continue;
    }
    try {
      reports.push(await runCase(name));
    } catch (error) {
      console.log(`[${name}] runner error: ${error.stack}`);
      reports.push({ name, steps: [{ name: 'runner', ok: false }] });
    }
  }

  console.log(`\ntimings (node ${process.version}, ${seconds(Date.now() - started)} in all):`);
  for (const report of [setup, ...reports]) {
    if (report.steps.length === 0) continue;
    console.log(
      `  ${report.name.padEnd(22)} ${report.steps.map((s) => `${s.name} ${s.ms === undefined ? '-' : seconds(s.ms)}${s.ok ? (s.warning ? ' (warning)' : '') : ' FAILED'}`).join(', ')}`,
    );
  }
  const failed = reports.filter((report) => report.steps.some((s) => !s.ok));
  if (failed.length > 0)
    console.log(
      `failed: ${failed
        .map(
          (report) =>
            `${report.name} (${report.steps
              .filter((s) => !s.ok)
              .map((s) => s.name)
              .join(', ')})`,
        )
        .join('; ')}`,
    );
  console.log(`consumers: ${reports.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length > 0 || !ready ? 1 : 0;
}

/**
 * Unpacks the tarball beside it (into `packedDir`, what every installed copy is compared with) and
 * checks that both builds are in it: a build running meanwhile in the repo could have emptied dist/.
 */
async function unpackAndCheck(tarball) {
  await rm(path.dirname(packedDir), { recursive: true, force: true });
  await mkdir(path.dirname(packedDir), { recursive: true });
  const unpacked = await exec('tar', ['-xzf', tarball, '-C', path.dirname(packedDir)], {
    cwd: workRoot,
    timeoutMs: MINUTE,
  });
  if (unpacked.code !== 0) return { code: unpacked.code, output: `\n${unpacked.output.trim()}` };
  const missing = ['dist/esm/index.js', 'dist/cjs/index.js', 'dist/cjs/package.json'].filter(
    (file) => !existsSync(path.join(packedDir, file)),
  );
  return missing.length > 0
    ? { code: 'incomplete', output: `\nmissing from the tarball: ${missing.join(', ')}` }
    : { code: 0, output: '' };
}

function ancestors(dir) {
  const list = [];
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    list.push(current);
    if (path.dirname(current) === current) return list;
  }
}

await main();
