import type { BuildOptions } from 'esbuild';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Session Guard function is bundled, declared once. `bundlingOptions()` feeds
 * `NodejsFunction`; `esbuildOptionsFor()` gives the same build to plain esbuild, so the benchmark
 * measures exactly what ships. A test keeps the two in step.
 *
 * Decisions:
 * - **ESM, `.mjs`, Node 22.** Lambda runs Node.js 22; ESM enables top-level await and tree-shaking
 *   of the SDK's ESM builds (`mainFields` prefers `module`). Some dependencies still call
 *   `require()` for Node built-ins; the banner gives the bundle a real `require`.
 * - **AWS SDK bundled, not taken from the runtime.** The runtime's SDK copy changes under us
 *   without a deploy; bundling pins the version we tested and tree-shakes it (the "Bundling"
 *   section of docs/toolchain.md). Every function must stay under its limit (`bundleLimitKb`);
 *   the infra tests check the synthesized bundles. `npm run bench` prints each bundle next to one
 *   holding only its SDK clients, and docs/benchmarks.md says where the rest goes: zod/mini, our
 *   own code, and ~9 KB of logging, metrics and tracing of our own (why not Powertools and the
 *   X-Ray SDK: the same section of docs/toolchain.md).
 * - **Minified, no source maps, no `keepNames`.** `--enable-source-maps` costs cold-start time and
 *   every stack trace, so `NODE_OPTIONS` is not set. Error classes set `name` explicitly, so logs
 *   still name the error; `keepNames` would add ~6% to every bundle for nicer frames only.
 */
export const LAMBDA_NODE_TARGET = 'node22';

/**
 * No function's bundle may reach this size (KB); the infra tests check every synthesized bundle.
 * The largest but the worker, web-login-callback, is 480 KB (docs/benchmarks.md): the limit leaves
 * ~40 KB to grow before someone has to look at what was added.
 */
export const BUNDLE_LIMIT_KB = 520;

/**
 * Functions allowed more, with the reason. The worker also carries the SSM client (~76 KB: the
 * mass-revocation guard's override parameter) and is 573 KB; it is a background function whose
 * cold start no person waits on. Same ~40 KB of room.
 */
const BUNDLE_LIMIT_EXCEPTIONS_KB: Readonly<Record<string, number>> = {
  'revalidation-worker': 615,
};

/** The size (KB) a function's bundle must stay under. */
export function bundleLimitKb(entry: string): number {
  return BUNDLE_LIMIT_EXCEPTIONS_KB[entry] ?? BUNDLE_LIMIT_KB;
}

/** Gives ESM bundles a CommonJS `require` for dependencies that still call it. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __sgCreateRequire } from 'node:module'; const require = __sgCreateRequire(import.meta.url);";

const MAIN_FIELDS = ['module', 'main'];

/** `NodejsFunction` bundling for every Session Guard function (local esbuild, never Docker). */
export function bundlingOptions(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: LAMBDA_NODE_TARGET,
    mainFields: [...MAIN_FIELDS],
    banner: ESM_REQUIRE_BANNER,
    minify: true,
    sourceMap: false,
    // Bundle @aws-sdk/* (and @smithy/*) instead of leaving them to the runtime copy: see above.
    bundleAwsSDK: true,
    externalModules: [],
    logLevel: LogLevel.WARNING,
    forceDockerBundling: false,
  };
}

/**
 * The same build as `bundlingOptions()`, as plain esbuild options for one entry file. The caller
 * chooses where the output goes (`outfile`, or `write: false` to measure it in memory).
 */
export function esbuildOptionsFor(entryPath: string): BuildOptions {
  return {
    entryPoints: [entryPath],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    target: LAMBDA_NODE_TARGET,
    mainFields: [...MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: false,
    external: [],
    logLevel: 'warning',
  };
}
