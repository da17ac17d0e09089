/**
 * Stands in for the `semver` package in Lambda bundles (infra/bundling.ts aliases it here). Only
 * X-Ray's SDK brings `semver` in, from its patcher for the AWS SDK v2 (`captureAWS`, which checks
 * `AWS.VERSION` with `gte` and which we never call: our clients are v3, traced with
 * `captureAWSv3Client`). The full package weighs ~28 KB minified in every traced function, parsed
 * at every cold start, for a function that never runs. test/infra/bundling.test.ts checks that
 * this is still the only importer and the only call, and that this answers as `semver` does.
 *
 * Anything that is not a plain version throws, as `semver.gte` does for an invalid version: a
 * dependency that starts relying on ranges or prereleases fails loudly instead of silently.
 */
const PLAIN_VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

function parts(version: string): [number, number, number] {
  const match = PLAIN_VERSION.exec(version.trim());
  if (!match) throw new TypeError(`Invalid Version: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function gte(a: string, b: string): boolean {
  const [left, right] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    if (left[i] !== right[i]) return left[i]! > right[i]!;
  }
  return true;
}
