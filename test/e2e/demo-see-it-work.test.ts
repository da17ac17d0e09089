import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFacebookControlsRoute } from '#local/demo-page';
import { launchChromium } from '#test/support/browser';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * The demo's "See it work" control, as a newcomer uses it: sign in, end the Facebook session the
 * way Facebook would, and watch Session Guard's revalidation revoke the session with the reason;
 * and its "Where you are signed in" list (`GET /v1/sessions`, an End button each, sign out
 * everywhere else). The stack is wired the way `npm start` wires it (sweep route plus demo control).
 */
let stack: SweepTestStack;
let browser: Browser;

beforeAll(async () => {
  let started: SweepTestStack | undefined;
  const controls = demoFacebookControlsRoute({ graph: () => started?.graph, sweepNow: () => started!.sweep.runSweep() });
  stack = await startSweepTestStack({ localRoutes: [controls] });
  started = stack;
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

describe('demo page: See it work', () => {
  it.each([
    ['password_changed', /password was changed/],
    ['logged_out', /logged out of Facebook/],
    ['app_removed', /removed the app/],
  ])('ending the Facebook session (%s) revokes ours and the page says why', async (reason, explanation) => {
    const page = await signIn(`Demo ${reason}`);
    const other = await stack.signInNewPerson('Bystander');
    await page.locator('#end-reason').selectOption(reason);
    await page.locator('#end-facebook-session').click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('Revoked');
    expect(await page.locator('#signed-out-detail').textContent()).toMatch(explanation);
    // The page's own status poll may see the revocation before the sweep's summary comes back.
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: 10_000 }).toMatch(/revoked 1\b/);
    // Only that person's session ended.
    const bystander = await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${other.sessionToken}` } });
    expect(bystander.status).toBe(200);
    await page.context().close();
  });

  it('refuses malformed control requests without touching anyone', async () => {
    const before = await stack.scanTable();
    for (const body of ['{}', '{"facebookUserId":"1","reason":"nope"}', '{"facebookUserId":"x; drop","reason":"logged_out"}', 'not json']) {
      const response = await stack.request('POST', '/_local/demo/end-facebook-session', { rawBody: body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe('invalid_request');
    }
    const unknown = await stack.request('POST', '/_local/demo/end-facebook-session', { body: { facebookUserId: '123', reason: 'logged_out' } });
    expect(unknown.status).toBe(404);
    expect(await stack.scanTable()).toEqual(before);
  });
});

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
