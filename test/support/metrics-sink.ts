import { vi } from 'vitest';
import type { MetricsSink } from '#commons/platform/metrics';

/** A metrics writer stand-in (platform/emf.ts) that records what was added; `single` is what `singleMetric()` returns. */
export function fakeSink() {
  const single = { addDimension: vi.fn().mockReturnThis(), addMetric: vi.fn() };
  const sink = {
    addMetric: vi.fn(),
    addMetadata: vi.fn(),
    publishStoredMetrics: vi.fn(),
    singleMetric: vi.fn(() => single),
    hasStoredMetrics: vi.fn(() => true),
  };
  return { sink: sink as unknown as MetricsSink & typeof sink, single };
}
