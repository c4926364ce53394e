import { binaryOrder, type Clock, type RandomStream, type Store } from "@lambda-sim/core";

export interface Dimension {
  Name: string;
  Value: string;
}

/** One minute of one metric: AWS's statistic set, plus values kept for percentiles. */
export interface MinuteBucket {
  namespace: string;
  name: string;
  /** Canonical JSON of the dimensions (sorted by name): the metric's identity with its name. */
  dimensions: string;
  minute: number;
  unit: string;
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
  samples: number[];
  /** A gauge's minute: its latest sample replaces what the minute held (see setGauge). */
  gauge?: boolean;
}

const MINUTE = 60_000;
/**
 * Values kept per metric-minute for percentiles: all of them up to this many, a uniform random
 * sample beyond (chosen; AWS computes percentiles from its own approximate histograms too).
 */
export const SAMPLES_PER_MINUTE = 1000;

export function dimensionKey(dimensions: readonly Dimension[] | undefined): string {
  return JSON.stringify([...(dimensions ?? [])].sort((a, b) => binaryOrder(a.Name, b.Name)).map((d) => ({ Name: d.Name, Value: d.Value })));
}

/**
 * Metric data in one-minute statistic sets (standard resolution, as Lambda and SQS publish).
 * Recording is on the invocation hot path, so the current minutes are aggregated in memory and
 * written when a minute has passed or before any read. Data older than `retentionDays` (AWS keeps
 * one-minute data 15 days) is dropped as minutes are written, so the table stays bounded.
 */
export class MetricStore {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly random: RandomStream;
  private readonly retentionMs: number;
  /**
   * The open minute's buckets by namespace, name and dimensions: three lookups of strings the hot
   * path reuses (their hashes cached), not one of a key concatenated per sample (12 per invocation).
   */
  private readonly open = new Map<string, Map<string, Map<string, MinuteBucket>>>();
  private openMinute = -1;
  private readonly s;
  private readonly write: (buckets: MinuteBucket[], before: number) => void;

  constructor(store: Store, clock: Clock, random: RandomStream, retentionDays: number) {
    this.store = store;
    this.clock = clock;
    this.random = random;
    this.retentionMs = retentionDays * 86_400_000;
    const db = store.db;
    this.s = {
      get: db.prepare("SELECT * FROM metrics_minutes WHERE namespace = ? AND name = ? AND dimensions = ? AND minute = ?"),
      put: db.prepare(
        `INSERT OR REPLACE INTO metrics_minutes (namespace, name, dimensions, minute, unit, sample_count, sum, minimum, maximum, samples)
         VALUES (@namespace, @name, @dimensions, @minute, @unit, @sampleCount, @sum, @minimum, @maximum, @samples)`,
      ),
      expire: db.prepare("DELETE FROM metrics_minutes WHERE minute < ?"),
      range: db.prepare("SELECT * FROM metrics_minutes WHERE namespace = ? AND name = ? AND dimensions = ? AND minute >= ? AND minute < ? ORDER BY minute"),
      list: db.prepare("SELECT DISTINCT namespace, name, dimensions FROM metrics_minutes WHERE minute >= ? ORDER BY namespace, name, dimensions"),
    };
    this.write = store.writer((buckets: MinuteBucket[], before: number) => {
      for (const b of buckets) {
        const old = this.s.get.get(b.namespace, b.name, b.dimensions, b.minute) as RawBucket | undefined;
        const merged = old === undefined || b.gauge ? b : this.merge(fromRaw(old), b);
        this.s.put.run({ ...merged, samples: JSON.stringify(merged.samples) });
      }
      this.s.expire.run(before);
    });
  }

  /**
   * Adds one value (or `count` equal values) at service time now. `dimensions` is a Dimension
   * list or its dimensionKey() already computed (the hot path caches it).
   */
  record(namespace: string, name: string, dimensions: readonly Dimension[] | string, value: number, unit: string, count = 1): void {
    const minute = this.rollMinute();
    const dims = typeof dimensions === "string" ? dimensions : dimensionKey(dimensions);
    let b = this.open.get(namespace)?.get(name)?.get(dims);
    if (b === undefined) {
      b = { namespace, name, dimensions: dims, minute, unit, sampleCount: 0, sum: 0, minimum: value, maximum: value, samples: [] };
      this.keep(b);
    }
    b.sampleCount += count;
    b.sum += value * count;
    if (value < b.minimum) b.minimum = value;
    if (value > b.maximum) b.maximum = value;
    this.keepSample(b.samples, value, b.sampleCount);
  }

  /**
   * A gauge (a queue's backlog): one sample per minute, the latest taken, so that a read during the
   * minute shows the current value without adding samples to the minute.
   */
  setGauge(namespace: string, name: string, dimensions: readonly Dimension[], value: number, unit: string): void {
    this.rollMinute();
    const dims = dimensionKey(dimensions);
    this.keep({ namespace, name, dimensions: dims, minute: this.openMinute, unit, sampleCount: 1, sum: value, minimum: value, maximum: value, samples: [value], gauge: true });
  }

  /** Adds (or replaces) the open minute's bucket of `b`'s metric. */
  private keep(b: MinuteBucket): void {
    let names = this.open.get(b.namespace);
    if (names === undefined) this.open.set(b.namespace, (names = new Map()));
    let byDims = names.get(b.name);
    if (byDims === undefined) names.set(b.name, (byDims = new Map()));
    byDims.set(b.dimensions, b);
  }

  flush(): void {
    if (this.open.size === 0) return;
    const buckets: MinuteBucket[] = [];
    for (const names of this.open.values()) for (const byDims of names.values()) buckets.push(...byDims.values());
    this.open.clear();
    this.write(buckets, this.clock.now() - this.retentionMs);
  }

  /** The minutes of one metric (exact dimension set) in [from, to). */
  minutes(namespace: string, name: string, dimensions: string, from: number, to: number): MinuteBucket[] {
    this.flush();
    return (this.s.range.all(namespace, name, dimensions, from, to) as RawBucket[]).map(fromRaw);
  }

  /** Every metric with data since `since` (ListMetrics: the past two weeks). */
  metrics(since: number): { namespace: string; name: string; dimensions: Dimension[] }[] {
    this.flush();
    return (this.s.list.all(since) as { namespace: string; name: string; dimensions: string }[]).map((r) => ({ ...r, dimensions: JSON.parse(r.dimensions) as Dimension[] }));
  }

  /** The current minute; a new one sends the finished minutes to disk (once a minute of service time). */
  private rollMinute(): number {
    const now = this.clock.now();
    const minute = now - (now % MINUTE);
    if (minute !== this.openMinute) {
      if (this.open.size > 0) this.flush();
      this.openMinute = minute;
    }
    return minute;
  }

  /** Reservoir sampling: each of the `seen` values is kept with equal probability. */
  private keepSample(samples: number[], value: number, seen: number): void {
    if (samples.length < SAMPLES_PER_MINUTE) samples.push(value);
    else {
      const j = Math.floor(this.random.next() * seen);
      if (j < SAMPLES_PER_MINUTE) samples[j] = value;
    }
  }

  private merge(a: MinuteBucket, b: MinuteBucket): MinuteBucket {
    let samples = [...a.samples, ...b.samples];
    if (samples.length > SAMPLES_PER_MINUTE) {
      // Weighted by how many values each side stands for.
      const wa = a.sampleCount / (a.sampleCount + b.sampleCount);
      samples = [];
      for (let i = 0; i < SAMPLES_PER_MINUTE; i++) {
        const from = this.random.next() < wa ? a.samples : b.samples;
        samples.push(from[Math.floor(this.random.next() * from.length)]!);
      }
    }
    return {
      ...b,
      sampleCount: a.sampleCount + b.sampleCount,
      sum: a.sum + b.sum,
      minimum: Math.min(a.minimum, b.minimum),
      maximum: Math.max(a.maximum, b.maximum),
      samples,
    };
  }
}

interface RawBucket {
  namespace: string;
  name: string;
  dimensions: string;
  minute: number;
  unit: string;
  sample_count: number;
  sum: number;
  minimum: number;
  maximum: number;
  samples: string;
}

function fromRaw(r: RawBucket): MinuteBucket {
  return {
    namespace: r.namespace,
    name: r.name,
    dimensions: r.dimensions,
    minute: r.minute,
    unit: r.unit,
    sampleCount: r.sample_count,
    sum: r.sum,
    minimum: r.minimum,
    maximum: r.maximum,
    samples: JSON.parse(r.samples) as number[],
  };
}
