import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SessionGuardError } from '#commons/platform/errors';
import { httpHandler, json, noContent } from '#commons/platform/http';
import { logger } from '#commons/platform/logger';
import { type Operator, operatorOf } from './operator.ts';
import type { AuditEntry, AuditLog } from './ports.ts';

/** What an admin action answers, and what its audit record keeps. */
export interface AdminResult {
  readonly status: 200 | 204;
  readonly body?: unknown;
  /** Counts the action reports, logged and kept with the audit record. */
  readonly detail?: AuditEntry['detail'];
}

export type AdminAction = (event: APIGatewayProxyEventV2, operator: Operator) => Promise<AdminResult>;

export interface AdminHandlerDeps {
  readonly audit: AuditLog;
  readonly now?: () => number;
}

/** Ids in a path are short; anything longer is cut before it is logged or kept. */
const MAX_TARGET_LENGTH = 128;

/**
 * The one wrapper every admin route goes through: it finds the operator (the IAM principal API
 * Gateway verified), runs the action, logs it with that principal and keeps an audit record,
 * whether the action was done or refused. A refused action (a 4xx) is kept too: an operator
 * probing ids is worth knowing about. Errors still map to HTTP in `http.ts`.
 */
export function adminHandler(action: string, deps: AdminHandlerDeps, run: AdminAction) {
  const now = deps.now ?? Date.now;
  return httpHandler(async (event) => {
    const operator = operatorOf(event);
    const target = Object.fromEntries(
      Object.entries(event.pathParameters ?? {}).map(([name, value]) => [name, String(value ?? '').slice(0, MAX_TARGET_LENGTH)]),
    );
    const keep = (entry: Pick<AuditEntry, 'outcome' | 'errorCode' | 'detail'>) =>
      deps.audit.record({ action, operator, target, at: now(), ...entry });
    let result: AdminResult;
    try {
      result = await run(event, operator);
    } catch (error) {
      if (error instanceof SessionGuardError && error.status < 500) {
        logger.info('admin action', { action, operator: operator.principal, target, outcome: 'refused', errorCode: error.code });
        await keep({ outcome: 'refused', errorCode: error.code });
      }
      throw error;
    }
    logger.info('admin action', { action, operator: operator.principal, target, outcome: 'done', ...result.detail });
    await keep({ outcome: 'done', ...(result.detail ? { detail: result.detail } : {}) });
    return result.status === 204 ? noContent() : json(result.status, result.body);
  });
}
