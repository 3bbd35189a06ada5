import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { SDK_VERSION } from '../../lib/client/index.js';
import { ensureBuilt, packedTarball } from '../support/prebuilt.js';

/*
 * The package as a user installs it: built with `npm run build` into an ESM copy (dist/esm, what Node
 * loads for both import and require) and a CommonJS copy (dist/cjs, for Jest in CommonJS mode), every
 * `exports` target present, and the built entries loadable from plain Node processes (no ts-jest).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  type: string;
  exports: Record<string, string | Record<string, { types: string; default: string }>>;
  files: string[];
  scripts: Record<string, string>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** Every file an `exports` entry points at, with the conditions that name it. */
function exportTargets(): Array<[subpath: string, conditions: string, target: string]> {
  return Object.entries(pkg.exports).flatMap(([subpath, entry]) =>
    typeof entry === 'string'
      ? [[subpath, 'default', entry] as [string, string, string]]
      : Object.entries(entry).flatMap(([condition, targets]) =>
          Object.entries(targets).map(
            ([inner, target]) => [subpath, `${condition}.${inner}`, target] as [string, string, string],
          ),
        ),
  );
}

/** Runs a script in a plain Node process at the repo root; a failure throws with what it printed on stderr. */
function runNode(script: string, inputType: 'module' | 'commonjs' = 'module'): string {
  try {
    return execFileSync(process.execPath, [`--input-type=${inputType}`, '-e', script], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    throw new Error(`The script failed:\n${String((error as { stderr?: string }).stderr).slice(-3000)}`, {
      cause: error,
    });
  }
}

describe('packaging: one ESM implementation for Node, a CommonJS copy for Jest', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('is an ESM package that publishes only dist/ and the LICENSE', () => {
    expect(pkg.name).toBe('nestjs-web-pubsub');
    expect(pkg.type).toBe('module');
    expect(pkg.files).toEqual(['dist', 'LICENSE']);
    // npm pack / npm publish from a fresh clone (no dist/ yet) builds first, or the tarball is empty.
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it('marks dist/cjs as CommonJS, so Node and TypeScript read its .js and .d.ts files as such', () => {
    expect(JSON.parse(readFileSync(path.join(root, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(readFileSync(path.join(root, 'dist/cjs/index.js'), 'utf8')).toMatch(/require\("\.\/client\/index\.js"\)/);
    expect(readFileSync(path.join(root, 'dist/esm/index.js'), 'utf8')).toMatch(/^export \{/m);
  });

  it('loads one copy in Node: require() and import give the same classes (one WebPubSubService token)', () => {
    const output = runNode(`
      import { createRequire } from 'node:module';
      const required = createRequire(import.meta.url)('nestjs-web-pubsub');
      const imported = await import('nestjs-web-pubsub');
      const requiredEmulator = createRequire(import.meta.url)('nestjs-web-pubsub/emulator');
      const importedEmulator = await import('nestjs-web-pubsub/emulator');
      const requiredRest = createRequire(import.meta.url)('nestjs-web-pubsub/rest');
      const importedRest = await import('nestjs-web-pubsub/rest');
      console.log(JSON.stringify({
        service: required.WebPubSubService === imported.WebPubSubService,
        module: required.WebPubSubModule === imported.WebPubSubModule,
        emulator: requiredEmulator.WebPubSubEmulator === importedEmulator.WebPubSubEmulator,
        rest: requiredRest.buildSendToAllRequest === importedRest.buildSendToAllRequest,
        resolved: createRequire(import.meta.url).resolve('nestjs-web-pubsub'),
      }));
    `);
    expect(JSON.parse(output)).toEqual({
      service: true,
      module: true,
      emulator: true,
      rest: true,
      resolved: path.join(root, 'dist/esm/index.js'),
    });
  });

  it('injects WebPubSubService into an ESM app from a module that a CommonJS library registered with require()', () => {
    // The dual-package hazard in its real form: a CommonJS library (a shared Nest module in a
    // monorepo, say) requires the package and registers the module; the ESM app imports the service
    // class as its injection token. With two copies loaded, Nest could not resolve it.
    const output = runNode(`
      import 'reflect-metadata';
      import { createRequire } from 'node:module';
      import { Module, Injectable, Inject } from '@nestjs/common';
      import { NestFactory } from '@nestjs/core';
      import { WebPubSubService } from 'nestjs-web-pubsub';
      const library = createRequire(import.meta.url)('./test/packaging/fixtures/commonjs-library.cjs');
      class Consumer { constructor(service) { this.service = service; } }
      Inject(WebPubSubService)(Consumer, undefined, 0);
      Injectable()(Consumer);
      class AppModule {}
      Module({ imports: [library.RealtimeLibraryModule], providers: [Consumer] })(AppModule);
      const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
      const service = app.get(Consumer).service;
      console.log(JSON.stringify({ same: service === app.get(WebPubSubService), hub: service.hubName, instance: service instanceof WebPubSubService }));
      await app.close();
    `);
    expect(JSON.parse(output)).toEqual({ same: true, hub: 'library_hub', instance: true });
  });

  it('resolves the types of every entry under node10, node16 (CommonJS and ESM) and bundler resolution (arethetypeswrong)', () => {
    const { tarball, tempDir } = packedTarball();
    try {
      // attw exits non-zero when it finds a problem; the JSON report says which, per entry and resolution.
      const report = JSON.parse(
        execFileSync(path.join(root, 'node_modules/.bin/attw'), [tarball, '--format', 'json'], {
          encoding: 'utf8',
          stdio: 'pipe',
        }),
      ) as {
        problems: Record<string, unknown>;
        analysis: {
          entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>;
        };
      };
      expect(report.problems).toEqual({});
      const resolved = Object.fromEntries(
        Object.entries(report.analysis.entrypoints).map(([entry, { resolutions }]) => [
          entry,
          Object.fromEntries(
            Object.entries(resolutions).map(([kind, { resolution }]) => [
              kind,
              resolution?.fileName.replace('/node_modules/nestjs-web-pubsub/', ''),
            ]),
          ),
        ]),
      );
      expect(resolved['./testing']).toEqual({
        node10: 'dist/cjs/testing/index.d.ts',
        'node16-cjs': 'dist/cjs/testing/index.d.ts',
        'node16-esm': 'dist/esm/testing/index.d.ts',
        bundler: 'dist/esm/testing/index.d.ts',
      });
      expect(resolved['./rest']).toEqual({
        node10: 'dist/cjs/rest/index.d.ts',
        'node16-cjs': 'dist/cjs/rest/index.d.ts',
        'node16-esm': 'dist/esm/rest/index.d.ts',
        bundler: 'dist/esm/rest/index.d.ts',
      });
      expect(Object.keys(resolved).sort()).toEqual([
        '.',
        './emulator',
        './gateway',
        './health',
        './package.json',
        './rest',
        './testing',
      ]);
    } finally {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("declares its public types with no package whose types it does not bring (no `ws`, so no @types/ws in users' apps)", () => {
    const imported = new Set<string>();
    for (const file of readdirSync(path.join(root, 'dist'), { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.d.ts'),
    )) {
      for (const match of readFileSync(path.join(root, 'dist', file), 'utf8').matchAll(
        /(?:from |import\()['"]([^'".][^'"]*)['"]/g,
      ))
        imported.add(match[1]);
    }
    const packageOf = (specifier: string) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/');
    const packages = [...new Set([...imported].filter((name) => !name.startsWith('node:')).map(packageOf))].sort();
    expect(packages).toEqual([
      '@azure/core-auth',
      '@azure/core-rest-pipeline',
      '@azure/core-tracing',
      '@azure/logger',
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/terminus',
      'rxjs',
    ]);
  });

  it('keeps dist/cjs loadable by a plain require, as Jest in CommonJS mode loads it', () => {
    const output = runNode(
      `
      const api = require('./dist/cjs/index.js');
      const rest = require('./dist/cjs/rest/index.js');
      const emulator = require('./dist/cjs/emulator/index.js');
      const testing = require('./dist/cjs/testing/index.js');
      const health = require('./dist/cjs/health/web-pubsub.health.js');
      const gateway = require('./dist/cjs/gateway/index.js');
      console.log(JSON.stringify({
        service: typeof api.WebPubSubService,
        module: typeof api.WebPubSubModule.forRootAsync,
        rest: typeof rest.buildSendToAllRequest,
        emulator: typeof emulator.WebPubSubEmulator.start,
        testClient: typeof testing.WebPubSubTestClient.connect,
        health: typeof health.WebPubSubHealthIndicator,
        gateway: typeof gateway.WebPubSubAdapter,
      }));
    `,
      'commonjs',
    );
    expect(JSON.parse(output)).toEqual({
      service: 'function',
      module: 'function',
      rest: 'function',
      emulator: 'function',
      testClient: 'function',
      health: 'function',
      gateway: 'function',
    });
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
      const rest = await import('nestjs-web-pubsub/rest');
      const client = new api.WebPubSubRestClient('Endpoint=http://localhost:8080;AccessKey=k;Version=1.0;', 'chat');
      const token = await client.getClientAccessToken({ userId: 'u1' });
      console.log(JSON.stringify({
        names: Object.keys(api).sort(),
        restNames: Object.keys(rest).sort(),
        baseUrl: token.baseUrl,
        builder: rest.buildSendToAllRequest({ hub: 'chat' }, { a: 1 }).path,
        filter: api.odata\`userId eq \${"o'b"}\`,
      }));
    `);
    const result = JSON.parse(output) as {
      names: string[];
      restNames: string[];
      baseUrl: string;
      builder: string;
      filter: string;
    };
    expect(result.names).toEqual(
      expect.arrayContaining([
        'WebPubSubRestClient',
        'WebPubSubRestError',
        'WebPubSubArgumentError',
        'AzureKeyCredential',
        'odata',
      ]),
    );
    // The request builders are in /rest only (25 of them, one per REST operation), not in the root.
    expect(result.names.filter((name) => name.startsWith('build'))).toEqual([]);
    expect(result.restNames.filter((name) => /^build[A-Z]\w*Request$/.test(name))).toHaveLength(25);
    expect(result.restNames.every((name) => name.startsWith('build'))).toBe(true);
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

  it('ships declaration files for both copies', () => {
    for (const copy of ['esm', 'cjs'])
      expect(readFileSync(path.join(root, `dist/${copy}/index.d.ts`), 'utf8')).toContain('WebPubSubRestClient');
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
        for (const match of readFileSync(file, 'utf8').matchAll(/(?:from '|require\\(")([^'".][^'"]*)/g)) seen.add(match[1]);
      });
      walk('dist');
      console.log(JSON.stringify([...seen]));
    `);
    const imported = (JSON.parse(output) as string[]).filter((name) => !name.startsWith('node:'));
    const allowed = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)];
    const packageOf = (specifier: string) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/');
    expect(imported.map(packageOf).filter((name) => !allowed.includes(name))).toEqual([]);
  });

  it('importing the root never loads @nestjs/websockets or the gateway code (every module Node resolves, seen by a loader hook)', () => {
    // A resolve hook reports each URL Node resolves; '@nestjs/websockets' imported after the root shows the hook sees it.
    const output = runNode(`
      import { register } from 'node:module';
      import { MessageChannel } from 'node:worker_threads';
      const { port1, port2 } = new MessageChannel();
      const resolved = [];
      port1.on('message', (url) => resolved.push(url));
      const hook = 'let port; export function initialize(data) { port = data.port; }'
        + ' export async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }';
      register('data:text/javascript,' + encodeURIComponent(hook), { data: { port: port2 }, transferList: [port2] });
      const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
      await import('nestjs-web-pubsub');
      await settle();
      const root = resolved.splice(0);
      await import('@nestjs/websockets');
      await settle();
      const websockets = resolved.splice(0);
      port1.close();
      console.log(JSON.stringify({ root, websockets }));
    `);
    const { root: loadedByRoot, websockets } = JSON.parse(output) as { root: string[]; websockets: string[] };
    const isWebsockets = (url: string) => url.includes('/node_modules/@nestjs/websockets/');
    expect(loadedByRoot).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/dist\/esm\/index\.js$/),
        expect.stringMatching(/\/dist\/esm\/events\/events\.controller\.js$/),
      ]),
    );
    expect(loadedByRoot.filter((url) => isWebsockets(url) || url.includes('/dist/esm/gateway/'))).toEqual([]);
    expect(websockets.filter(isWebsockets).length).toBeGreaterThan(0);
  });

  it('loads nestjs-web-pubsub/gateway from both builds: ESM import and require by name (one copy), and the CommonJS copy by require', () => {
    const output = runNode(`
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const imported = await import('nestjs-web-pubsub/gateway');
      const required = require('nestjs-web-pubsub/gateway');
      const commonjs = require('./dist/cjs/gateway/index.js');
      console.log(JSON.stringify({
        imported: Object.keys(imported).sort(),
        commonjs: Object.keys(commonjs).filter((name) => name !== '__esModule').sort(),
        same: imported.WebPubSubAdapter === required.WebPubSubAdapter,
        copies: imported.WebPubSubAdapter !== commonjs.WebPubSubAdapter,
        resolved: require.resolve('nestjs-web-pubsub/gateway'),
      }));
    `);
    const names = ['BroadcastOperator', 'WebPubSubAdapter', 'WebPubSubServer', 'WebPubSubSocket'];
    expect(JSON.parse(output)).toEqual({
      imported: names,
      commonjs: names,
      same: true,
      copies: true,
      resolved: path.join(root, 'dist/esm/gateway/index.js'),
    });
  });

  it('importing the root loads neither ws nor any emulator code (the embedded emulator is a lazy import())', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      // Static imports only: `import('../emulator/index.js')` is what `emulator: true` loads when asked.
      // `import … from '…'`, `export … from '…'` and bare `import '…'`.
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(
        /^(?:(?:import|export)\b[^'"]*?from |import )'([^']+)'/gm,
      )) {
        if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
        else seen.add(specifier);
      }
    };
    visit(path.join(root, 'dist', 'esm', 'index.js'));
    const loaded = [...seen].map((entry) =>
      path.isAbsolute(entry) ? path.relative(path.join(root, 'dist', 'esm'), entry) : entry,
    );
    expect(loaded).toEqual(
      expect.arrayContaining(['index.js', 'module/web-pubsub.module.js', 'events/events.controller.js']),
    );
    expect(loaded.filter((entry) => entry === 'ws' || entry.startsWith('emulator/'))).toEqual([]);
    // Nor the gateway entry, nor @nestjs/websockets (an optional peer: apps without gateways need not install it).
    expect(
      loaded.filter(
        (entry) =>
          entry.startsWith('@nestjs/websockets') ||
          entry.startsWith('@nestjs/platform-') ||
          entry.startsWith('gateway/'),
      ),
    ).toEqual([]);
    expect(readFileSync(path.join(root, 'dist', 'esm', 'module', 'embedded-emulator.js'), 'utf8')).toContain(
      "import('../emulator/index.js')",
    );
  });
});
