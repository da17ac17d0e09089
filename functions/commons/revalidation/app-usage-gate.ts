/**
 * Keeps the sweep under Facebook's app rate limit using the `X-App-Usage` figure each Graph answer
 * carries (percent of the limit, throttled at 100; docs/facebook-graph.md):
 * - below `slowdownPercent`: go;
 * - from `slowdownPercent`: slow down (the caller pauses before each batch);
 * - from `stopPercent`: stop. The rest of the sweep is left for the next run: once a sweep has
 *   seen usage at or above `stopPercent`, every later share of that sweep handled here stops
 *   before calling Facebook, so a throttled sweep costs one probe batch per function instance.
 *
 * Remembered per sweep id, not by time: the next scheduled sweep starts fresh and probes again.
 */
export type UsageDecision = 'go' | 'slow' | 'stop';

export interface AppUsageGateOptions {
  readonly slowdownPercent: number;
  readonly stopPercent: number;
  /** How many sweeps to remember. @default 8 */
  readonly rememberedSweeps?: number;
}

export class AppUsageGate {
  private readonly sweeps = new Map<string, { percent: number | undefined; stopped: boolean }>();

  constructor(private readonly options: AppUsageGateOptions) {
    if (!(options.slowdownPercent <= options.stopPercent)) {
      throw new RangeError(`slowdownPercent (${options.slowdownPercent}) must not exceed stopPercent (${options.stopPercent})`);
    }
  }

  /** Records the usage a Graph answer reported during `sweepId`. */
  observe(sweepId: string, percent: number | undefined): void {
    if (percent === undefined) return;
    const state = this.stateOf(sweepId);
    state.percent = percent;
    if (percent >= this.options.stopPercent) state.stopped = true;
  }

  decide(sweepId: string): UsageDecision {
    const state = this.sweeps.get(sweepId);
    if (!state) return 'go';
    if (state.stopped) return 'stop';
    return state.percent !== undefined && state.percent >= this.options.slowdownPercent ? 'slow' : 'go';
  }

  private stateOf(sweepId: string) {
    let state = this.sweeps.get(sweepId);
    if (!state) {
      state = { percent: undefined, stopped: false };
      this.sweeps.set(sweepId, state);
      const limit = this.options.rememberedSweeps ?? 8;
      while (this.sweeps.size > limit) this.sweeps.delete(this.sweeps.keys().next().value!);
    }
    return state;
  }
}
