import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { SDK_VERSION } from '../../lib/client/index.js';

/*
 * The package as a user installs it: built with `npm run build`, every `exports` target present,
 * and the built entry importable from a plain Node process (no ts-jest, no source maps of ours).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  type: string;
  exports: Record<string, string | Record<string, string>>;
  files: string[];
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** Every file an `exports` entry points at, with the condition that names it. */
function exportTargets(): Array<[subpath: string, condition: string, target: string]> {
  return Object.entries(pkg.exports).flatMap(([subpath, entry]) =>
    typeof entry === 'string' ? [[subpath, 'default', entry] as [string, string, string]] : Object.entries(entry).map(([condition, target]) => [subpath, condition, target] as [string, string, string]),
  );
}

function runNode(script: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
}

describe('packaging (ESM)', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
  }, 120_000);

  it('is an ESM package that publishes only dist/', () => {
    expect(pkg.name).toBe('nestjs-web-pubsub');
    expect(pkg.type).toBe('module');
    expect(pkg.files).toEqual(['dist']);
  });

  it.each(exportTargets())('exports[%s].%s → %s exists after the build', (_subpath, _condition, target) => {
    expect(existsSync(path.join(root, target))).toBe(true);
  });

  it('keeps the User-Agent version equal to package.json', () => {
    expect(SDK_VERSION).toBe(pkg.version);
  });

  it('imports the built entry by package name in a separate Node process', () => {
    const output = runNode(`
      const api = await import('nestjs-web-pubsub');
      const client = new api.WebPubSubRestClient('Endpoint=http://localhost:8080;AccessKey=k;Version=1.0;', 'chat');
      const token = await client.getClientAccessToken({ userId: 'u1' });
      console.log(JSON.stringify({
        names: Object.keys(api).sort(),
        baseUrl: token.baseUrl,
        builder: api.buildSendToAllRequest('chat', { a: 1 }).path,
        filter: api.odata\`userId eq \${"o'b"}\`,
      }));
    `);
    const result = JSON.parse(output) as { names: string[]; baseUrl: string; builder: string; filter: string };
    expect(result.names).toEqual(expect.arrayContaining(['WebPubSubRestClient', 'WebPubSubRestError', 'WebPubSubArgumentError', 'AzureKeyCredential', 'odata', 'buildSendToAllRequest']));
    expect(result.baseUrl).toBe('ws://localhost:8080/client/hubs/chat');
    expect(result.builder).toBe('/api/hubs/chat/:send');
    expect(result.filter).toBe("userId eq 'o''b'");
  });

  it('starts and stops the emulator from nestjs-web-pubsub/emulator in a separate Node process', () => {
    const output = runNode(`
      const { WebPubSubEmulator } = await import('nestjs-web-pubsub/emulator');
      const { WebPubSubRestClient } = await import('nestjs-web-pubsub');
      const emulator = await WebPubSubEmulator.start();
      const alive = await new WebPubSubRestClient(emulator.connectionString, 'chat').getServiceStatus();
      await emulator.stop();
      console.log(JSON.stringify({ alive, endpoint: emulator.endpoint }));
    `);
    const result = JSON.parse(output) as { alive: boolean; endpoint: string };
    expect(result.alive).toBe(true);
    expect(result.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each(Object.entries(pkg.bin))('bin %s → %s is a built Node script', (_name, target) => {
    expect(readFileSync(path.join(root, target), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('ships declaration files for the entry', () => {
    const types = readFileSync(path.join(root, 'dist/index.d.ts'), 'utf8');
    expect(types).toContain('WebPubSubRestClient');
  });

  it('needs no runtime dependency outside "dependencies", "peerDependencies" and Node built-ins', () => {
    const output = runNode(`
      import { readFileSync, readdirSync } from 'node:fs';
      import path from 'node:path';
      const seen = new Set();
      const walk = (dir) => readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) return walk(file);
        if (!file.endsWith('.js')) return;
        for (const match of readFileSync(file, 'utf8').matchAll(/from '([^'.][^']*)'/g)) seen.add(match[1]);
      });
      walk('dist');
      console.log(JSON.stringify([...seen]));
    `);
    const imported = (JSON.parse(output) as string[]).filter((name) => !name.startsWith('node:'));
    const allowed = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)];
    const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
    expect(imported.map(packageOf).filter((name) => !allowed.includes(name))).toEqual([]);
  });
});
