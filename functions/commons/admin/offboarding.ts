import type { User } from '#commons/sessions/model';
import type { RevocationRepository, SessionListing } from '#commons/sessions/ports';
import { revokeSessionsOfUser } from '#commons/sessions/revoke-sessions';
import { NotFoundError } from '#commons/platform/errors';
import type { Operator } from './operator.ts';

/**
 * Offboarding a person: every session of theirs ends (reason `offboarded`), then every further
 * step registered for offboarding runs (`offboard-steps.ts`: the long-lived credential inventory
 * marks the person's credentials there). Each step reports what it did; the report goes back to
 * the operator and into the audit record. Running it again is harmless: sessions already ended
 * stay ended, and steps are expected to be idempotent too.
 */
export interface OffboardContext {
  readonly user: User;
  readonly operator: Operator;
  readonly now: number;
}

/** What a step reports: counts and short ids, shown to the operator and kept for audit. */
export type OffboardStepReport = Readonly<Record<string, string | number | boolean>>;

export interface OffboardStep {
  /** Short and stable (`sessions`, `credentials`): it prefixes the step's counts in the audit record. */
  readonly name: string;
  run(context: OffboardContext): Promise<OffboardStepReport>;
}

export interface OffboardDeps {
  readonly listing: Pick<SessionListing, 'getUser'>;
  readonly revocations: Pick<RevocationRepository, 'sessionsOfUser' | 'revokeSession'>;
  /** Run after the sessions end, in order. */
  readonly steps: readonly OffboardStep[];
  readonly now?: () => number;
}

export interface OffboardReport {
  readonly userId: string;
  readonly facebookUserId: string;
  readonly steps: Readonly<Record<string, OffboardStepReport>>;
}

export async function offboardUser(deps: OffboardDeps, userId: string, operator: Operator): Promise<OffboardReport> {
  const user = await deps.listing.getUser(userId);
  if (!user) throw new NotFoundError('No such user.');
  const context: OffboardContext = { user, operator, now: (deps.now ?? Date.now)() };
  const sessions = await revokeSessionsOfUser(deps.revocations, user.id, 'offboarded');
  const steps: Record<string, OffboardStepReport> = { sessions: { ended: sessions.revoked, alreadyEnded: sessions.notActive } };
  for (const step of deps.steps) steps[step.name] = await step.run(context);
  return { userId: user.id, facebookUserId: user.facebookUserId, steps };
}

/** How many live sessions the offboarding ended (its `sessions` step). */
export function sessionsEnded(report: OffboardReport): number {
  const ended = report.steps['sessions']?.['ended'];
  return typeof ended === 'number' ? ended : 0;
}

/** The steps' counts flattened for the audit record: `sessions.ended`, `credentials.marked`, … */
export function offboardDetail(report: OffboardReport): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(report.steps).flatMap(([step, counts]) => Object.entries(counts).map(([key, value]) => [`${step}.${key}`, value])),
  );
}
