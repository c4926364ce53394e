import { listPage, type Clock, type Operation } from "@lambda-sim/core";
import { dimensionKey, type Dimension, type MetricStore } from "./metric-store.ts";
import { metricsErrors } from "./metrics-errors.ts";
import { isPercentile, periods, statistic } from "./statistics.ts";

/** GetMetricStatistics answers at most 1,440 datapoints (API reference). */
const MAX_DATAPOINTS = 1440;
/** GetMetricData: 100,800 datapoints per call by default (MaxDatapoints). */
const MAX_DATA_POINTS = 100_800;
/** ListMetrics: 500 per page; metrics with data in the past two weeks (API reference). */
const LIST_PAGE = 500;
const TWO_WEEKS = 14 * 86_400_000;

/**
 * The read side of CloudWatch metrics (GetMetricStatistics, GetMetricData with MetricStat queries,
 * ListMetrics) over the store's one-minute statistic sets, on service time. Metric math
 * expressions are refused: lambda-sim does not evaluate them.
 */
export function metricOperations(store: MetricStore, clock: Clock, beforeRead: () => void): Record<string, Operation> {
  return {
    GetMetricStatistics: (i) => {
      beforeRead();
      const stats: string[] = i.Statistics ?? [];
      const extended: string[] = i.ExtendedStatistics ?? [];
      if (stats.length > 0 && extended.length > 0) throw metricsErrors.invalidCombination("Statistics and ExtendedStatistics cannot both be specified.");
      if (stats.length === 0 && extended.length === 0) throw metricsErrors.invalidCombination("Must specify either Statistics or ExtendedStatistics.");
      for (const s of extended) if (!isPercentile(s)) throw metricsErrors.invalidValue(`The value ${s} for parameter ExtendedStatistics is not supported.`);
      const { start, end, periodMs } = window(i.StartTime, i.EndTime, i.Period);
      const requested = Math.ceil((end - start) / periodMs);
      if (requested > MAX_DATAPOINTS) {
        throw metricsErrors.invalidCombination(
          `You have requested up to ${requested.toLocaleString("en-US")} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
        );
      }
      const buckets = store.minutes(i.Namespace, i.MetricName, dimensionKey(i.Dimensions), start, end).filter((b) => i.Unit === undefined || b.unit === i.Unit);
      const datapoints = [...periods(buckets, start, periodMs)].sort(([a], [b]) => a - b).map(([at, bs]) => {
        const d: Record<string, unknown> = { Timestamp: at / 1000 };
        for (const s of stats) d[s] = statistic(bs, s);
        if (extended.length > 0) d.ExtendedStatistics = Object.fromEntries(extended.map((s) => [s, statistic(bs, s)]));
        d.Unit = bs[0]!.unit;
        return d;
      });
      return { Label: i.MetricName, Datapoints: datapoints };
    },

    GetMetricData: (i) => {
      beforeRead();
      const queries: Record<string, any>[] = i.MetricDataQueries;
      if (queries.length === 0) throw metricsErrors.missingParameter("The parameter MetricDataQueries is required.");
      const ids = new Set<string>();
      for (const q of queries) {
        if (ids.has(q.Id)) throw metricsErrors.invalidValue(`The value ${q.Id} for parameter MetricDataQueries.member.Id is duplicated.`);
        ids.add(q.Id);
        if (q.Expression !== undefined) throw metricsErrors.invalidValue(`lambda-sim does not evaluate metric math expressions (query ${q.Id}: ${q.Expression}); use MetricStat queries.`);
        if (q.MetricStat === undefined) throw metricsErrors.invalidCombination(`Exactly one element of MetricStat or Expression must be specified in query ${q.Id}.`);
      }
      const descending = (i.ScanBy ?? "TimestampDescending") === "TimestampDescending";
      const max: number = i.MaxDatapoints ?? MAX_DATA_POINTS;
      let left = max;
      const results = queries
        .filter((q) => q.ReturnData !== false)
        .map((q) => {
          const ms = q.MetricStat;
          const { start, end, periodMs } = window(i.StartTime, i.EndTime, ms.Period);
          const buckets = store.minutes(ms.Metric.Namespace, ms.Metric.MetricName, dimensionKey(ms.Metric.Dimensions), start, end).filter((b) => ms.Unit === undefined || b.unit === ms.Unit);
          let points = [...periods(buckets, start, periodMs)].sort(([a], [b]) => (descending ? b - a : a - b));
          const partial = points.length > left;
          points = points.slice(0, Math.max(0, left));
          left -= points.length;
          return {
            Id: q.Id,
            Label: q.Label ?? ms.Metric.MetricName,
            Timestamps: points.map(([at]) => at / 1000),
            Values: points.map(([, bs]) => statistic(bs, ms.Stat)),
            // MaxDatapoints cuts the answer short; AWS would page with NextToken (not simulated).
            StatusCode: partial ? "PartialData" : "Complete",
            Messages: [],
          };
        });
      return { MetricDataResults: results, Messages: [] };
    },

    ListMetrics: (i) => {
      beforeRead();
      const since = clock.now() - (i.RecentlyActive === "PT3H" ? 3 * 3_600_000 : TWO_WEEKS);
      const filters: { Name: string; Value?: string }[] = i.Dimensions ?? [];
      const all = store
        .metrics(since)
        .filter((m) => (i.Namespace === undefined || m.namespace === i.Namespace) && (i.MetricName === undefined || m.name === i.MetricName))
        .filter((m) => filters.every((f) => m.dimensions.some((d: Dimension) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))));
      // The NextToken names the last metric returned (core listPage), so a metric that starts
      // reporting while a caller pages shifts nothing (an offset repeated or skipped one).
      const page = listPage(all, {
        listing: "ListMetrics",
        position: (m) => [m.namespace, m.name, JSON.stringify(m.dimensions)],
        count: LIST_PAGE,
        token: i.NextToken,
        invalidToken: metricsErrors.invalidNextToken,
      });
      return {
        Metrics: page.items.map((m) => ({ Namespace: m.namespace, MetricName: m.name, Dimensions: m.dimensions })),
        NextToken: page.next,
      };
    },
  };
}

/** StartTime/EndTime (epoch seconds over JSON, ISO 8601 over query) and Period, checked as AWS does. */
function window(startTime: number | string, endTime: number | string, period: number): { start: number; end: number; periodMs: number } {
  const start = toMs(startTime);
  const end = toMs(endTime);
  if (!(start < end)) throw metricsErrors.invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  if (period < 60 ? ![1, 5, 10, 30].includes(period) : period % 60 !== 0) {
    throw metricsErrors.invalidValue(period < 60 ? "The parameter Period must be 1, 5, 10, 30, or a multiple of 60." : "The parameter Period must be a multiple of 60.");
  }
  // Rounded down to the minute: the periods of recent data start on whole minutes.
  return { start: start - (start % 60_000), end, periodMs: period * 1000 };
}

function toMs(t: number | string): number {
  return typeof t === "number" ? Math.round(t * 1000) : Date.parse(t);
}

