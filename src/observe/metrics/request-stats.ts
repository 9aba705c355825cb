import type { Registry } from 'prom-client';

/**
 * Request statistics kept as plain numbers on the broker's request path and handed to prom-client
 * only when /metrics is scraped. prom-client's labelled counters and histograms hash their labels
 * on every increment; at tens of thousands of requests a second that was most of what /metrics
 * cost the broker, against a few milliseconds per scrape this way.
 */
export class ApiStats {
  requests = 0;
  bytesIn = 0;
  bytesOut = 0;
  latencySumSeconds = 0;
  /** Requests per latency bucket (not cumulative); the last slot is +Inf. */
  readonly latencyBuckets: number[];
  readonly errors = new Map<number, number>();

  constructor(private readonly bounds: readonly number[]) {
    this.latencyBuckets = new Array<number>(bounds.length + 1).fill(0);
  }

  clear(): void {
    this.requests = this.bytesIn = this.bytesOut = this.latencySumSeconds = 0;
    this.latencyBuckets.fill(0);
    this.errors.clear();
  }

  observe(durationSeconds: number): void {
    this.latencySumSeconds += durationSeconds;
    let i = 0;
    while (i < this.bounds.length && durationSeconds > this.bounds[i]!) i++;
    this.latencyBuckets[i]!++;
  }
}

interface HistogramValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A Prometheus histogram by label `api` over ApiStats, registered with a prom-client Registry as
 * a collector of its own: the registry asks any registered metric for `get()` and formats what it
 * answers, so the exposition is the same as prom-client's Histogram (`_bucket` with cumulative
 * `le`, `_sum`, `_count`).
 */
export class ApiLatencyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    private readonly stats: ReadonlyMap<string, ApiStats>,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: HistogramValue[] } {
    const values: HistogramValue[] = [];
    for (const [api, s] of this.stats) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.latencyBuckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: i < this.bounds.length ? this.bounds[i]! : '+Inf', api }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { api }, value: s.latencySumSeconds });
      values.push({ metricName: `${this.name}_count`, labels: { api }, value: cumulative });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The registry's resetMetrics(). */
  reset(): void {
    for (const s of this.stats.values()) s.clear();
  }
}
