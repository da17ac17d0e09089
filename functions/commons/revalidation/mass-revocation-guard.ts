import { logger } from '#commons/platform/logger';

/**
 * The guard against mass revocation. When one sweep would revoke more than `maxSharePercent` of
 * the sessions it checked, and at least `minRevocations` of them, it stops revoking for the rest of
 * that sweep: the sessions it would have revoked are deferred (`mass_revocation_guard`), one log
 * line and one `MassRevocationGuardTripped` metric (#commons/platform/metrics) say so. A bug, or a configuration that makes
 * Facebook's answers look like verdicts, is then stopped after one share, while a real mass event
 * (Facebook resetting many sessions) is one operator action away: the override, read only when the
 * guard would trip, lets that sweep (and later ones, until the override ends) revoke.
 *
 * The counts are the whole sweep's, across worker instances, kept in one table item per sweep
 * (`SweepTally`). Only batches that would revoke report, with what their share checked since it
 * last reported, so an unchanged sweep writes nothing; shares that revoke nothing are then not
 * counted, which can only make the guard trip sooner, never later.
 */
export interface SweepTotals {
  readonly checked: number;
  readonly revoked: number;
  /** The guard already tripped for this sweep (on any instance). */
  readonly tripped: boolean;
}

export interface SweepTally {
  /** Adds to the sweep's counts and answers its totals after the addition. */
  add(sweepId: string, checked: number, revoked: number): Promise<SweepTotals>;
  /** Marks the sweep tripped; answers true only for the first caller, so one line is logged. */
  markTripped(sweepId: string): Promise<boolean>;
}

/** The operator's switch: whether revocations beyond the guard are let through for this sweep. */
export interface GuardOverride {
  allows(sweepId: string): Promise<boolean>;
}

export interface MassRevocationGuardOptions {
  /** Share of checked sessions a sweep may revoke, in percent. @default 20 */
  readonly maxSharePercent: number;
  /** Revocations a sweep may always make, whatever the share. @default 100 */
  readonly minRevocations: number;
  /** Called once per sweep, by the instance that trips the guard first. */
  readonly onTripped?: (sweepId: string) => void;
}

export type GuardDecision = 'revoke' | 'hold';

export class MassRevocationGuard {
  private readonly held = new Set<string>();

  constructor(
    private readonly tally: SweepTally,
    private readonly override: GuardOverride,
    private readonly options: MassRevocationGuardOptions,
  ) {}

  /** May a batch revoke `proposed` sessions, its share having checked `checked` more since it last asked? */
  async admit(sweepId: string, checked: number, proposed: number): Promise<GuardDecision> {
    if (this.held.has(sweepId)) return (await this.override.allows(sweepId)) ? 'revoke' : 'hold';
    const totals = await this.tally.add(sweepId, checked, proposed);
    const beyond = totals.revoked >= this.options.minRevocations && totals.revoked * 100 > this.options.maxSharePercent * totals.checked;
    if (!totals.tripped && !beyond) return 'revoke';
    if (await this.override.allows(sweepId)) return 'revoke';
    this.held.add(sweepId);
    if (await this.tally.markTripped(sweepId)) {
      logger.error('mass revocation guard tripped: revocations stopped for this sweep', {
        sweepId,
        checked: totals.checked,
        wouldRevoke: totals.revoked,
        maxSharePercent: this.options.maxSharePercent,
        minRevocations: this.options.minRevocations,
      });
      this.options.onTripped?.(sweepId);
    }
    return 'hold';
  }
}

/** No override: the guard always holds (tests, and a worker without the parameter). */
export const NO_OVERRIDE: GuardOverride = { allows: async () => false };

/**
 * The local stack's switch (`POST /_local/revalidate` with `{"allowMassRevocation": true}`): lets
 * the named sweeps through.
 */
export class LocalGuardOverride implements GuardOverride {
  private readonly allowed = new Set<string>();
  allow(sweepId: string): void {
    this.allowed.add(sweepId);
  }
  async allows(sweepId: string): Promise<boolean> {
    return this.allowed.has(sweepId);
  }
}
