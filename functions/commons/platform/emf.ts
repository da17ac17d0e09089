/**
 * CloudWatch metrics as embedded metric format (EMF) log lines: CloudWatch Logs turns each line
 * into metrics, no API call and no client. The documents have the shape Powertools Metrics writes
 * (`_aws.CloudWatchMetrics` with the namespace, the `service` dimension first, a metric added twice
 * as a value array), and the same limits: at most 100 metrics in a document and 100 values per
 * metric, so a busy invocation publishes early rather than write a document CloudWatch drops.
 * test/unit/platform/observability-conformance.test.ts checks the documents against Powertools
 * Metrics' own. Why not Powertools itself: it and its commons add ~15 KB and ~3 ms of import to
 * every bundle for the five methods used here (docs/benchmarks.md).
 */
export const MetricUnit = { Count: 'Count', Milliseconds: 'Milliseconds', Percent: 'Percent', Seconds: 'Seconds' } as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

const MAX_METRICS_PER_DOCUMENT = 100;
const MAX_VALUES_PER_METRIC = 100;

type StoredMetric = { unit: MetricUnit; values: number[] };

export type EmfWriter = (line: string) => void;

const writeToStdout: EmfWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

/** `POWERTOOLS_METRICS_DISABLED=true` turns publishing off (the local sweep benchmark does). */
function disabledIn(env: NodeJS.ProcessEnv): boolean {
  return env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase() === 'true';
}

type EmfOptions = { namespace: string; serviceName: string; env?: NodeJS.ProcessEnv; write?: EmfWriter; now?: () => number };

export class EmfMetrics {
  readonly #options: Required<EmfOptions>;
  readonly #disabled: boolean;
  readonly #dimensions: Readonly<Record<string, string>>;
  #stored = new Map<string, StoredMetric>();
  #metadata: Record<string, unknown> = {};

  constructor(options: EmfOptions, dimensions: Readonly<Record<string, string>> = {}) {
    this.#options = { write: writeToStdout, now: Date.now, env: process.env, ...options };
    this.#disabled = disabledIn(this.#options.env);
    this.#dimensions = dimensions;
  }

  /** Stores a value, published with the others by `publishStoredMetrics`. */
  addMetric(name: string, unit: MetricUnit, value: number): void {
    if (!this.#stored.has(name) && this.#stored.size >= MAX_METRICS_PER_DOCUMENT) this.publishStoredMetrics();
    const stored = this.#stored.get(name);
    if (stored && stored.unit !== unit) throw new TypeError(`Metric ${name} was added with unit ${stored.unit}, then ${unit}`);
    if (stored) stored.values.push(value);
    else this.#stored.set(name, { unit, values: [value] });
    if (this.#stored.get(name)!.values.length >= MAX_VALUES_PER_METRIC) this.publishStoredMetrics();
  }

  /** A top-level property of the next document (searchable in Logs Insights, never a dimension). */
  addMetadata(key: string, value: unknown): void {
    this.#metadata[key] = value;
  }

  hasStoredMetrics(): boolean {
    return this.#stored.size > 0;
  }

  /** Writes what is stored as one document and forgets it, metadata included. */
  publishStoredMetrics(): void {
    if (this.#stored.size === 0) return;
    const document = this.#document();
    this.#stored = new Map();
    this.#metadata = {};
    if (!this.#disabled) this.#options.write(JSON.stringify(document));
  }

  /** Metrics with dimensions of their own, each published as soon as it is added. */
  singleMetric(): SingleMetric {
    return new SingleMetric(this.#options, this.#dimensions);
  }

  #document(): Record<string, unknown> {
    const dimensions = { service: this.#options.serviceName, ...this.#dimensions };
    const values: Record<string, number | number[]> = {};
    const definitions: { Name: string; Unit: MetricUnit }[] = [];
    for (const [name, { unit, values: stored }] of this.#stored) {
      definitions.push({ Name: name, Unit: unit });
      values[name] = stored.length === 1 ? stored[0]! : [...stored];
    }
    return {
      _aws: {
        Timestamp: this.#options.now(),
        CloudWatchMetrics: [{ Namespace: this.#options.namespace, Dimensions: [Object.keys(dimensions)], Metrics: definitions }],
      },
      ...this.#metadata,
      ...dimensions,
      ...values,
    };
  }
}

export class SingleMetric {
  readonly #options: EmfOptions;
  readonly #dimensions: Record<string, string>;

  constructor(options: EmfOptions, dimensions: Readonly<Record<string, string>>) {
    this.#options = options;
    this.#dimensions = { ...dimensions };
  }

  addDimension(name: string, value: string): this {
    this.#dimensions[name] = value;
    return this;
  }

  addMetric(name: string, unit: MetricUnit, value: number): void {
    const metrics = new EmfMetrics(this.#options, this.#dimensions);
    metrics.addMetric(name, unit, value);
    metrics.publishStoredMetrics();
  }
}
