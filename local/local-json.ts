import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as z from 'zod';

/**
 * The answers of the local-only routes (`/_local/...`), in the API's error shape
 * (`{"error": {"code", "message", "issues"?: [{field, message}]}}`), so a reader meets one shape
 * on every local port.
 */
export function sendLocalJson(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(payload));
}

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** A refusal of a local route, answered as `status` with the API's error body. */
export class LocalRouteError extends Error {
  override readonly name = 'LocalRouteError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: readonly FieldIssue[],
  ) {
    super(message);
  }

  get body(): { error: { code: string; message: string; issues?: readonly FieldIssue[] } } {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

export function fieldIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

/**
 * A JSON body checked with `schema`, or a `LocalRouteError` (400 `invalid_request`) thrown. JSON
 * only: a cross-site page cannot send it without a preflight the local server never grants.
 */
export function parseLocalJson<T>(request: IncomingMessage, body: Buffer, schema: z.ZodType<T>, hint: string): T {
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) throw new LocalRouteError(400, 'invalid_request', 'Send JSON (Content-Type: application/json).');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new LocalRouteError(400, 'invalid_request', 'The body is not valid JSON.');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new LocalRouteError(400, 'invalid_request', hint, fieldIssues(parsed.error.issues));
  return parsed.data;
}

/** Runs a local route's work, answering a `LocalRouteError` in the documented shape. */
export async function answerLocal(response: ServerResponse, work: () => Promise<{ status: number; body: unknown }>): Promise<void> {
  try {
    const { status, body } = await work();
    sendLocalJson(response, status, body);
  } catch (error) {
    if (!(error instanceof LocalRouteError)) throw error;
    sendLocalJson(response, error.status, error.body);
  }
}
