import { validateDetailed } from "node-cron";

/**
 * The six fields of an AWS cron expression, expanded (aws-facts §9.1):
 * `cron(minutes hours day-of-month month day-of-week year)`.
 *
 * node-cron does the field parsing it shares with AWS: lists, ranges, steps, month and weekday
 * names, and the `L`, `W` and `#` tokens. This module adds what AWS has and node-cron lacks:
 * - the year field (1970-2199);
 * - the rule that exactly one of day-of-month and day-of-week is `?`;
 * - AWS's day-of-week numbering, 1-7 with 1 = SUN (node-cron counts 0-6 from Sunday);
 * - `5/15` (a start without a range, which node-cron rejects) and a stricter per-field syntax
 *   (node-cron accepts `L` or `#` anywhere, and `#` several times).
 */
export interface CronFields {
  /** Sorted ascending. */
  minutes: readonly number[];
  hours: readonly number[];
  /** Index 1-12. */
  months: readonly boolean[];
  /** node-cron's day-of-month list: day numbers, "L", "LW" or "<n>W". */
  daysOfMonth: readonly (number | string)[];
  /** node-cron's day-of-week list: 0-6 from Sunday, "<d>L" (last <d> of the month) or "<d>#<n>". */
  daysOfWeek: readonly (number | string)[];
  /** Index year - 1970, through 2199. */
  years: readonly boolean[];
  /** The last year with a fire: the next-fire search stops there. */
  lastYear: number;
}

export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2199;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

// Per-field syntax of the AWS table (aws-facts §9.1): `, - * /` everywhere; `? L W` in
// day-of-month; `? L #` in day-of-week. A token is a value, a range, or either with a step.
const num = "\\d{1,4}";
const range = (v: string) => `(?:\\*|${v}(?:-${v})?)(?:/\\d{1,4})?`;
const list = (token: string) => new RegExp(`^(?:${token})(?:,(?:${token}))*$`);
const MINUTE_OR_HOUR = list(range(num));
const DAY_OF_MONTH = list(`${range(num)}|L|LW|${num}W`);
const MONTH = list(range(`(?:${num}|${MONTHS.join("|")})`));
const DAY_OF_WEEK = list(`${range(`(?:${num}|${WEEKDAYS.join("|")})`)}|L|(?:${num}|${WEEKDAYS.join("|")})(?:L|#\\d)`);
const YEAR = list(range(num));

/** Parses the six fields; undefined when AWS would reject them. */
export function parseCronFields(fields: readonly string[]): CronFields | undefined {
  if (fields.length !== 6) return undefined;
  const [minute, hour, dom, month, dow, year] = fields.map((f) => f.toUpperCase()) as [string, string, string, string, string, string];
  // Exactly one day field is `?` (`cron(0 1 * * * *)` is invalid, aws-facts §9.1).
  if ((dom === "?") === (dow === "?")) return undefined;
  if (!MINUTE_OR_HOUR.test(minute) || !MINUTE_OR_HOUR.test(hour) || !MONTH.test(month) || !YEAR.test(year)) return undefined;
  if ((dom !== "?" && !DAY_OF_MONTH.test(dom)) || (dow !== "?" && !DAY_OF_WEEK.test(dow))) return undefined;
  // `#` at most once in day-of-week (`3#1,6#3` is invalid, aws-facts §9.1).
  if ((dow.match(/#/g) ?? []).length > 1) return undefined;
  const numbersIn = (f: string, min: number, max: number) => (f.match(/(?<![/#\d])\d+/g) ?? []).every((n) => +n >= min && +n <= max);
  if (!numbersIn(minute, 0, 59) || !numbersIn(hour, 0, 23) || !numbersIn(dom.replace("?", ""), 1, 31) || !numbersIn(month, 1, 12)) return undefined;
  if (!numbersIn(dow.replace("?", ""), 1, 7) || /#[^1-5]/.test(dow) || !numbersIn(year, FIRST_YEAR, LAST_YEAR)) return undefined;
  const years = expandYears(year);
  if (years === undefined) return undefined;
  const pattern = [
    withRange(minute, "0-59"),
    withRange(hour, "0-23"),
    dom === "?" ? "*" : withRange(dom, "1-31"),
    withRange(month, "1-12"),
    dow === "?" ? "*" : nodeCronWeekdays(dow),
  ].join(" ");
  const parsed = validateDetailed(pattern);
  if (!parsed.valid || parsed.fields === undefined) return undefined;
  const months = Array.from({ length: 13 }, (_, m) => parsed.fields!.month.includes(m));
  const lastYear = years.lastIndexOf(true) + FIRST_YEAR;
  return {
    minutes: [...parsed.fields.minute].sort((a, b) => a - b),
    hours: [...parsed.fields.hour].sort((a, b) => a - b),
    months,
    daysOfMonth: parsed.fields.dayOfMonth,
    daysOfWeek: parsed.fields.dayOfWeek,
    years,
    lastYear,
  };
}

/** `5/15` means `5-<max>/15` (AWS); node-cron only takes a step after `*` or a range. */
function withRange(field: string, full: string): string {
  const max = full.split("-")[1]!;
  return field
    .split(",")
    .map((t) => t.replace(/^(\w+)\/(\d+)$/, (_, start: string, step: string) => `${start}-${max}/${step}`))
    .join(",");
}

/** AWS day-of-week (1-7 or SUN-SAT, 1 = SUN; `L` alone = SAT) → node-cron's (0-6 from Sunday). */
function nodeCronWeekdays(field: string): string {
  const day = (v: string) => String((WEEKDAYS.includes(v) ? WEEKDAYS.indexOf(v) + 1 : Number(v)) - 1);
  return field
    .split(",")
    .map((t) => {
      if (t === "L") return "6";
      const m = /^(\*|\w+?)(?:-(\w+))?(?:\/(\d+))?(L|#\d)?$/.exec(t)!;
      const [, start, end, step, suffix] = m;
      if (start === "*") return t;
      if (suffix !== undefined) return `${day(start!)}${suffix}`;
      const from = day(start!);
      const to = end !== undefined ? day(end) : step !== undefined ? "6" : undefined;
      return `${from}${to !== undefined ? `-${to}` : ""}${step !== undefined ? `/${step}` : ""}`;
    })
    .join(",");
}

/** Expands the year field over 1970-2199; undefined for a backwards range or a zero step. */
function expandYears(field: string): boolean[] | undefined {
  const years = new Array<boolean>(LAST_YEAR - FIRST_YEAR + 1).fill(false);
  for (const token of field.split(",")) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(token);
    if (m === null) return undefined;
    const from = m[1] === "*" ? FIRST_YEAR : Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : m[1] === "*" || m[3] !== undefined ? LAST_YEAR : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (to < from || step < 1) return undefined;
    for (let y = from; y <= to; y += step) years[y - FIRST_YEAR] = true;
  }
  return years;
}

/** Days of `month` (1-12) in `year` on which the fields fire, ascending. */
export function matchingDays(f: CronFields, year: number, month: number): number[] {
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const firstWeekday = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const out: number[] = [];
  for (let day = 1; day <= last; day++) {
    const weekday = (firstWeekday + day - 1) % 7;
    if (dayOfMonthMatches(f.daysOfMonth, day, last, firstWeekday) && dayOfWeekMatches(f.daysOfWeek, day, last, weekday)) out.push(day);
  }
  return out;
}

function dayOfMonthMatches(field: readonly (number | string)[], day: number, last: number, firstWeekday: number): boolean {
  for (const v of field) {
    if (v === day || (v === "L" && day === last)) return true;
    if (typeof v === "string" && v.endsWith("W")) {
      const target = v === "LW" ? last : Number(v.slice(0, -1));
      if (nearestWeekday(target, last, firstWeekday) === day) return true;
    }
  }
  return false;
}

/** `15W`: the weekday nearest the 15th, never crossing into another month. */
function nearestWeekday(target: number, last: number, firstWeekday: number): number {
  if (target > last) return -1;
  const weekday = (firstWeekday + target - 1) % 7;
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function dayOfWeekMatches(field: readonly (number | string)[], day: number, last: number, weekday: number): boolean {
  for (const v of field) {
    if (v === weekday) return true;
    if (typeof v !== "string" || Number(v[0]) !== weekday) continue;
    if (v.endsWith("L") && day + 7 > last) return true;
    if (v[1] === "#" && Math.ceil(day / 7) === Number(v.slice(2))) return true;
  }
  return false;
}
