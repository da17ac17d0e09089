import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '#test/support/browser';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * The web sign-in in a real browser (Chromium through playwright-core, see test/support/browser.ts): the demo page at
 * `/`, the emulator's login dialog, the callback, the session cookie, live status and sign-out.
 */
let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function signInFromDemoPage(context: BrowserContext, name: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}/`);
  await page.locator('#continue-with-facebook').click();
  // The emulator's login dialog: a new test user this time.
  await page.locator('#login-form').waitFor();
  await page.locator('#user-new').check();
  await page.locator('#new-user-name').fill(name);
  await page.locator('#continue').click();
  await page.locator('#signed-in').waitFor();
  return page;
}

describe('signing in from the demo page', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await browser.newContext();
    page = await signInFromDemoPage(context, 'Ada Lovelace');
  });
  afterAll(async () => {
    await context?.close();
  });

  it('comes back to the demo page, signed in, with the address tidied (no #_=_ from Facebook)', async () => {
    expect(page.url()).toBe(`${stack.url}/`);
    await expect(page.locator('#status').textContent()).resolves.toBe('Live');
  });

  it('shows who is signed in and when the session expires', async () => {
    // The Facebook id is the app-scoped id of the test user made in the dialog.
    const { users } = (await (await fetch(`${stack.graphEmulator().url}/_emulator/users`)).json()) as { users: { id: string; name: string }[] };
    const ada = users.find((u) => u.name === 'Ada Lovelace');
    expect(await page.locator('#facebook-user-id').textContent()).toBe(ada!.id);
    expect(await page.locator('#user-id').textContent()).toMatch(/^usr_[A-Za-z0-9_-]{22}$/);
    expect(await page.locator('#session-id').textContent()).toMatch(/^ses_[A-Za-z0-9_-]{22}$/);
    const expiresIso = await page.locator('#session-expires').getAttribute('data-iso');
    expect(Date.parse(expiresIso!)).toBeGreaterThan(Date.now() + 29 * 86400_000);
    expect(await page.locator('#expires-in').textContent()).toBe('in 30 days');
    expect(await page.locator('#expires-at').textContent()).not.toBe('');
  });

  it('keeps the session in an HttpOnly, SameSite=Lax, host-only cookie whose expiry is the session’s', async () => {
    const cookies = await context.cookies();
    expect(cookies.map((c) => c.name)).toEqual(['sg_session']); // the login cookie is gone
    const [session] = cookies;
    expect(session).toMatchObject({
      name: 'sg_session',
      domain: new URL(stack.url).hostname,
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      // Local http: no Secure (the browser would drop it). Deployed stages: Secure and __Host-.
      secure: false,
    });
    expect(session!.value).toMatch(/^sg1\.ses_/);
    const expiresIso = await page.locator('#session-expires').getAttribute('data-iso');
    expect(Math.abs(session!.expires * 1000 - Date.parse(expiresIso!))).toBeLessThan(2000);
    // Scripts on the page cannot read it.
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('shows the session as revoked, with the reason, once Session Guard revokes it', async () => {
    const sessionId = (await page.locator('#session-id').textContent())!;
    await stack.updateItem(`SESSION#${sessionId}`, 'SESSION', { status: 'revoked', revokedReason: 'password_changed', revokedAt: Date.now() });
    await page.locator('#status.revoked').waitFor({ timeout: 10_000 });
    expect(await page.locator('#status').textContent()).toBe('Revoked');
    expect(await page.locator('#signed-out-detail').textContent()).toContain('the Facebook password was changed');
    await expect(page.locator('#continue-with-facebook').isVisible()).resolves.toBe(true);
  });
});

describe('signing out', () => {
  it('ends the session on the server and clears the cookie', async () => {
    const context = await browser.newContext();
    const page = await signInFromDemoPage(context, 'Grace Hopper');
    const [cookie] = await context.cookies();
    const token = cookie!.value;
    expect((await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    const deleted = page.waitForResponse((r) => r.url().endsWith('/v1/sessions/current') && r.request().method() === 'DELETE');
    await page.locator('#sign-out').click();
    expect((await deleted).status()).toBe(204);
    // The browser sent its Origin with the DELETE: that is what the CSRF check wants.
    expect((await (await deleted).request().allHeaders()).origin).toBe(new URL(stack.url).origin);
    await page.locator('#signed-out').waitFor();
    expect(await page.locator('#notice').textContent()).toContain('You signed out');
    expect(await context.cookies()).toEqual([]);
    const after = await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('unauthenticated');

    // A reload stays signed out.
    await page.reload();
    await page.locator('#signed-out').waitFor();
    expect(await page.locator('#status').textContent()).toBe('Not signed in');
    await context.close();
  });
});
