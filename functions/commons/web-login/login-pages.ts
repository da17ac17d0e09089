import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { escapeHtml, htmlResponse, prefersHtml } from '#commons/platform/html';
import { errorResponse, header, type HttpResult } from '#commons/platform/http';

/**
 * The browser sign-in's refusals, as a small page for a person or as the usual JSON error for a
 * program: the same status, code and message either way (they come from `errorResponse`, the one
 * error map). A page is chosen when the client prefers text/html over JSON, as browsers do when
 * they navigate.
 */
const TITLES: Record<number, string> = {
  400: 'Sign-in did not work',
  401: 'Facebook did not accept this sign-in',
  503: 'Facebook is not answering right now',
};

const STYLE =
  'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;color:#1d2329}' +
  'main{max-width:30rem;margin:12vh auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06)}' +
  'h1{font-size:1.3rem;margin:0 0 .75rem}p{margin:.5rem 0}.code{color:#6b7580;font:13px ui-monospace,monospace;margin-top:1.25rem}';

/** A page that explains a refusal; it loads nothing, so the callback URL never leaks as a Referer. */
export function errorPage(status: number, code: string, message: string, headers: Record<string, string> = {}): HttpResult {
  const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Sign-in did not work');
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main id="sign-in-error" data-error-code="${escapeHtml(code)}">
<h1>${escapeHtml(title)}</h1>
<p id="sign-in-error-message">${escapeHtml(message)}</p>
<p class="code">Error code: ${escapeHtml(code)} (HTTP ${status})</p>
</main></body></html>`;
  return htmlResponse(status, body, headers);
}

/** `errorResponse(error)` (logging included), rendered as a page when the client prefers one. */
export function browserErrorResponse(event: APIGatewayProxyEventV2, error: unknown): HttpResult {
  const response = errorResponse(error);
  if (!prefersHtml(header(event, 'accept'))) return { ...response, headers: { ...response.headers, vary: 'accept' } };
  const parsed = JSON.parse(typeof response.body === 'string' ? response.body : '{}') as { error?: { code?: string; message?: string } };
  const { 'content-type': _json, ...headers } = (response.headers ?? {}) as Record<string, string>;
  return errorPage(response.statusCode ?? 500, parsed.error?.code ?? 'internal_error', parsed.error?.message ?? 'Something went wrong on our side.', headers);
}
