import { parseCronFields, type CronFields } from "./cron-fields.ts";

/** A parsed ScheduleExpression (aws-facts §9): what `nextFireAfter` computes from. */
export type ScheduleExpression =
  | { kind: "rate"; periodMs: number }
  | { kind: "cron"; fields: CronFields }
  /** One-time (Scheduler only): a wall time in the schedule's time zone. */
  | { kind: "at"; year: number; month: number; day: number; hour: number; minute: number; second: number };

/** EventBridge rules take rate and cron; Scheduler adds at(). */
export type ExpressionDialect = "rule" | "scheduler";

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * Parses a schedule expression with AWS's grammar; undefined when AWS would reject it (each API
 * words its own ValidationException). Rules are exact (aws-facts §9.1): lower case, single
 * spaces, no padding; rate values positive, singular unit for 1 and plural above.
 */
export function parseScheduleExpression(text: string, dialect: ExpressionDialect): ScheduleExpression | undefined {
  const rate = /^rate\(([1-9]\d*) (minute|hour|day)(s?)\)$/.exec(text);
  if (rate !== null) {
    const value = Number(rate[1]);
    // `rate(1 minutes)` and `rate(10 minute)` are both invalid (LS-EVSCHED, AWS-validated).
    if ((value === 1) !== (rate[3] === "")) return undefined;
    return { kind: "rate", periodMs: value * UNIT_MS[rate[2] as keyof typeof UNIT_MS] };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron !== null) {
    const fields = parseCronFields(cron[1]!.split(" ").filter((f) => f !== ""));
    return fields === undefined ? undefined : { kind: "cron", fields };
  }
  // at(yyyy-mm-ddThh:mm:ss): no zone suffix and no date-only form (aws-facts §9.2).
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  if (at !== null && dialect === "scheduler") {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
    return { kind: "at", year, month, day, hour, minute, second };
  }
  return undefined;
}
