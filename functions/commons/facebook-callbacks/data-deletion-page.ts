import { escapeHtml, htmlResponse } from '#commons/platform/html';
import type { HttpResult } from '#commons/platform/http';
import type { DataDeletionRecord } from './ports.ts';

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
  return htmlResponse(200, body);
}
