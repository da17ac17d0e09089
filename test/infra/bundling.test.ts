import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { bundlingOptions, ESM_REQUIRE_BANNER, esbuildOptionsFor, LAMBDA_NODE_TARGET } from '#infra/bundling';
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
    });
    expect(cdk.esbuildArgs).toBeUndefined();
    expect(plain.alias).toBeUndefined();
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

describe('logging, metrics and tracing in the bundles', () => {
  // functions/commons/platform/{logger,emf,xray}.ts write Powertools' and the X-Ray SDK's formats
  // in ~9 KB; the libraries themselves were ~120 KB and ~12 ms of every cold start
  // (docs/benchmarks.md). They stay development dependencies, for the conformance tests only.
  it('no bundle carries Powertools, the X-Ray SDK or its context libraries', async () => {
    for (const entry of ['authorizer', 'create-session', 'revalidation-worker', 'events-stream', 'inventory-checker']) {
      const result = await build({ ...esbuildOptionsFor(entryPath(entry)), write: false, metafile: true, outfile: 'index.mjs' });
      const thirdParty = Object.keys(result.metafile.inputs).filter((file) => /node_modules\/(@aws-lambda-powertools|aws-xray-sdk|cls-hooked|semver)\//.test(file));
      expect(thirdParty, entry).toEqual([]);
    }
  });

  it('functions/ never imports them', () => {
    const offenders: string[] = [];
    for (const file of readdirSync('functions', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      if (/from '(@aws-lambda-powertools\/[^']*|aws-xray-sdk[^']*)'/.test(readFileSync(path.join('functions', file), 'utf8'))) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
