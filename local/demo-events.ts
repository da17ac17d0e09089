/**
 * The demo page's "Events" panel: the events Session Guard published, newest first, as they
 * arrive (it polls `GET /_local/events`, served when the local events run), with how each one's
 * webhook delivery went. Hidden when the local stack runs without events. Written with
 * textContent only. Hooks for tests: `#events`, `#event-list` (`li[data-detail-type]`).
 */
export const DEMO_EVENTS_POLL_MS = 1000;

export const DEMO_EVENTS_STYLE = `
.events{margin-top:1.25rem}
.events h2{font-size:1rem;margin:0 0 .5rem}
.events ol{list-style:none;margin:0;padding:0;font-size:.85rem}
.events li{display:grid;grid-template-columns:1fr auto;gap:.1rem .75rem;padding:.5rem 0;border-top:1px solid var(--line)}
.events li b{font-weight:600}
.events li span{color:var(--muted)}
.events li code{grid-column:1/-1;font-size:.75rem;overflow-wrap:anywhere}
`;

export const DEMO_EVENTS_HTML = `<section id="events" class="card events" hidden>
<h2>Events</h2>
<p>What Session Guard told the app, from the table's stream.</p>
<ol id="event-list"></ol>
</section>`;

export const DEMO_EVENTS_SCRIPT = `
(() => {
  const list = document.getElementById('event-list');
  const panel = document.getElementById('events');
  let seen = '';
  async function refresh() {
    try {
      const response = await fetch('/_local/events', { cache: 'no-store' });
      if (!response.ok) return;
      const body = await response.json();
      panel.hidden = false;
      const latest = body.events.slice(-20).reverse();
      const key = latest.map((e) => e.id + e.delivery.status).join();
      if (key === seen) return;
      seen = key;
      list.replaceChildren(...latest.map((e) => {
        const item = document.createElement('li');
        item.dataset.detailType = e['detail-type'];
        const title = document.createElement('b');
        title.textContent = e['detail-type'] + (e.detail.reason ? ' (' + e.detail.reason + ')' : '');
        const meta = document.createElement('span');
        meta.textContent = new Date(e.time).toLocaleTimeString() + (e.delivery.status === 'no_webhook' ? '' : ' · ' + e.delivery.status.replace('_', ' '));
        const detail = document.createElement('code');
        detail.textContent = JSON.stringify(e.detail);
        item.append(title, meta, detail);
        return item;
      }));
    } catch {}
  }
  refresh();
  setInterval(refresh, ${DEMO_EVENTS_POLL_MS});
})();
`;
