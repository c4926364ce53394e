import { FIRST_YEAR, matchingDays, type CronFields } from "./cron-fields.ts";
import type { ScheduleExpression } from "./schedule-expression.ts";
import { fromLocal, toLocal } from "./zoned-time.ts";

/** Where and when a schedule may fire, besides its expression. */
export interface FireWindow {
  /** IANA zone the cron and at() fields are read in (ScheduleExpressionTimezone); default UTC. */
  timeZone?: string;
  /**
   * Rate schedules fire at anchor + k × period, k ≥ 0: they count from when they were created
   * (or from their StartDate), not from clock boundaries (aws-facts §9.1).
   */
  anchorMs: number;
  /** StartDate: no fire before it (ignored by at(), aws-facts §9.2). */
  startMs?: number;
  /** EndDate: no fire after it (ignored by at()). */
  endMs?: number;
}

/**
 * The first fire time strictly after `afterMs`, or undefined when the schedule never fires
 * again. A pure function of the expression and a time from any Clock: the VirtualClock jumps
 * from one result to the next, so a year of schedules takes no more work than its fires.
 */
export function nextFireAfter(expr: ScheduleExpression, afterMs: number, w: FireWindow): number | undefined {
  const timeZone = w.timeZone ?? "UTC";
  let t: number | undefined;
  switch (expr.kind) {
    case "at": {
      const { year, month, day, hour, minute, second } = expr;
      // A one-time schedule in a skipped (spring-forward) hour: taken at the later offset.
      const local = fromLocal({ year, month, day, hour, minute }, timeZone) ?? Date.UTC(year, month - 1, day, hour, minute);
      const at = local + second * 1000;
      return at > afterMs ? at : undefined;
    }
    case "rate": {
      const from = Math.max(afterMs, (w.startMs ?? w.anchorMs) - 1);
      const k = Math.max(0, Math.floor((from - w.anchorMs) / expr.periodMs) + 1);
      t = w.anchorMs + k * expr.periodMs;
      break;
    }
    case "cron":
      t = nextCronFire(expr.fields, Math.max(afterMs, (w.startMs ?? -Infinity) - 1), timeZone);
      break;
  }
  return t === undefined || (w.endMs !== undefined && t > w.endMs) ? undefined : t;
}

const daysCache = new WeakMap<CronFields, Map<number, number[]>>();

/** Matching days of a month, remembered per expression (the search asks for the same months). */
function days(f: CronFields, year: number, month: number): number[] {
  let byMonth = daysCache.get(f);
  if (byMonth === undefined) daysCache.set(f, (byMonth = new Map()));
  const key = year * 12 + month;
  let out = byMonth.get(key);
  if (out === undefined) {
    if (byMonth.size > 48) byMonth.clear();
    byMonth.set(key, (out = matchingDays(f, year, month)));
  }
  return out;
}

/**
 * Walks the calendar in the schedule's zone: years, months, matching days, hours, minutes, from
 * the first whole minute after `afterMs`. Local times a spring-forward skips are skipped, and a
 * fall-back's repeated hour fires once: the run only once rule of Scheduler's DST handling.
 */
function nextCronFire(f: CronFields, afterMs: number, timeZone: string): number | undefined {
  const t0 = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  const s = toLocal(t0, timeZone);
  for (let year = Math.max(s.year, FIRST_YEAR); year <= f.lastYear; year++) {
    if (!f.years[year - FIRST_YEAR]) continue;
    const firstYear = year === s.year;
    for (let month = firstYear ? s.month : 1; month <= 12; month++) {
      if (!f.months[month]) continue;
      const firstMonth = firstYear && month === s.month;
      for (const day of days(f, year, month)) {
        if (firstMonth && day < s.day) continue;
        const firstDay = firstMonth && day === s.day;
        for (const hour of f.hours) {
          if (firstDay && hour < s.hour) continue;
          const firstHour = firstDay && hour === s.hour;
          for (const minute of f.minutes) {
            if (firstHour && minute < s.minute) continue;
            const t = fromLocal({ year, month, day, hour, minute }, timeZone);
            if (t !== undefined && t >= t0) return t;
          }
        }
      }
    }
  }
  return undefined;
}
