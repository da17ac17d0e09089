import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ALIASES, bundlingOptions, ESM_REQUIRE_BANNER, esbuildOptionsFor, LAMBDA_NODE_TARGET } from '#infra/bundling';
import * as semverStandIn from '#infra/bundle-shims/semver';
import { entryPath } from '#infra/session-guard-function';

describe('bundling options', () => {
  it('NodejsFunction and plain esbuild get the same build', () => {
    const cdk = bundlingOptions();
    const plain = esbuildOptionsFor('functions/health.ts');
    expect(plain).toMatchObject({
      bundle: true,
      platform: 'node',
      format: cdk.format === OutputFormat.ESM ? 'esm' : 'cjs',
      target: cdk.target,
      mainFields: cdk.mainFields,
      banner: { js: cdk.banner },
      minify: cdk.minify,
      sourcemap: cdk.sourceMap,
      external: cdk.externalModules,
      alias: BUNDLE_ALIASES,
    });
    expect(cdk.esbuildArgs).toEqual({ '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) });
    expect(Boolean(plain.keepNames)).toBe(Boolean(cdk.keepNames));
  });

  it('targets Node.js 22 as ESM, minified, without source maps, with the AWS SDK bundled', () => {
    const cdk = bundlingOptions();
    expect(LAMBDA_NODE_TARGET).toBe('node22');
    expect(cdk).toMatchObject({ format: OutputFormat.ESM, minify: true, sourceMap: false, bundleAwsSDK: true, externalModules: [] });
    expect(cdk.forceDockerBundling).toBe(false);
  });

  it('the banner gives ESM bundles a require that works', async () => {
    const result = await build({
      ...esbuildOptionsFor(entryPath('health')),
      stdin: { contents: "export const n = require('node:path').sep;", loader: 'js', resolveDir: process.cwd() },
      entryPoints: undefined,
      write: false,
    });
    const code = result.outputFiles[0]!.text;
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'session-guard-banner-')), 'index.mjs');
    writeFileSync(file, code);
    const mod = (await import(pathToFileURL(file).href)) as { n: string };
    expect(mod.n).toBe('/');
  });
});

describe('zod in the bundles', () => {
  // Classic zod's schema classes reach every feature: one import anywhere in functions/ would put
  // ~90 KB back in each bundle (functions/commons/platform/zod.ts says why).
  it('functions/ reaches zod only through #commons/platform/zod (zod/mini)', () => {
    const offenders: string[] = [];
    for (const file of readdirSync('functions', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      if (file === path.join('commons', 'platform', 'zod.ts')) continue;
      const source = readFileSync(path.join('functions', file), 'utf8');
      if (/from '(zod|zod\/[^']*)'/.test(source)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });

  it('a bundle holds zod/mini with the English messages only, not classic zod or other locales', async () => {
    const result = await build({ ...esbuildOptionsFor(entryPath('create-session')), write: false, metafile: true, outfile: 'index.mjs' });
    // Inputs esbuild read but shook out entirely weigh nothing in the output: count only what ships.
    const shipped = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file));
    const zodFiles = shipped.filter((file) => file.includes('node_modules/zod/'));
    expect(zodFiles.some((file) => file.includes('/v4/mini/'))).toBe(true);
    expect(zodFiles.filter((file) => file.includes('/v4/classic/') || (file.includes('/v4/locales/') && !file.endsWith('/en.js')))).toEqual([]);
  });
});

describe('the semver stand-in', () => {
  const semver = createRequire(import.meta.url)('semver') as { gte(a: string, b: string): boolean };

  it('answers gte as semver does for plain versions', () => {
    const versions = [process.versions.node, '8.0.0', '7.9.9', '8.0.1', '22.11.0', '2.3.0', '2.2.99', '10.0.0', '9.10.0', 'v20.1.0'];
    for (const a of versions) {
      for (const b of versions) expect([a, b, semverStandIn.gte(a, b)]).toEqual([a, b, semver.gte(a, b)]);
    }
  });

  it('throws on what it does not understand, as semver does on an invalid version', () => {
    expect(() => semver.gte('not-a-version', '1.0.0')).toThrow(TypeError);
    expect(() => semverStandIn.gte('not-a-version', '1.0.0')).toThrow(TypeError);
    expect(() => semverStandIn.gte('^1.2.0', '1.0.0')).toThrow(TypeError);
  });

  // The stand-in is only honest while gte is all anything bundled calls: a dependency upgrade that
  // starts using another semver function must fail here, not in Lambda.
  it('is reached only by the modules it was written for, and only through gte', async () => {
    const importers = new Set<string>();
    for (const entry of ['authorizer', 'create-session', 'revalidation-worker', 'events-stream']) {
      const result = await build({ ...esbuildOptionsFor(entryPath(entry)), write: false, metafile: true, outfile: 'index.mjs' });
      for (const [file, input] of Object.entries(result.metafile.inputs)) {
        if (input.imports.some((i) => i.original === 'semver')) importers.add(file);
      }
      expect(Object.keys(result.metafile.inputs).some((file) => /node_modules\/semver\//.test(file))).toBe(false);
    }
    expect([...importers].map((file) => file.replace(/^.*node_modules\//, ''))).toEqual(['aws-xray-sdk-core/dist/lib/patchers/aws_p.js']);
    for (const file of importers) {
      const calls = readFileSync(file, 'utf8').match(/\bsemver\.\w+/g) ?? [];
      expect(new Set(calls)).toEqual(new Set(['semver.gte']));
    }
  });
});
