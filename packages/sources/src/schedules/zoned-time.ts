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
  if (timeZone === "UTC") {
    const d = new Date(epochMs);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
  }
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(epochMs)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute! };
}

/** The zone's offset from UTC at `epochMs`, in ms (whole minutes). */
function offsetAt(epochMs: number, timeZone: string): number {
  const t = Math.floor(epochMs / 60_000) * 60_000;
  const l = toLocal(t, timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute) - t;
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
