import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import ts from 'typescript';

/*
 * Every ```ts sample of the READMEs is compiled against the package's sources with the project's
 * compiler options, each as its own module (so each must be complete: imports included). A sample
 * whose first line is `// <name>.ts` is that file, and other samples may import it as `./<name>.js`.
 * Samples marked `(the full app: test/consumers/<case>)` are excerpts of apps with their own
 * compiler settings and runner: readme-consumer-samples.spec.ts checks those against the apps.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const READMES = ['README.md', 'sample-app/README.md'];
/** Where the samples pretend to live: inside the repository, so node_modules and `paths` resolve. */
const SAMPLES_DIR = path.join(root, 'test', 'readme', '.samples');
/** The first line of a sample taken from a consumer app (compiled and run there, not here). */
const CONSUMER_SAMPLE = /^\/\/ \S+ \(the full app: test\/consumers\/[\w-]+\)$/;

interface Sample {
  readme: string;
  /** 1-based line of the first code line. */
  line: number;
  fileName: string;
  code: string;
}

function extractSamples(readme: string): Sample[] {
  const lines = readFileSync(path.join(root, readme), 'utf8').split('\n');
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    if (end === lines.length) throw new Error(`${readme}:${i + 1}: a \`\`\`ts block is never closed.`);
    const code = lines.slice(start, end).join('\n');
    if (CONSUMER_SAMPLE.test(lines[start] ?? '')) {
      i = end;
      continue;
    }
    const named = /^\/\/ ([\w.-]+\.ts)$/.exec(lines[start]?.trim() ?? '');
    const base = named ? named[1] : `${readme.replace(/\W+/g, '-')}-line-${start + 1}.ts`;
    samples.push({ readme, line: start + 1, fileName: path.join(SAMPLES_DIR, base), code });
    i = end;
  }
  return samples;
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(root, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath);
  return { ...parsed.options, noEmit: true, declaration: false, sourceMap: false, noUnusedLocals: false };
}

/** Type-checks all samples in one program (lib once); diagnostics by sample file. */
function typeCheck(samples: Sample[]): Map<string, string[]> {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const byName = new Map(samples.map((sample) => [sample.fileName, sample]));
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (name) => byName.has(name) || fileExists.call(host, name);
  host.directoryExists = (name) =>
    name === SAMPLES_DIR || (directoryExists?.call(host, name) ?? ts.sys.directoryExists(name));
  host.readFile = (name) => byName.get(name)?.code ?? readFile.call(host, name);
  host.getSourceFile = (name, languageVersion, ...rest) => {
    const sample = byName.get(name);
    return sample
      ? ts.createSourceFile(name, sample.code, languageVersion, true)
      : getSourceFile.call(host, name, languageVersion, ...rest);
  };
  const program = ts.createProgram([...byName.keys()], options, host);
  const problems = new Map<string, string[]>(samples.map((sample) => [sample.fileName, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const sample = file ? byName.get(file) : undefined;
    if (!sample) {
      // Outside the samples (e.g. the package's own sources): report it against every sample.
      for (const list of problems.values()) list.push(`${file ?? 'global'}: ${message}`);
      continue;
    }
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    problems.get(file!)!.push(`${sample.readme}:${sample.line + line}: ${message}`);
  }
  return problems;
}

const samples = READMES.flatMap(extractSamples);

describe('README code samples', () => {
  let problems: Map<string, string[]>;
  beforeAll(() => {
    problems = typeCheck(samples);
  }, 60_000);

  it('finds every ```ts block (the extraction itself works)', () => {
    const opened = READMES.map(
      (readme) =>
        readFileSync(path.join(root, readme), 'utf8').match(/^```ts\n(?!\/\/ \S+ \(the full app: )/gm)?.length ?? 0,
    ).reduce((a, b) => a + b, 0);
    expect(samples).toHaveLength(opened);
    expect(samples.length).toBeGreaterThanOrEqual(10);
    expect(new Set(samples.map((sample) => sample.fileName)).size).toBe(samples.length);
  });

  it('catches a broken sample (the check can fail)', () => {
    const broken: Sample = {
      readme: 'README.md',
      line: 1,
      fileName: path.join(SAMPLES_DIR, 'broken.ts'),
      code: "import { WebPubSubModule } from 'nestjs-web-pubsub';\nWebPubSubModule.forRoot({ hubb: 'chat' });\n",
    };
    expect(typeCheck([broken]).get(broken.fileName)).toEqual([expect.stringContaining("'hubb' does not exist")]);
  }, 60_000);

  it('names only npm scripts that exist in its shell commands', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
        .scripts,
    );
    const named = READMES.flatMap((readme) =>
      [...readFileSync(path.join(root, readme), 'utf8').matchAll(/^```bash\n([\s\S]*?)^```$/gm)].flatMap(([, block]) =>
        [...block.matchAll(/\bnpm (?:run (?:--silent )?([\w:-]+)|(start|test))\b/g)].map(
          (match) => match[1] ?? match[2],
        ),
      ),
    );
    expect(named).toEqual(expect.arrayContaining(['start', 'test', 'build']));
    expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
  });

  it.each(samples.map((sample) => [`${sample.readme}:${sample.line}`, sample] as const))(
    '%s compiles',
    (_where, sample) => {
      expect(problems.get(sample.fileName)).toEqual([]);
    },
  );
});
