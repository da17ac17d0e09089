import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveChromium } from '#test/support/browser';

/**
 * Which browser the e2e tests drive: CHROMIUM_PATH, then a system Chromium, then the one the
 * `@sparticuz/chromium` devDependency ships, so a machine with only npm runs them too.
 */
let folder: string;
let fakeBinary: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'browser-resolution-'));
  fakeBinary = join(folder, 'chromium');
  await writeFile(fakeBinary, '');
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('finding a Chromium for the browser tests', () => {
  it('takes CHROMIUM_PATH first, even when a system Chromium is there', async () => {
    const resolved = await resolveChromium({ CHROMIUM_PATH: fakeBinary }, fakeBinary + '-system');
    expect(resolved).toMatchObject({ executablePath: fakeBinary, source: 'CHROMIUM_PATH' });
  });

  it('fails loudly when CHROMIUM_PATH names a missing file, rather than driving another browser', async () => {
    await expect(resolveChromium({ CHROMIUM_PATH: join(folder, 'missing') })).rejects.toThrow(/CHROMIUM_PATH points at .*missing/);
  });

  it('takes the system Chromium next', async () => {
    const resolved = await resolveChromium({}, fakeBinary);
    expect(resolved).toMatchObject({ executablePath: fakeBinary, source: 'system' });
  });

  it('falls back to the packaged Chromium, unpacked whole into a folder of its own', async () => {
    const resolved = await resolveChromium({}, join(folder, 'no-system-chromium'));
    expect(resolved.source).toBe('packaged');
    expect(resolved.executablePath).toMatch(/session-guard-chromium-\d+\.\d+\.\d+\/chromium$/);
    expect(resolved.args).not.toContain('--single-process');
    expect(resolved.args).not.toContain('--disable-web-security');
  });

});
