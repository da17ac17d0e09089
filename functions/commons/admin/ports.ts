import type { Operator } from './operator.ts';

/** What the admin capability needs from storage and from the capabilities it drives. */

/** One admin action, as kept for audit (its own item type in the table, with a TTL). */
export interface AuditEntry {
  /** `sessions.list`, `session.end`, `user.offboard`, … */
  readonly action: string;
  readonly operator: Operator;
  /** What the action was aimed at: ids only (`userId`, `sessionId`, `facebookUserId`). */
  readonly target: Readonly<Record<string, string>>;
  /** `done`, or `refused` with the error code the operator got. */
  readonly outcome: 'done' | 'refused';
  readonly errorCode?: string;
  /** Counts and ids the action reports (sessions ended, …). Never a token. */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  /** Epoch milliseconds. */
  readonly at: number;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}
