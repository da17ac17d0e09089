import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '#test/support/browser';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * Re-authentication in a real browser, from the demo page: the sensitive action refused once the
 * sign-in is older than 5 minutes, "Confirm it's you" through the emulator's dialog (which asks for
 * the password again), the action allowed, and the same callback URL replayed and refused.
 */
let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let sessionId: string;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
  await page.goto(`${stack.url}/`);
  await page.locator('#continue-with-facebook').click();
  await page.locator('#login-form').waitFor();
  await page.locator('#user-new').check();
  await page.locator('#new-user-name').fill('Hedy Lamarr');
  await page.locator('#continue').click();
  await page.locator('#signed-in').waitFor();
  sessionId = (await page.locator('#session-id').textContent())!;
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
});

describe('a sensitive action on the demo page', () => {
  it('is allowed right after signing in', async () => {
    await page.locator('#sensitive-action').click();
    await page.locator('#sensitive-result[data-outcome="allowed"]').waitFor();
    expect(await page.locator('#confirm-its-you').isHidden()).toBe(true);
  });

  it('is refused once the sign-in is older than 5 minutes, offering "Confirm it\'s you"', async () => {
    await stack.updateItem(`SESSION#${sessionId}`, 'SESSION', { authTime: Date.now() - 6 * 60_000 });
    await page.locator('#sensitive-action').click();
    await page.locator('#sensitive-result[data-outcome="refused"]').waitFor();
    expect(await page.locator('#sensitive-result').textContent()).toContain('older than 5 minutes');
    expect(await page.locator('#confirm-its-you').isVisible()).toBe(true);
  });

  let callbackUrl: string;

  it('goes through the login dialog, which asks for the password again, and comes back confirmed', async () => {
    const callbacks: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/auth/facebook/callback')) callbacks.push(request.url());
    });
    await page.locator('#confirm-its-you').click();
    await page.locator('#login-form').waitFor();
    expect(new URL(page.url()).searchParams.get('auth_type')).toBe('reauthenticate');
    expect(new URL(page.url()).searchParams.get('auth_nonce')).toMatch(/^[A-Za-z0-9]{32}$/);
    // Continue without the password: the dialog insists.
    await page.locator('#continue').click();
    await page.locator('#password-error').waitFor();
    await page.locator('#password').fill('correct horse battery staple');
    await page.locator('#continue').click();
    await page.locator('#signed-in').waitFor();
    expect(page.url()).toBe(`${stack.url}/`);
    expect(await page.locator('#notice').textContent()).toContain('Confirmed');
    expect(callbacks).toHaveLength(1);
    callbackUrl = callbacks[0]!;
    // Same session, same cookie: only its authTime moved.
    expect(await page.locator('#session-id').textContent()).toBe(sessionId);
    expect((await context.cookies()).map((c) => c.name)).toEqual(['sg_session']);
  });

  it('is allowed after re-authenticating', async () => {
    await page.locator('#sensitive-action').click();
    await page.locator('#sensitive-result[data-outcome="allowed"]').waitFor();
  });

  it('refuses the same callback URL replayed, and the session stays as it was', async () => {
    const before = await stack.getItem(`SESSION#${sessionId}`, 'SESSION');
    const replay = await context.newPage();
    const response = await replay.goto(callbackUrl);
    expect(response?.status()).toBe(400);
    expect(await replay.locator('#sign-in-error').getAttribute('data-error-code')).toBe('login_state_invalid');
    expect(await stack.getItem(`SESSION#${sessionId}`, 'SESSION')).toEqual(before);
    await replay.close();
  });
});
