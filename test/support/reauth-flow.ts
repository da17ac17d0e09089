import { expect } from 'vitest';
import type { TestStack } from '#test/support/local-stack';

/**
 * Re-authentication driven over plain HTTP against a test stack: signing in, starting, going through
 * the emulator's login dialog (as a browser's form post, or as the JavaScript SDK's FB.login would),
 * and completing.
 */
export interface SignedIn {
  readonly facebookUserId: string;
  readonly sessionToken: string;
  readonly sessionId: string;
  readonly bearer: Record<string, string>;
}

/** A session opened with a user access token (as a JavaScript-SDK web app does), or from a phone's session-info token. */
export async function signIn(stack: TestStack, options: { facebookUserId?: string; mobile?: boolean } = {}): Promise<SignedIn> {
  const fb = stack.graphEmulator();
  const facebookUserId = options.facebookUserId ?? fb.createTestUser(stack.appId).id;
  const body = options.mobile
    ? { sessionInfoToken: fb.mintSessionInfoToken(stack.appId, facebookUserId) }
    : { accessToken: fb.mintUserToken(stack.appId, facebookUserId) };
  const response = await stack.request('POST', '/v1/sessions', { body });
  expect(response.status).toBe(201);
  const sessionToken = response.json.sessionToken as string;
  return { facebookUserId, sessionToken, sessionId: sessionToken.split('.')[1]!, bearer: { authorization: `Bearer ${sessionToken}` } };
}

export interface Started {
  readonly nonce: string;
  readonly expiresAt: string;
  readonly dialog: URL;
  /** `sg_login=…`, as the browser would send it back on the callback. */
  readonly loginCookie: string;
}

export async function startReauth(stack: TestStack, session: SignedIn, body: Record<string, unknown> = {}): Promise<Started> {
  const response = await fetch(`${stack.url}/v1/reauth/start`, {
    method: 'POST',
    headers: { ...session.bearer, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { nonce: string; expiresAt: string; dialogUrl: string };
  expect(response.status, JSON.stringify(json)).toBe(200);
  const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('sg_login='))!;
  return { nonce: json.nonce, expiresAt: json.expiresAt, dialog: new URL(json.dialogUrl), loginCookie: setCookie.split(';')[0]! };
}

/** Submits the emulator's dialog form for these parameters; answers the redirect (the callback URL). */
export async function submitDialog(dialogUrl: URL, userId: string, extra: Record<string, string> = {}): Promise<URL> {
  const form = new URLSearchParams(dialogUrl.searchParams);
  form.set('action', 'continue');
  form.set('user_id', userId);
  if (form.get('auth_type') === 'reauthenticate') form.set('password', 'the-test-users-password');
  for (const [name, value] of Object.entries(extra)) form.set(name, value);
  const response = await fetch(`${dialogUrl.origin}${dialogUrl.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

/**
 * What FB.login(…, {auth_type, auth_nonce}) hands a JavaScript-SDK app: the user token of a login
 * through the dialog with these parameters (the dialog, then the code exchange the SDK does).
 */
export async function sdkLogin(stack: TestStack, userId: string, params: { auth_type?: string; auth_nonce?: string }): Promise<string> {
  const redirectUri = `${stack.url}/v1/auth/facebook/callback`;
  const dialog = new URL(`${stack.graphEmulator().url}/v21.0/dialog/oauth`);
  dialog.search = new URLSearchParams({ client_id: stack.appId, redirect_uri: redirectUri, response_type: 'code', ...params }).toString();
  const callback = await submitDialog(dialog, userId);
  const code = callback.searchParams.get('code')!;
  const query = new URLSearchParams({ client_id: stack.appId, client_secret: stack.appSecret, redirect_uri: redirectUri, code });
  const exchanged = (await (await fetch(`${stack.graphEmulator().url}/v21.0/oauth/access_token?${query}`)).json()) as { access_token: string };
  return exchanged.access_token;
}

export function completeReauth(stack: TestStack, session: SignedIn, accessToken: string) {
  return stack.request('POST', '/v1/reauth/complete', { headers: session.bearer, body: { accessToken } });
}

export function sensitiveAction(stack: TestStack, session: SignedIn) {
  return stack.request('POST', '/v1/account/sensitive-action', { headers: session.bearer });
}
