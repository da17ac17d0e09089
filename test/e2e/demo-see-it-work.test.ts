import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFacebookControlsRoute } from '#local/demo-page';
import { launchChromium } from '#test/support/browser';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * The demo's "See it work" control, as a newcomer uses it: sign in, end the Facebook session the
 * way Facebook would, and watch Session Guard's revalidation revoke the session with the reason.
 * The stack is wired the way `npm start` wires it (sweep route plus demo control).
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
