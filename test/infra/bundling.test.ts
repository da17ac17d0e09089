import { mkdtempSync, writeFileSync } from 'node:fs';
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
