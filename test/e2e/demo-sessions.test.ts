import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '#test/support/browser';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * The demo page's "Where you are signed in": the person's sessions from `GET /v1/sessions` with an
 * End button each, and "Sign out everywhere else", in Chromium against the local stack.
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

async function signIn(name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${stack.url}/`);
  await page.locator('#continue-with-facebook').click();
  await page.locator('#user-new').check();
  await page.locator('#new-user-name').fill(name);
  await page.locator('#continue').click();
  await page.locator('#signed-in').waitFor();
  return page;
}

/** Another session of the same person, opened from an iPhone app; its token. */
async function phoneSession(facebookUserId: string): Promise<string> {
  const sessionInfoToken = stack.graphEmulator().mintSessionInfoToken(stack.appId, facebookUserId);
  const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken }, headers: { 'user-agent': 'MyApp/3.1 CFNetwork/1490.0.4 Darwin/23.2.0' } });
  expect(response.status).toBe(201);
  return response.json.sessionToken as string;
}

const reasonOf = async (token: string) => (await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${token}` } })).json.error?.reason;

describe('demo page: where you are signed in', () => {
  it('lists the sessions, ends another one with its End button, then signs out everywhere else', async () => {
    const page = await signIn('Dee Devices');
    const facebookUserId = (await page.locator('#facebook-user-id').textContent())!.trim();
    const phone = await phoneSession(facebookUserId);
    await page.reload();
    const rows = page.locator('#sessions-list .session-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    const phoneId = phone.split('.')[1]!;
    const phoneRow = page.locator(`.session-row[data-session-id="${phoneId}"]`);
    expect(await phoneRow.textContent()).toMatch(/iOS app · mobile/);
    expect(await rows.filter({ hasText: '(this browser)' }).count()).toBe(1);

    await phoneRow.locator('button').click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    expect(await reasonOf(phone)).toBe('signed_out');

    const another = await phoneSession(facebookUserId);
    await page.locator('#sign-out-others').click();
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: 10_000 }).toMatch(/1 session\(s\) ended/);
    expect(await reasonOf(another)).toBe('signed_out_everywhere');
    // This browser's own session is kept.
    expect(await page.locator('#status').textContent()).not.toBe('Revoked');
    expect(await rows.count()).toBe(1);
    await page.context().close();
  });
});
