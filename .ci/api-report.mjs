#!/usr/bin/env node
// API Extractor over every entry point of package.json `exports`, from the built ESM declarations
// (dist/esm: run `npm run build` first). One report per entry in api/:
//   node .ci/api-report.mjs --check   fails when an entry's public API differs from its report
//   node .ci/api-report.mjs --update  rewrites the reports (review and commit the diff)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const mode = process.argv[2];
if (mode !== '--check' && mode !== '--update') {
  console.error('Usage: node .ci/api-report.mjs --check | --update (after npm run build).');
  process.exit(2);
}

/** `.` -> nestjs-web-pubsub, `./rest` -> nestjs-web-pubsub-rest: the report's file name. */
const reportName = (subpath) => (subpath === '.' ? pkg.name : `${pkg.name}-${subpath.slice(2).replaceAll('/', '-')}`);
const entries = Object.entries(pkg.exports)
  .filter(([, targets]) => typeof targets === 'object' && targets.import?.types)
  .map(([subpath, targets]) => ({ subpath, name: reportName(subpath), types: path.join(root, targets.import.types) }));

const missing = entries.filter((entry) => !existsSync(entry.types));
if (missing.length > 0) {
  console.error(
    `No declarations for ${missing.map((entry) => entry.subpath).join(', ')} (${path.relative(root, missing[0].types)}). Run \`npm run build\` first.`,
  );
  process.exit(1);
}

// The temp copy of each report is written outside the tree; only --update replaces the checked-in one.
const temp = mkdtempSync(path.join(os.tmpdir(), 'nestjs-web-pubsub-api-'));
const failed = [];
try {
  for (const entry of entries) {
    const config = ExtractorConfig.prepare({
      configObjectFullPath: path.join(root, '.ci/api-report.mjs'),
      packageJsonFullPath: path.join(root, 'package.json'),
      configObject: {
        projectFolder: root,
        mainEntryPointFilePath: entry.types,
        // The bundled compiler reads our TypeScript 6 declarations with these options (no emit).
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              target: 'ES2022',
              module: 'nodenext',
              moduleResolution: 'nodenext',
              lib: ['ES2023'],
              types: ['node'],
              skipLibCheck: true,
              strict: true,
            },
            files: [entry.types],
          },
        },
        apiReport: {
          enabled: true,
          reportFileName: `${entry.name}.api.md`,
          reportFolder: path.join(root, 'api'),
          reportTempFolder: temp,
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: 'lf',
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          // Findings about the API itself (e.g. a type used but not exported by this entry) go into
          // the report, where a reviewer sees them in the diff, rather than failing the run.
          extractorMessageReporting: {
            default: { logLevel: 'warning', addToApiReportFile: true },
            'ae-missing-release-tag': { logLevel: 'none' },
            'ae-undocumented': { logLevel: 'none' },
          },
          // Our doc comments are Markdown-flavoured prose, not strict TSDoc.
          tsdocMessageReporting: { default: { logLevel: 'none' } },
        },
      },
    });
    const result = Extractor.invoke(config, { localBuild: mode === '--update', showVerboseMessages: false });
    const status = result.succeeded
      ? 'ok'
      : result.apiReportChanged
        ? 'differs from its report'
        : `${result.errorCount} errors, ${result.warningCount} warnings`;
    console.log(`${entry.subpath.padEnd(10)} api/${entry.name}.api.md: ${status}`);
    if (!result.succeeded) failed.push(entry.subpath);
    // Show what changed before the temp copy goes (git diff works on files outside a repository too).
    if (result.apiReportChanged && mode === '--check') {
      spawnSync(
        'git',
        ['diff', '--no-index', '--', path.join('api', `${entry.name}.api.md`), path.join(temp, `${entry.name}.api.md`)],
        { cwd: root, stdio: 'inherit' },
      );
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
if (failed.length > 0) {
  console.error(
    mode === '--check'
      ? `The public API of ${failed.join(', ')} differs from api/ (the diff above: checked-in report, then the built API). If the change is meant: npm run api:update, review the diff of api/, add a CHANGELOG line, and commit both.`
      : `API Extractor failed for ${failed.join(', ')} (see the messages above).`,
  );
  process.exit(1);
}
