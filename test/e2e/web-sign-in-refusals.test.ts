import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { launchChromium } from '#test/support/browser';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * What a browser sees when a web sign-in goes wrong or is attacked: a cancelled dialog, a
 * tampered state, a replayed callback URL, a callback opened in another browser (login forgery),
 * and open-redirect attempts in returnTo.
 */
let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});
beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
});

async function openDialog(returnTo = '/'): Promise<void> {
  await page.goto(`${stack.url}/v1/auth/facebook/login?returnTo=${encodeURIComponent(returnTo)}`);
  await page.locator('#login-form').waitFor();
  await page.locator('#user-new').check();
}

async function expectErrorPage(code: string, words: string | RegExp): Promise<void> {
  await page.locator('#sign-in-error').waitFor();
  expect(await page.locator('#sign-in-error').getAttribute('data-error-code')).toBe(code);
  const message = (await page.locator('#sign-in-error-message').textContent()) ?? '';
  if (typeof words === 'string') expect(message).toContain(words);
  else expect(message).toMatch(words);
  expect((await context.cookies()).some((c) => c.name === 'sg_session')).toBe(false);
}

describe('a cancelled dialog', () => {
  it('returns to the demo page, which says so, signed out', async () => {
    await page.goto(`${stack.url}/`);
    await page.locator('#continue-with-facebook').click();
    await page.locator('#cancel').click();
    await page.locator('#signed-out').waitFor();
    expect(await page.locator('#notice').textContent()).toBe('You cancelled signing in with Facebook, so nothing changed.');
    // The page tidies login_error out of its address.
    expect(page.url()).toBe(`${stack.url}/`);
    expect(await context.cookies()).toEqual([]);
  });

  it('keeps returnTo’s own query when adding login_error', async () => {
    await openDialog('/?from=menu');
    const back = page.waitForResponse((r) => r.url().includes('/v1/auth/facebook/callback'));
    await page.locator('#cancel').click();
    expect((await back).headers().location).toBe('/?from=menu&login_error=cancelled');
  });
});

describe('a tampered state', () => {
  it('is refused with a page that says the link was altered', async () => {
    await openDialog();
    // An attacker edits the state the dialog will send back.
    const state = page.locator('input[name="state"]');
    const original = await state.inputValue();
    const tampered = `${original.slice(0, 42)}${original.endsWith('x') ? 'y' : 'x'}`;
    await state.evaluate((input, value) => {
      (input as unknown as { value: string }).value = value;
    }, tampered);
    await page.locator('#continue').click();
    await expectErrorPage('login_state_invalid', 'not one we issued');
    expect(await page.locator('h1').textContent()).toBe('Sign-in did not work');
  });
});

describe('a replayed callback URL', () => {
  it('works once: the second visit is refused and the first session is untouched', async () => {
    await openDialog();
    const callback = page.waitForRequest((r) => r.url().includes('/v1/auth/facebook/callback'));
    await page.locator('#continue').click();
    const callbackUrl = (await callback).url();
    await page.locator('#signed-in').waitFor();
    const [session] = await context.cookies();

    await page.goto(callbackUrl);
    await page.locator('#sign-in-error').waitFor();
    expect(await page.locator('#sign-in-error').getAttribute('data-error-code')).toBe('login_state_invalid');
    expect(await page.locator('#sign-in-error-message').textContent()).toContain('already used');
    // Still signed in with the session the first visit made.
    expect(await context.cookies()).toEqual([session]);
  });
});

describe('a callback opened in another browser (login forgery)', () => {
  it('is refused: the state is bound to the browser that started the sign-in', async () => {
    // The attacker starts a sign-in in their own browser and stops at the callback.
    const attacker = await browser.newContext();
    const attackerPage = await attacker.newPage();
    await attackerPage.goto(`${stack.url}/v1/auth/facebook/login?returnTo=/`);
    await attackerPage.locator('#user-new').check();
    // The dialog's answer is a redirect to the callback: take its Location without following it.
    let forgedLink = '';
    await attackerPage.route('**/dialog/oauth', async (route) => {
      const answer = await route.fetch({ maxRedirects: 0 });
      forgedLink = new URL(answer.headers().location!).toString();
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'stopped before the callback' });
    });
    await attackerPage.locator('#continue').click();
    await attackerPage.getByText('stopped before the callback').waitFor();
    await attacker.close();
    expect(forgedLink).toContain('/v1/auth/facebook/callback?code=');

    // The victim opens the link.
    await page.goto(forgedLink);
    await expectErrorPage('login_browser_mismatch', 'started in another browser');
  });
});

describe('open-redirect attempts in returnTo', () => {
  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', 'http:/evil.example', '/%2F%2Fevil.example', 'javascript:alert(1)', ' /x'])(
    'refuses %j on a page, before the dialog, staying on Session Guard',
    async (returnTo) => {
      const requestedHosts = new Set<string>();
      page.on('request', (request) => requestedHosts.add(new URL(request.url()).host));
      const response = await page.goto(`${stack.url}/v1/auth/facebook/login?returnTo=${encodeURIComponent(returnTo)}`);
      expect(response!.status()).toBe(400);
      await expectErrorPage('invalid_request', /^returnTo /);
      expect(new URL(page.url()).origin).toBe(new URL(stack.url).origin);
      expect([...requestedHosts]).toEqual([new URL(stack.url).host]);
    },
  );

  it('lands on the relative returnTo on Session Guard’s own origin after signing in', async () => {
    await openDialog('/?after=sign-in');
    await page.locator('#continue').click();
    await page.locator('#signed-in').waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(stack.url).origin);
  });
});
