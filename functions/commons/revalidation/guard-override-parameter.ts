import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { logger } from '#commons/platform/logger';
import type { GuardOverride } from './mass-revocation-guard.ts';

/**
 * The operator's switch for the mass-revocation guard, in AWS: an SSM parameter the worker reads
 * (`MASS_REVOCATION_OVERRIDE_PARAMETER`, created by the stack with the value `off`). To let a real
 * mass event through, an operator sets it to an ISO time until which the guard is lifted:
 *
 *   aws ssm put-parameter --overwrite --name <parameter> --value 2026-11-28T18:00:00Z
 *
 * A parameter rather than a stack setting: lifting the guard is an incident action that must take
 * seconds, touch nothing else and end by itself; a redeploy takes minutes, replaces every function
 * and leaves a forgotten "on" in place. Every change is audited (CloudTrail `PutParameter`: who and
 * when; the parameter's own version history: what). Read only when the guard would trip, at most
 * once a minute, so a sweep that revokes little never calls SSM.
 */
const CACHE_MS = 60_000;

export class ParameterGuardOverride implements GuardOverride {
  private cached: { until: number; readAt: number } | undefined;

  constructor(
    private readonly ssm: Pick<SSMClient, 'send'>,
    private readonly name: string,
    private readonly now: () => number = Date.now,
  ) {}

  async allows(sweepId: string): Promise<boolean> {
    const until = await this.liftedUntil();
    const allowed = until > this.now();
    if (allowed) logger.warn('mass revocation guard lifted by the operator', { sweepId, until: new Date(until).toISOString() });
    return allowed;
  }

  private async liftedUntil(): Promise<number> {
    if (this.cached && this.now() - this.cached.readAt < CACHE_MS) return this.cached.until;
    let value: string | undefined;
    try {
      value = (await this.ssm.send(new GetParameterCommand({ Name: this.name }))).Parameter?.Value;
    } catch (error) {
      // Unreadable means not lifted: the guard fails closed.
      if (!(error instanceof ParameterNotFound)) logger.warn('mass revocation override unreadable; the guard stays on', { errorName: (error as Error).name });
    }
    const until = parseUntil(value);
    this.cached = { until, readAt: this.now() };
    return until;
  }
}

/** `off` (or anything but an ISO time) is 0: not lifted. */
export function parseUntil(value: string | undefined): number {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return 0;
  const time = Date.parse(value);
  return Number.isNaN(time) ? 0 : time;
}
