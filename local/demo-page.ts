import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { LocalRoute } from './api-gateway.ts';
import type { GraphEmulator } from '#local/emulators/graph';
import { answerLocal, LocalRouteError, parseLocalJson } from './local-json.ts';
import { REAUTH_PANEL_HTML, REAUTH_PANEL_SCRIPT } from './demo-reauth.ts';
import { DEMO_EVENTS_HTML, DEMO_EVENTS_SCRIPT, DEMO_EVENTS_STYLE } from './demo-events.ts';

/**
 * The local stack's demo page at `/`: how a newcomer sees the web sign-in work. "Continue with
 * Facebook" goes through the real sign-in routes and the emulator's login dialog; the page then
 * shows who is signed in, when the session expires, whether it is still live (it polls
 * `GET /v1/sessions/current` with the session cookie), and signs out with
 * `DELETE /v1/sessions/current` (the browser adds the Origin header the CSRF check wants).
 *
 * Local only: it is a LocalRoute of the local server, not a route of the deployed API. It is one
 * static document; everything it shows is fetched by its script and written with textContent.
 *
 * Stable hooks for the browser tests: `#continue-with-facebook`, `#notice`, `#status`,
 * `#signed-in`, `#signed-out`, `#user-id`, `#facebook-user-id`, `#session-id`, `#session-expires`
 * (`data-iso`), `#sign-out`, `#end-reason`, `#end-facebook-session`, `#sessions-list` (one
 * `.session-row[data-session-id]` with an End button per live session, from `GET /v1/sessions`),
 * `#sign-out-others`, and the sensitive-action panel's (local/demo-reauth.ts).
 *
 * One file over 300 lines on purpose: the page's HTML, script and style are one document a reader
 * follows top to bottom; the re-authentication and events panels live in their own modules.
 */
export const DEMO_POLL_INTERVAL_MS = 3000;

const STYLE = `
:root{--ink:#1d2329;--muted:#69737d;--line:#e3e7eb;--bg:#f4f6f8;--fb:#1877f2;--fb-dark:#1464d8;--ok:#1f8a4c;--ok-bg:#e6f4ec;--bad:#b42318;--bad-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff4d6}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--ink)}
header{max-width:34rem;margin:0 auto;padding:2.5rem 1.25rem .75rem;display:flex;align-items:baseline;gap:.6rem}
header strong{font-size:1.05rem;letter-spacing:.01em}
header span{color:var(--muted);font-size:.85rem}
main{max-width:34rem;margin:0 auto 3rem;padding:0 1.25rem}
.card{background:#fff;border:1px solid var(--line);border-radius:14px;padding:1.75rem;box-shadow:0 1px 2px rgba(16,24,40,.04),0 8px 24px rgba(16,24,40,.06)}
h1{font-size:1.4rem;line-height:1.25;margin:.9rem 0 .4rem}
p{margin:.4rem 0;color:var(--muted)}
.notice{border-radius:10px;padding:.75rem 1rem;margin-bottom:1rem;font-size:.95rem;background:var(--warn-bg);color:var(--warn)}
.notice.info{background:#eef4ff;color:#1e4fa8}
.pill{display:inline-flex;align-items:center;gap:.45rem;font-size:.8rem;font-weight:600;padding:.25rem .7rem;border-radius:999px;background:#eef0f2;color:var(--muted)}
.pill::before{content:"";width:.5rem;height:.5rem;border-radius:50%;background:currentColor}
.pill.live{background:var(--ok-bg);color:var(--ok)}
.pill.revoked{background:var(--bad-bg);color:var(--bad)}
.pill.trouble{background:var(--warn-bg);color:var(--warn)}
.alert{background:var(--bad-bg);color:var(--bad);border-radius:10px;padding:.75rem 1rem;margin:.8rem 0 1rem}
.checked{color:var(--muted);font-size:.8rem;margin-left:.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.55rem 1.25rem;margin:1.4rem 0 1.6rem;font-size:.95rem}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
code{font:.85rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f2f4f6;border-radius:6px;padding:.1rem .4rem}
.when{color:var(--muted);font-size:.85rem;margin-left:.35rem}
.fb{display:flex;align-items:center;justify-content:center;gap:.6rem;width:100%;margin-top:1.4rem;padding:.8rem 1rem;border-radius:10px;background:var(--fb);color:#fff;font-weight:600;font-size:1rem;text-decoration:none}
.fb:hover{background:var(--fb-dark)}
.fb svg{width:1.25rem;height:1.25rem}
button{width:100%;padding:.75rem 1rem;border-radius:10px;border:1px solid var(--line);background:#fff;color:var(--ink);font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#f6f7f9}
button:disabled{opacity:.6;cursor:default}
.try{margin-top:1.4rem;padding-top:1.2rem;border-top:1px solid var(--line)}
.try h2{font-size:1rem;margin:0 0 .25rem}
.try p{font-size:.9rem}
.try .row{display:flex;gap:.6rem;margin-top:.75rem}
.try select{flex:1;min-width:0;padding:.65rem .75rem;border-radius:10px;border:1px solid var(--line);background:#fff;font:inherit;font-size:.95rem;color:var(--ink)}
.try button{width:auto;white-space:nowrap;border-color:var(--bad);color:var(--bad)}
.try button:hover{background:var(--bad-bg)}
.sessions{list-style:none;margin:.5rem 0 .75rem;padding:0}
.session-row{display:flex;align-items:center;justify-content:space-between;gap:.75rem;padding:.45rem 0;border-bottom:1px solid var(--line);font-size:.9rem}
.session-row button{width:auto;padding:.35rem .8rem}
footer{max-width:34rem;margin:0 auto;padding:0 1.25rem 2rem;color:var(--muted);font-size:.8rem}
[hidden]{display:none!important}
`;

const SCRIPT = `
const POLL_MS = ${DEMO_POLL_INTERVAL_MS};
const REASONS = {
  password_changed: 'the Facebook password was changed',
  app_removed: 'the person removed the app on Facebook',
  logged_out: 'the person logged out of Facebook',
  expired: 'the Facebook session expired',
  checkpointed: 'Facebook locked the account for a security check',
  invalidated: 'Facebook invalidated the session',
  unconfirmed_user: 'the Facebook account is not confirmed',
  invalid: 'Facebook no longer accepts the session',
  signed_out: 'it was signed out from another of your sessions',
  signed_out_everywhere: 'you signed out everywhere',
  ended_by_operator: 'an operator ended it',
  offboarded: 'an operator offboarded this account',
};
const $ = (id) => document.getElementById(id);
let timer;

function show(which) {
  $('signed-in').hidden = which !== 'signed-in';
  $('signed-out').hidden = which !== 'signed-out';
}
function status(kind, text) {
  const pill = $('status');
  pill.className = 'pill ' + kind;
  pill.textContent = text;
  $('checked-at').textContent = 'checked ' + new Date().toLocaleTimeString();
}
function notice(text, kind) {
  const box = $('notice');
  box.textContent = text;
  box.className = 'notice' + (kind ? ' ' + kind : '');
  box.hidden = !text;
}
function relative(ms) {
  const days = Math.round(ms / 86400000);
  if (Math.abs(days) >= 1) return 'in ' + days + (days === 1 ? ' day' : ' days');
  const hours = Math.round(ms / 3600000);
  if (Math.abs(hours) >= 1) return 'in ' + hours + (hours === 1 ? ' hour' : ' hours');
  return 'in ' + Math.max(0, Math.round(ms / 60000)) + ' min';
}
function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
function signedOut(kind, text, detail) {
  clearTimeout(timer);
  show('signed-out');
  status(kind, text);
  $('signed-out-title').textContent = kind === 'revoked' ? 'Your session has ended' : 'Sign in with Facebook';
  $('signed-out-detail').textContent = detail || '';
  $('signed-out-detail').hidden = !detail;
}

async function check() {
  clearTimeout(timer);
  let response;
  try {
    response = await fetch('/v1/sessions/current', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch {
    status('trouble', 'Cannot reach Session Guard');
    timer = setTimeout(check, POLL_MS);
    return;
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok) {
    show('signed-in');
    status('live', 'Live');
    $('user-id').textContent = body.user.id;
    $('facebook-user-id').textContent = body.user.facebookUserId;
    $('session-id').textContent = body.session.id;
    $('session-created').textContent = when(body.session.createdAt);
    const expires = $('session-expires');
    expires.dataset.iso = body.session.expiresAt;
    $('expires-at').textContent = when(body.session.expiresAt);
    $('expires-in').textContent = relative(Date.parse(body.session.expiresAt) - Date.now());
    await listSessions();
    timer = setTimeout(check, POLL_MS);
    return;
  }
  const code = body.error && body.error.code;
  if (code === 'session_revoked') {
    signedOut('revoked', 'Revoked', 'Session Guard ended this session because ' + (REASONS[body.error.reason] || 'Facebook no longer accepts it') + '. Sign in again to continue.');
  } else if (code === 'unauthenticated') {
    signedOut('', 'Not signed in', '');
  } else {
    status('trouble', 'Could not check (' + response.status + ')');
    timer = setTimeout(check, POLL_MS);
  }
}

async function signOut() {
  const button = $('sign-out');
  button.disabled = true;
  try {
    const response = await fetch('/v1/sessions/current', { method: 'DELETE', credentials: 'same-origin' });
    if (response.status === 204 || response.status === 401) {
      notice('You signed out. The session is deleted and its cookie cleared.', 'info');
      signedOut('', 'Signed out', '');
    } else {
      const body = await response.json().catch(() => ({}));
      notice('Signing out failed: ' + ((body.error && body.error.message) || 'HTTP ' + response.status));
    }
  } finally {
    button.disabled = false;
  }
}

// Where this person is signed in (GET /v1/sessions, behind the authorizer), one End button each.
async function listSessions() {
  const response = await fetch('/v1/sessions', { credentials: 'same-origin' }).catch(() => undefined);
  if (!response || !response.ok) return;
  const body = await response.json();
  const list = $('sessions-list');
  list.replaceChildren(...body.sessions.map((session) => {
    const row = document.createElement('li');
    row.className = 'session-row';
    row.dataset.sessionId = session.id;
    const label = document.createElement('span');
    label.textContent = session.device + ' · ' + session.via + ' · since ' + when(session.createdAt) + (session.current ? ' (this browser)' : '');
    const end = document.createElement('button');
    end.type = 'button';
    end.textContent = 'End';
    end.addEventListener('click', () => endSession(session.id));
    row.append(label, end);
    return row;
  }));
}

async function endSession(id) {
  const response = await fetch('/v1/sessions/' + encodeURIComponent(id), { method: 'DELETE', credentials: 'same-origin' });
  if (response.status !== 204) notice('Ending that session failed (HTTP ' + response.status + ').');
  await check();
}

async function signOutOthers() {
  const response = await fetch('/v1/sessions?keepCurrent=true', { method: 'DELETE', credentials: 'same-origin' });
  const body = await response.json().catch(() => ({}));
  notice(response.ok ? 'Signed out everywhere else: ' + body.ended + ' session(s) ended.' : 'Signing out elsewhere failed (HTTP ' + response.status + ').', response.ok ? 'info' : undefined);
  await check();
}

async function endFacebookSession() {
  const button = $('end-facebook-session');
  button.disabled = true;
  try {
    const reason = $('end-reason').value;
    const response = await fetch('/_local/demo/end-facebook-session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ facebookUserId: $('facebook-user-id').textContent, reason }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      notice('Could not end the Facebook session: ' + ((body.error && body.error.message) || 'HTTP ' + response.status));
      return;
    }
    const how = $('end-reason').selectedOptions[0].textContent.toLowerCase();
    notice('Facebook now reports this session ended (' + how + '). Revalidation checked ' + body.sweep.checked + ' session(s) and revoked ' + body.sweep.revoked + '.', 'info');
    await check();
  } finally {
    button.disabled = false;
  }
}

// Facebook appends #_=_ to the redirect after signing in; it means nothing.
if (location.hash === '#_=_') history.replaceState(null, '', location.pathname + location.search);
const params = new URLSearchParams(location.search);
const loginError = params.get('login_error');
if (loginError) {
  notice(loginError === 'cancelled' ? 'You cancelled signing in with Facebook, so nothing changed.' : 'Signing in with Facebook did not finish. Try again.');
  history.replaceState(null, '', location.pathname);
}
$('sign-out').addEventListener('click', signOut);
$('sign-out-others').addEventListener('click', signOutOthers);
$('end-facebook-session').addEventListener('click', endFacebookSession);
check();
`;

const FACEBOOK_LOGO =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M24 12.07C24 5.4 18.63 0 12 0S0 5.4 0 12.07C0 18.1 4.39 23.1 10.13 24v-8.44H7.08v-3.49h3.04V9.41c0-3.02 1.8-4.7 4.54-4.7 1.31 0 2.68.24 2.68.24v2.97h-1.5c-1.5 0-1.96.93-1.96 1.89v2.26h3.32l-.53 3.5h-2.8V24C19.62 23.1 24 18.1 24 12.07z"/></svg>';

export const DEMO_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Session Guard · demo</title><link rel="icon" href="data:,"><style>${STYLE}</style><style>${DEMO_EVENTS_STYLE}</style></head>
<body>
<header><strong>Session Guard</strong><span>local demo</span></header>
<main>
<div id="notice" class="notice" role="status" hidden></div>
<div class="card">
<div><span id="status" class="pill">Checking…</span><span id="checked-at" class="checked"></span></div>
<section id="signed-out" hidden>
<h1 id="signed-out-title">Sign in with Facebook</h1>
<p id="signed-out-detail" class="alert" hidden></p>
<p>Session Guard does the Facebook token exchanges on the server, keeps only a session-info token, and ends your session here when your Facebook session ends.</p>
<a id="continue-with-facebook" class="fb" href="/v1/auth/facebook/login?returnTo=/">${FACEBOOK_LOGO}Continue with Facebook</a>
</section>
<section id="signed-in" hidden>
<h1>You are signed in</h1>
<dl>
<dt>User</dt><dd><code id="user-id"></code></dd>
<dt>Facebook id</dt><dd><code id="facebook-user-id"></code></dd>
<dt>Session</dt><dd><code id="session-id"></code></dd>
<dt>Signed in</dt><dd id="session-created"></dd>
<dt>Expires</dt><dd id="session-expires"><span id="expires-at"></span><span id="expires-in" class="when"></span></dd>
</dl>
<button id="sign-out" type="button">Sign out</button>
<div class="try">
<h2>Where you are signed in</h2>
<ul id="sessions-list" class="sessions"></ul>
<button id="sign-out-others" type="button">Sign out everywhere else</button>
</div>
<div class="try">
<h2>See it work</h2>
<p>End this person's Facebook session the way Facebook would, then let Session Guard's revalidation notice.</p>
<div class="row">
<select id="end-reason" aria-label="How the Facebook session ends">
<option value="password_changed">Password changed</option>
<option value="logged_out">Logged out of Facebook</option>
<option value="app_removed">Removed the app</option>
<option value="checkpointed">Account locked for a security check</option>
<option value="expired">Session expired</option>
</select>
<button id="end-facebook-session" type="button">End Facebook session</button>
</div>
</div>
${REAUTH_PANEL_HTML}
</section>
</div>
${DEMO_EVENTS_HTML}
</main>
<footer>Signing in goes through the Facebook Login emulator, not Facebook. The session lives in an HttpOnly cookie this page cannot read; it asks the API every ${DEMO_POLL_INTERVAL_MS / 1000} seconds whether the session is still live.</footer>
<script>${SCRIPT}</script>
<script>${REAUTH_PANEL_SCRIPT}</script>
<script>${DEMO_EVENTS_SCRIPT}</script>
</body></html>`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only this page's own script and style run; it talks to its own origin only. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)} ${sha256(REAUTH_PANEL_SCRIPT)} ${sha256(DEMO_EVENTS_SCRIPT)}`,
  `style-src ${sha256(STYLE)} ${sha256(DEMO_EVENTS_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function demoPageRoute(): LocalRoute {
  return {
    method: 'GET',
    path: '/',
    handle(_request, response) {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      response.end(DEMO_PAGE_HTML);
    },
  };
}

/** What the demo's "See it work" control needs from the local stack. */
export interface DemoFacebookControls {
  /** The stack's Graph emulator; undefined while starting, or when a real Graph API is used. */
  graph(): Pick<GraphEmulator, 'endFacebookSession'> | undefined;
  /** Runs a revalidation sweep now and says what it did. */
  sweepNow(): Promise<{ checked: number; revoked: number }>;
}

export const DEMO_END_REASONS = ['password_changed', 'logged_out', 'app_removed', 'checkpointed', 'expired'] as const;
export type DemoEndReason = (typeof DEMO_END_REASONS)[number];

/**
 * `POST /_local/demo/end-facebook-session` {facebookUserId, reason}: the demo page's control.
 * Local only, like the page; a JSON body means a cross-site page cannot send it without a preflight
 * this server never grants.
 */
export function demoFacebookControlsRoute(controls: DemoFacebookControls): LocalRoute {
  const input = z.object({ facebookUserId: z.string().regex(/^\d{1,32}$/), reason: z.enum(DEMO_END_REASONS) });
  return {
    method: 'POST',
    path: '/_local/demo/end-facebook-session',
    handle: (request, response, body) =>
      answerLocal(response, async () => {
        const { facebookUserId, reason } = parseLocalJson(request, body, input, `Send {"facebookUserId": "<digits>", "reason": one of ${DEMO_END_REASONS.join(', ')}}.`);
        const graph = controls.graph();
        if (!graph) throw new LocalRouteError(409, 'not_available', 'This stack talks to a real Graph API, so the demo cannot end Facebook sessions.');
        try {
          graph.endFacebookSession(facebookUserId, reason);
        } catch (error) {
          throw new LocalRouteError(404, 'not_found', (error as Error).message);
        }
        const sweep = await controls.sweepNow();
        return { status: 200, body: { ended: { facebookUserId, reason }, sweep: { checked: sweep.checked, revoked: sweep.revoked } } };
      }),
  };
}
