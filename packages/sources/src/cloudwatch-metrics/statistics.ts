import type { MinuteBucket } from "./metric-store.ts";
import { metricsErrors } from "./metrics-errors.ts";

export const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
export type Statistic = (typeof STATISTICS)[number];

/** `p0` to `p100` with up to two decimals (GetMetricStatistics ExtendedStatistics). */
const PERCENTILE = /^p(\d{1,2}(\.\d{1,2})?|100(\.0{1,2})?)$/;

export function isPercentile(stat: string): boolean {
  return PERCENTILE.test(stat);
}

/**
 * A statistic over the minutes of one period. Percentiles are nearest-rank over the values kept
 * per minute (all of them up to SAMPLES_PER_MINUTE, a uniform sample beyond), each minute's values
 * weighted by how many values they stand for.
 */
export function statistic(buckets: readonly MinuteBucket[], stat: string): number {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const b of buckets) {
    count += b.sampleCount;
    sum += b.sum;
    if (b.minimum < min) min = b.minimum;
    if (b.maximum > max) max = b.maximum;
  }
  switch (stat) {
    case "SampleCount":
      return count;
    case "Sum":
      return sum;
    case "Average":
      return count === 0 ? 0 : sum / count;
    case "Minimum":
      return min;
    case "Maximum":
      return max;
  }
  if (!isPercentile(stat)) throw metricsErrors.invalidValue(`The value ${stat} for parameter Stat is not supported by lambda-sim (supported: ${STATISTICS.join(", ")}, p0 to p100).`);
  const p = Number(stat.slice(1));
  const weighted: { v: number; w: number }[] = [];
  for (const b of buckets) for (const v of b.samples) weighted.push({ v, w: b.sampleCount / b.samples.length });
  weighted.sort((a, b) => a.v - b.v);
  const total = weighted.reduce((s, x) => s + x.w, 0);
  const rank = Math.max(p / 100 * total, Number.MIN_VALUE);
  let acc = 0;
  for (const x of weighted) {
    acc += x.w;
    if (acc >= rank - 1e-9) return x.v;
  }
  return max;
}

/**
 * Groups minutes into periods starting at `start` (StartTime rounded down to the minute, as AWS
 * does for data under 15 days old): each period's timestamp is its start.
 */
export function periods(buckets: readonly MinuteBucket[], start: number, periodMs: number): Map<number, MinuteBucket[]> {
  const out = new Map<number, MinuteBucket[]>();
  for (const b of buckets) {
    const at = periodMs < 60_000 ? b.minute : start + Math.floor((b.minute - start) / periodMs) * periodMs;
    let list = out.get(at);
    if (list === undefined) out.set(at, (list = []));
    list.push(b);
  }
  return out;
}
