/**
 * Wall-clock time in an IANA time zone, with Intl.DateTimeFormat as the only tz database
 * (ScheduleExpressionTimezone, aws-facts §9.2). UTC takes the Date.UTC fast path: it is the
 * default and by far the commonest zone, and the next-fire search converts every candidate.
 */
export interface LocalTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` names a zone this Node knows (`Europe/Paris`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function toLocal(epochMs: number, timeZone: string): LocalTime {
  const d = new Date(timeZone === "UTC" ? epochMs : epochMs + offsetAt(epochMs, timeZone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** Offsets by zone and quarter hour: zones change offset only on quarter hours (tzdb since 1980). */
const offsets = new Map<string, Map<number, number>>();
const QUARTER_HOUR = 900_000;

/** The zone's offset from UTC at `epochMs`, in ms (whole minutes). */
function offsetAt(epochMs: number, timeZone: string): number {
  let byQuarter = offsets.get(timeZone);
  if (byQuarter === undefined) offsets.set(timeZone, (byQuarter = new Map()));
  const q = Math.floor(epochMs / QUARTER_HOUR);
  let o = byQuarter.get(q);
  if (o === undefined) {
    if (byQuarter.size > 100_000) byQuarter.clear();
    const t = q * QUARTER_HOUR;
    const p: Record<string, number> = {};
    for (const part of formatter(timeZone).formatToParts(t)) if (part.type !== "literal") p[part.type] = Number(part.value);
    o = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - t;
    byQuarter.set(q, o);
  }
  return o;
}

/**
 * The instant a local wall time names. Undefined when it does not exist (skipped by a
 * spring-forward); the earlier instant when it exists twice (a fall-back repeats an hour).
 * Scheduler skips the first and runs the second once (D: scheduler schedule-types, DST).
 */
export function fromLocal(l: LocalTime, timeZone: string): number | undefined {
  const naive = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
  if (timeZone === "UTC") return naive;
  // The offsets a day either side bracket any transition: zones change offset at most twice a year.
  const before = offsetAt(naive - 86_400_000, timeZone);
  const after = offsetAt(naive + 86_400_000, timeZone);
  let found: number | undefined;
  for (const o of before === after ? [before] : [before, after]) {
    const t = naive - o;
    if (offsetAt(t, timeZone) === o && (found === undefined || t < found)) found = t;
  }
  return found;
}
