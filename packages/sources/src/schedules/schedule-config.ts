import { z } from "zod";
import { parseScheduleExpression } from "./schedule-expression.ts";
import type { ScheduleDefinition } from "./schedule-store.ts";
import { isTimeZone } from "./zoned-time.ts";

const whole = (min: number, max: number) => {
  const expected = `expected a whole number between ${min} and ${max}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
};
const date = z.union([z.string(), z.date()], { error: "expected a date such as 2026-01-01T00:00:00Z" }).transform((v, ctx) => {
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (Number.isNaN(ms)) ctx.addIssue({ code: "custom", message: "expected a date such as 2026-01-01T00:00:00Z" });
  return ms;
});

/**
 * `schedules:` in lambda-sim.yaml: EventBridge Scheduler schedules, keyed by name in the default
 * group or `GROUP/NAME` in another (made at start if missing: a name is unique within its group,
 * so two groups may each have one), with CreateSchedule's parameters in lowerCamelCase (aws-facts §9.2). Targets may be written
 * `lambda:NAME` or `sqs:NAME`; `input` may be JSON text or a YAML object.
 */
export const scheduleConfigSchema = z.record(
  z.string().regex(/^([0-9a-zA-Z\-_.]{1,64}\/)?[0-9a-zA-Z\-_.]{1,64}$/, { error: "expected a schedule name of 1-64 letters, digits, -, _ or ., or GROUP/NAME for one in a schedule group" }),
  z.strictObject({
    scheduleExpression: z.string({ error: "expected rate(…), cron(…) or at(…)" }).refine((e) => parseScheduleExpression(e, "scheduler") !== undefined, {
      error: "expected a valid rate(value unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss) expression",
    }),
    scheduleExpressionTimezone: z.string().refine(isTimeZone, { error: "expected an IANA time zone such as Europe/Paris" }).default("UTC"),
    state: z.enum(["ENABLED", "DISABLED"], { error: "expected ENABLED or DISABLED" }).default("ENABLED"),
    description: z.string().max(512).optional(),
    startDate: date.optional(),
    endDate: date.optional(),
    flexibleTimeWindow: z
      .strictObject({ mode: z.enum(["OFF", "FLEXIBLE"], { error: "expected OFF or FLEXIBLE" }), maximumWindowInMinutes: whole(1, 1440).optional() })
      .refine((w) => (w.mode === "FLEXIBLE") === (w.maximumWindowInMinutes !== undefined), { error: "maximumWindowInMinutes goes with mode FLEXIBLE, and only with it" })
      .default({ mode: "OFF" }),
    actionAfterCompletion: z.enum(["NONE", "DELETE"], { error: "expected NONE or DELETE" }).default("NONE"),
    target: z.strictObject({
      arn: z.string({ error: "expected lambda:NAME, sqs:NAME or an ARN" }),
      roleArn: z.string().optional(),
      input: z.union([z.string(), z.record(z.string(), z.unknown())], { error: "expected JSON text or an object" }).optional(),
      retryPolicy: z.strictObject({ maximumRetryAttempts: whole(0, 185).optional(), maximumEventAgeInSeconds: whole(60, 86_400).optional() }).optional(),
      deadLetterConfig: z.strictObject({ arn: z.string({ error: "expected sqs:NAME or a queue ARN" }) }).optional(),
    }),
  }),
  { error: "expected a map of schedule names to schedules" },
);

export type ScheduleConfig = z.output<typeof scheduleConfigSchema>;

/** A `schedules:` key's group and name: `nightly` is the default group's, `tenant-a/nightly` tenant-a's. */
export function scheduleKeyParts(key: string): { group: string; name: string } {
  const slash = key.indexOf("/");
  return slash === -1 ? { group: "default", name: key } : { group: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The `schedules:` key of a schedule in `group`. */
export function scheduleKey(group: string, name: string): string {
  return group === "default" ? name : `${group}/${name}`;
}

/** One declared schedule as the stored definition, `lambda:NAME`/`sqs:NAME` made ARNs. */
export function definitionOf(s: ScheduleConfig[string], arnOf: (ref: string) => string, accountId: string): ScheduleDefinition {
  const t = s.target;
  return {
    ScheduleExpression: s.scheduleExpression,
    ScheduleExpressionTimezone: s.scheduleExpressionTimezone,
    State: s.state,
    Description: s.description,
    StartDate: s.startDate,
    EndDate: s.endDate,
    FlexibleTimeWindow: s.flexibleTimeWindow.mode === "OFF" ? { Mode: "OFF" } : { Mode: "FLEXIBLE", MaximumWindowInMinutes: s.flexibleTimeWindow.maximumWindowInMinutes },
    ActionAfterCompletion: s.actionAfterCompletion,
    Targets: [
      {
        Arn: arnOf(t.arn),
        // Target.RoleArn is required (botocore scheduler Target), so GetSchedule always has one and a
        // get-then-update round trip works (fuzz19 F11); lambda-sim checks no IAM: a placeholder when none is given.
        RoleArn: t.roleArn ?? `arn:aws:iam::${accountId}:role/lambda-sim-scheduler`,
        Input: t.input === undefined || typeof t.input === "string" ? t.input : JSON.stringify(t.input),
        RetryPolicy: t.retryPolicy && { MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds },
        DeadLetterConfig: t.deadLetterConfig && { Arn: arnOf(t.deadLetterConfig.arn) },
      },
    ],
  };
}
