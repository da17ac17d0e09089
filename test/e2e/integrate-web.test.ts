import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '#test/support/browser';
import { startSweepTestStack, type SweepTestStack } from '#test/support/sweep-stack';

/**
 * The web snippet of docs/integrate.md, read from that file and run as written in a page of a web
 * app on another origin (listed in RETURN_TO_ALLOWED_ORIGINS): sign in through the login dialog,
 * read the session with the cookie across origins, see it revoked with its reason, sign out.
 */
const snippet = /```js\n(\/\/ Session Guard in a web page[\s\S]*?)```/.exec(readFileSync('docs/integrate.md', 'utf8'))?.[1];

let stack: SweepTestStack;
let app: Server;
let appOrigin: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  expect(snippet, 'docs/integrate.md has the web snippet').toBeDefined();
  // The web app listens first (port 0): its origin must be allowed before the stack starts.
  let html = '';
  app = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  stack = await startSweepTestStack({ env: { RETURN_TO_ALLOWED_ORIGINS: appOrigin } });
  html = `<!doctype html><title>Web app</title><h1>Web app</h1>
<script>window.SESSION_GUARD_URL = ${JSON.stringify(stack.url)};</script>
<script>${snippet}</script>`;
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
  await stack?.close();
});

// The snippet's functions are globals of the page.
const currentSession = () => page.evaluate(() => (globalThis as any).currentSession());

async function signInThroughTheDialog(name: string): Promise<void> {
  await page.evaluate(() => (globalThis as any).signIn());
  await page.locator('#login-form').waitFor();
  await page.locator('#user-new').check();
  await page.locator('#new-user-name').fill(name);
  await page.locator('#continue').click();
  await page.waitForURL((url) => url.origin === appOrigin);
}

describe('the web snippet of docs/integrate.md', () => {
  it('says signed out before anyone signs in', async () => {
    await page.goto(`${appOrigin}/account`);
    expect(await currentSession()).toEqual({ state: 'signed_out', code: 'unauthenticated' });
  });

  it('signs in through the login dialog and comes back to the page, signed in', async () => {
    await signInThroughTheDialog('Grace Web');
    expect(new URL(page.url()).pathname).toBe('/account');
    const session = await currentSession();
    expect(session).toMatchObject({ state: 'signed_in', session: { status: 'active' }, user: { id: expect.stringMatching(/^usr_/) } });
  });

  it('reports the revocation and its reason once Facebook ends the session and the sweep runs', async () => {
    const { user } = await currentSession();
    stack.graphEmulator().endFacebookSession(user.facebookUserId, 'logged_out');
    await stack.revalidate();
    expect(await currentSession()).toEqual({ state: 'revoked', reason: 'logged_out' });
  });

  it('signs out with the cookie from the other origin', async () => {
    await page.goto(`${appOrigin}/account`);
    await signInThroughTheDialog('Grace Again');
    expect((await currentSession()).state).toBe('signed_in');
    await page.evaluate(() => (globalThis as any).signOut());
    expect(await currentSession()).toEqual({ state: 'signed_out', code: 'unauthenticated' });
  });
});
