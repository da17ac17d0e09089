/**
 * The demo page's "Sensitive action" panel (local/demo-page.ts embeds it): a button that calls
 * `POST /v1/account/sensitive-action`, refused with `reauthentication_required` when the sign-in is
 * older than 5 minutes; then "Confirm it's you" starts a re-authentication
 * (`POST /v1/reauth/start`, which also sets the login cookie) and sends the browser through the
 * login dialog, which asks for the password again and comes back to `/?reauth=done`.
 *
 * Its script uses `notice()` from the page's main script. Stable hooks for the browser tests:
 * `#sensitive-action`, `#sensitive-result`, `#confirm-its-you`.
 */
export const REAUTH_PANEL_HTML = `<div class="try" id="sensitive-panel">
<h2>Sensitive action</h2>
<p>Needs a Facebook sign-in from the last 5 minutes; otherwise Facebook asks for your password again.</p>
<p id="sensitive-result" role="status"></p>
<div class="row">
<button id="sensitive-action" type="button">Do the sensitive action</button>
<button id="confirm-its-you" type="button" hidden>Confirm it's you</button>
</div>
</div>`;

export const REAUTH_PANEL_SCRIPT = `
(function () {
  const byId = (id) => document.getElementById(id);
  const result = byId('sensitive-result');
  const confirm = byId('confirm-its-you');

  async function sensitiveAction() {
    const button = byId('sensitive-action');
    button.disabled = true;
    try {
      const response = await fetch('/v1/account/sensitive-action', { method: 'POST', credentials: 'same-origin' });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        result.textContent = 'Done. Your Facebook sign-in is recent enough.';
        result.dataset.outcome = 'allowed';
        confirm.hidden = true;
      } else if (body.error && body.error.code === 'reauthentication_required') {
        result.textContent = 'Refused: your sign-in is older than ' + Math.round(body.error.maxAgeSeconds / 60) + ' minutes. Confirm it is you to continue.';
        result.dataset.outcome = 'refused';
        confirm.hidden = false;
      } else {
        result.textContent = 'Refused: ' + ((body.error && body.error.message) || 'HTTP ' + response.status);
        result.dataset.outcome = 'error';
      }
    } finally {
      button.disabled = false;
    }
  }

  async function confirmItsYou() {
    confirm.disabled = true;
    const response = await fetch('/v1/reauth/start', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnTo: '/' }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      confirm.disabled = false;
      notice('Could not start confirming: ' + ((body.error && body.error.message) || 'HTTP ' + response.status));
      return;
    }
    location.assign(body.dialogUrl);
  }

  const params = new URLSearchParams(location.search);
  if (params.get('reauth') === 'done') {
    notice('Confirmed: Facebook checked your password. The sensitive action is open for 5 minutes.', 'info');
    history.replaceState(null, '', location.pathname);
  } else if (params.get('reauth_error')) {
    notice(params.get('reauth_error') === 'cancelled' ? 'You cancelled confirming, so nothing changed.' : 'Confirming did not finish. Try again.');
    history.replaceState(null, '', location.pathname);
  }
  byId('sensitive-action').addEventListener('click', sensitiveAction);
  confirm.addEventListener('click', confirmItsYou);
})();
`;
