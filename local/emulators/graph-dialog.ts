/**
 * The Facebook Login dialog, `GET /{version}/dialog/oauth`: a small HTML page that lets a
 * developer (or a browser test) pick an app-scoped test user and Continue or Cancel. The form
 * posts back to the same path; Continue redirects to `redirect_uri` with `code` and `state`,
 * Cancel with `error=access_denied` [doc/seen]. A bad `client_id` or a `redirect_uri` the app does
 * not allow gets an error page and no redirect, as Facebook does.
 *
 * With `auth_type=reauthenticate` Facebook asks for the password again [doc]: the page then has a
 * password field (any non-empty password is the test user's; test users have no real one), and
 * Continue without one shows the page again with `#password-error`. The login's `auth_type` and
 * `auth_nonce` stay on the token its code is exchanged for (graph-routes.ts).
 *
 * Stable hooks for browser tests: form `#login-form`, radios `#user-{id}` (name `user_id`) and
 * `#user-new`, text field `#new-user-name`, password field `#password` (re-authentication only),
 * buttons `#continue` and `#cancel`, error page `#dialog-error`; each also has a `data-testid`.
 */
import type { GraphState } from './graph-tokens.ts';

export interface DialogReply {
  readonly status: number;
  readonly html?: string;
  readonly location?: string;
}

/** Radio value of "create a new test user". */
export const NEW_USER_VALUE = '__new__';
/** The page lists this many most recent test users; any user of the app can still be posted. */
const LISTED_USERS = 50;
const AUTH_TYPES = new Set(['rerequest', 'reauthenticate', 'reauthorize']);
const CHALLENGE_FORMAT = /^[A-Za-z0-9_-]{43}$/;

interface DialogRequest {
  readonly appId: string;
  readonly redirectUri: string;
  readonly state: string | null;
  readonly scopes: readonly string[];
  readonly codeChallenge?: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Parameters to carry through the form as hidden fields, exactly as received. */
  readonly carried: readonly (readonly [string, string])[];
}

const CARRIED_PARAMS = ['client_id', 'redirect_uri', 'state', 'response_type', 'scope', 'code_challenge', 'code_challenge_method', 'auth_type', 'auth_nonce'];

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Validates the dialog parameters the way Facebook does before showing anything. */
function readRequest(state: GraphState, params: URLSearchParams): DialogRequest | { error: string; detail: string } {
  const clientId = params.get('client_id');
  const app = clientId ? state.apps.get(clientId) : undefined;
  if (!clientId || !app) {
    return { error: 'Invalid App ID', detail: 'The provided app ID does not look like a valid app ID.' };
  }
  const redirectUri = params.get('redirect_uri');
  let parsed: URL | undefined;
  try {
    parsed = redirectUri ? new URL(redirectUri) : undefined;
  } catch {
    parsed = undefined;
  }
  const allowed = redirectUri !== null && parsed !== undefined && (parsed.protocol === 'https:' || parsed.protocol === 'http:') && (app.redirectUris === undefined || app.redirectUris.includes(redirectUri));
  if (!allowed || redirectUri === null) {
    return {
      error: 'URL Blocked',
      detail: "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
    };
  }
  const responseType = params.get('response_type') ?? 'code';
  if (responseType !== 'code') {
    return { error: 'Unsupported response_type', detail: 'The Facebook Login emulator only does response_type=code.' };
  }
  const challenge = params.get('code_challenge') ?? undefined;
  const challengeMethod = params.get('code_challenge_method') ?? undefined;
  if (challenge !== undefined || challengeMethod !== undefined) {
    // PKCE with S256 only [doc]; a method without a challenge, or "plain", is refused [guess].
    if (challenge === undefined || challengeMethod !== 'S256' || !CHALLENGE_FORMAT.test(challenge)) {
      return { error: 'Invalid code_challenge', detail: 'code_challenge must be base64url(sha256(code_verifier)) with code_challenge_method=S256.' };
    }
  }
  const scopes = new Set(['public_profile']); // always granted [seen]
  for (const s of (params.get('scope') ?? '').split(/[,\s]+/)) if (s) scopes.add(s);
  const metadata: Record<string, string> = {};
  const authType = params.get('auth_type');
  if (authType && AUTH_TYPES.has(authType)) metadata.auth_type = authType;
  const authNonce = params.get('auth_nonce');
  if (authNonce) metadata.auth_nonce = authNonce;
  const carried: [string, string][] = [];
  for (const name of CARRIED_PARAMS) {
    const value = params.get(name);
    if (value !== null) carried.push([name, value]);
  }
  return {
    appId: app.appId,
    redirectUri,
    state: params.get('state'),
    scopes: [...scopes],
    ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
    metadata,
    carried,
  };
}

/**
 * Adds parameters to the app's redirect_uri without re-encoding what is already there, and the
 * `#_=_` fragment Facebook appends when the URI has none [seen; docs/facebook-graph.md].
 */
function redirectWith(redirectUri: string, params: [string, string][]): string {
  const hash = redirectUri.indexOf('#');
  const base = hash >= 0 ? redirectUri.slice(0, hash) : redirectUri;
  const fragment = hash >= 0 ? redirectUri.slice(hash) : '#_=_';
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${new URLSearchParams(params).toString()}${fragment}`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:Helvetica,Arial,sans-serif;background:#f0f2f5;color:#1c1e21}
.banner{background:#1877f2;color:#fff;padding:10px 16px;font-weight:bold;font-size:15px}
.banner small{font-weight:normal;opacity:.85;margin-left:8px}
main{max-width:440px;margin:32px auto;background:#fff;border-radius:8px;box-shadow:0 2px 4px rgba(0,0,0,.1),0 8px 16px rgba(0,0,0,.1);padding:20px}
h1{font-size:20px;margin:0 0 6px}p{margin:6px 0;color:#606770;font-size:14px}
fieldset{border:0;padding:0;margin:14px 0}legend{font-weight:bold;font-size:14px;margin-bottom:6px}
label.user{display:flex;align-items:center;gap:10px;padding:8px;border:1px solid #dddfe2;border-radius:6px;margin-bottom:6px;cursor:pointer}
label.user:hover{background:#f5f6f7}label.user small{color:#8a8d91;margin-left:auto;font-family:monospace}
input[type=text],input[type=password]{width:100%;padding:8px;border:1px solid #dddfe2;border-radius:6px;font-size:14px;margin-top:4px}
.note{background:#fff8e1;border:1px solid #f5d77a;border-radius:6px;padding:8px;font-size:13px;color:#5f4b00}
.actions{display:flex;flex-direction:row-reverse;gap:8px;margin-top:16px}
button{flex:1;padding:10px;border-radius:6px;font-size:15px;font-weight:bold;cursor:pointer;border:0}
button.primary{background:#1877f2;color:#fff}button.primary:hover{background:#166fe5}
button.secondary{background:#e4e6eb;color:#050505}button.secondary:hover{background:#d8dadf}
.error h1{color:#be4b49}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} | Facebook Login emulator</title><style>${STYLE}</style></head>
<body><div class="banner" id="emulator-banner" data-testid="emulator-banner">Facebook Login emulator<small>local testing only, not Facebook</small></div>
${body}
</body></html>`;
}

function errorPage(status: number, error: string, detail: string): DialogReply {
  return {
    status,
    html: page(error, `<main class="error" id="dialog-error" data-testid="dialog-error"><h1>${escapeHtml(error)}</h1><p>${escapeHtml(detail)}</p></main>`),
  };
}

function loginPage(state: GraphState, request: DialogRequest, formAction: string, passwordMissing = false): string {
  const app = state.apps.get(request.appId);
  const all = state.usersOf(request.appId);
  const listed = all.slice(-LISTED_USERS).reverse();
  const hidden = request.carried.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('\n');
  const users = listed
    .map(
      (u, i) =>
        `<label class="user"><input type="radio" name="user_id" value="${escapeHtml(u.id)}" id="user-${escapeHtml(u.id)}" data-testid="user-option"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.name)} <small>${escapeHtml(u.id)}</small></label>`,
    )
    .join('\n');
  const more = all.length > listed.length ? `<p>Showing the ${listed.length} most recent of ${all.length} test users.</p>` : '';
  const authType = request.metadata.auth_type;
  const note =
    authType === 'reauthenticate'
      ? `<p class="note" id="reauthenticate-note">auth_type=reauthenticate: Facebook asks for the password again.</p>
<label for="password"><strong>Password</strong></label>
<input type="password" name="password" id="password" data-testid="password" autocomplete="off" placeholder="Re-enter the test user's password">
${passwordMissing ? '<p class="note" id="password-error" data-testid="password-error">Enter your password to continue.</p>' : ''}`
      : authType
        ? `<p class="note">auth_type=${escapeHtml(authType)}</p>`
        : '';
  return page(
    `Log in to ${app?.name ?? request.appId}`,
    `<main>
<h1>Log in to ${escapeHtml(app?.name ?? request.appId)}</h1>
<p>App ${escapeHtml(request.appId)} will receive: ${escapeHtml(request.scopes.join(', '))}</p>
<form method="post" action="${escapeHtml(formAction)}" id="login-form" data-testid="login-form">
${hidden}
<fieldset><legend>Continue as a test user</legend>
${users}
<label class="user"><input type="radio" name="user_id" value="${NEW_USER_VALUE}" id="user-new" data-testid="user-option-new"${listed.length === 0 ? ' checked' : ''}> Create a new test user</label>
<input type="text" name="new_user_name" id="new-user-name" data-testid="new-user-name" placeholder="Name for the new test user (optional)">
</fieldset>
${more}${note}
<div class="actions">
<button type="submit" name="action" value="continue" class="primary" id="continue" data-testid="continue">Continue</button>
<button type="submit" name="action" value="cancel" class="secondary" id="cancel" data-testid="cancel">Cancel</button>
</div>
</form>
</main>`,
  );
}

/**
 * GET shows the page; POST is the page's own form submit (`action=continue|cancel`, `user_id`,
 * `new_user_name`, plus the original parameters as hidden fields), re-validated from scratch.
 */
export function handleDialog(state: GraphState, method: string, params: URLSearchParams, formAction: string): DialogReply {
  const request = readRequest(state, params);
  if ('error' in request) return errorPage(400, request.error, request.detail);
  if (method === 'GET' || method === 'HEAD') return { status: 200, html: loginPage(state, request, formAction) };
  if (method !== 'POST') return errorPage(405, 'Method not allowed', 'Use GET to show the dialog and POST to submit it.');

  const stateParam: [string, string][] = request.state !== null ? [['state', request.state]] : [];
  if (params.get('action') === 'cancel') {
    // Cancel [doc/seen]: Facebook also sends error_code=200 [seen].
    return {
      status: 302,
      location: redirectWith(request.redirectUri, [
        ['error', 'access_denied'],
        ['error_code', '200'],
        ['error_description', 'Permissions error'],
        ['error_reason', 'user_denied'],
        ...stateParam,
      ]),
    };
  }
  if (request.metadata.auth_type === 'reauthenticate' && !params.get('password')) {
    return { status: 200, html: loginPage(state, request, formAction, true) };
  }
  const chosen = params.get('user_id') ?? NEW_USER_VALUE;
  let userId: string;
  if (chosen === NEW_USER_VALUE) {
    userId = state.createUser(request.appId, params.get('new_user_name') ?? undefined).id;
  } else {
    const user = state.findUser(chosen);
    if (!user || user.appId !== request.appId) return errorPage(400, 'Unknown test user', `Test user ${chosen} does not belong to app ${request.appId}.`);
    userId = user.id;
  }
  const code = state.issueCode({
    appId: request.appId,
    userId,
    redirectUri: request.redirectUri,
    ...(request.codeChallenge !== undefined ? { codeChallenge: request.codeChallenge } : {}),
    scopes: request.scopes,
    metadata: request.metadata,
  });
  return { status: 302, location: redirectWith(request.redirectUri, [['code', code], ...stateParam]) };
}
