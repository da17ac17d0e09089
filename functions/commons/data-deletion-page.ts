import type { HttpResult } from './http.ts';
import type { DataDeletionRecord } from './repository.ts';

/**
 * The status page of a data deletion request: JSON for programs, a small HTML page for a person
 * following the link Facebook shows them. Neither names the person: the record holds nobody's id.
 */
export interface DataDeletionStatusView {
  readonly confirmationCode: string;
  readonly status: DataDeletionRecord['status'];
  readonly requestedAt: string;
  readonly completedAt?: string;
  readonly deleted?: { readonly sessions: number; readonly userRecords: number };
}

export function statusView(record: DataDeletionRecord): DataDeletionStatusView {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    confirmationCode: record.confirmationCode,
    status: record.status,
    requestedAt: iso(record.requestedAt),
    ...(record.completedAt !== undefined ? { completedAt: iso(record.completedAt) } : {}),
    ...(record.deleted ? { deleted: record.deleted } : {}),
  };
}

/** Whether the client asked for HTML before JSON (a browser does; curl and fetch do not). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = -1;
  let json = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    if (type === 'application/json' || type === '*/*') json = Math.max(json, type === '*/*' ? q - 0.001 : q);
  }
  return html >= 0 && html > json;
}

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  vary: 'accept',
};

export function statusPage(view: DataDeletionStatusView): HttpResult {
  const done = view.status === 'completed';
  const rows: [string, string][] = [
    ['Confirmation code', view.confirmationCode],
    ['Status', done ? 'Completed' : 'In progress'],
    ['Requested', view.requestedAt],
  ];
  if (view.completedAt) rows.push(['Completed', view.completedAt]);
  if (view.deleted) {
    rows.push(['Sessions deleted', String(view.deleted.sessions)], ['Account records deleted', String(view.deleted.userRecords)]);
  }
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data deletion request ${escapeHtml(view.confirmationCode)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem}</style>
</head>
<body>
<h1>Your data deletion request</h1>
<p>${done ? 'Everything we held about you has been deleted.' : 'We are deleting what we hold about you.'}</p>
<table>
${rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
<p>This page names no one and is kept as a receipt for a limited time.</p>
</body>
</html>
`;
  return { statusCode: 200, headers: { ...HTML_HEADERS }, body };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
