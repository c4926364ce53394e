import { describe, expect, it } from "vitest";
import { VirtualClock } from "@lambda-sim/core";
import { parseScheduleExpression, type ScheduleExpression } from "./schedule-expression.ts";
import { nextFireAfter, type FireWindow } from "./next-fire.ts";

const utc = (iso: string) => Date.parse(iso.endsWith("Z") ? iso : `${iso}Z`);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace(".000Z", "Z"));

function parse(text: string, dialect: "rule" | "scheduler" = "scheduler"): ScheduleExpression {
  const e = parseScheduleExpression(text, dialect);
  if (e === undefined) throw new Error(`rejected: ${text}`);
  return e;
}

/** The next `n` fire times after `from`, chained the way the runner chains them. */
function fires(text: string, from: string, n: number, w: Partial<FireWindow> = {}): (string | undefined)[] {
  const e = parse(text);
  const out: (string | undefined)[] = [];
  let t: number | undefined = utc(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = nextFireAfter(e, t, { anchorMs: utc(from), ...w });
    out.push(iso(t));
  }
  return out;
}

describe("parseScheduleExpression", () => {
  // aws-facts §9.1: the AWS-validated valid and invalid examples, plus the Scheduler's at().
  it.each([
    "rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)",
    "cron(0 18 ? * MON-FRI *)", "cron(15 10 ? * 6L 2002-2005)", "cron(0 2 ? * SAT#3 *)", "cron(0/5 5 ? JAN 1-5 2022)",
    "cron(0 12 * * ? *)", "cron(0 8 1 * ? *)", "cron(0/15 * * * ? *)", "cron(0 9 L * ? *)", "cron(0 9 15W * ? *)",
    "cron(0 9 LW * ? *)", "cron(0 0 ? * L *)", "cron(5,35 14 * * ? *)", "cron(0 0 1 JAN-MAR ? 2030/2)",
  ])("accepts %s", (text) => {
    expect(parseScheduleExpression(text, "rule")).toBeDefined();
  });

  it.each([
    "rate(10 seconds)", "rate(10 years)", "rate(1 minutes)", "rate(1 hours)", "rate(1 days)", "rate(10 minute)",
    "rate(0 minutes)", "rate(-10 minutes)", "rate(10 MINUTES)", "rate( 10 minutes )", " rate(10 minutes)", "rate(10)", "rate()",
    "rate(10 minutess)", "cron()", "cron(0 1 * * * *)", "cron(0 1 ? * ? *)", "cron(71 8 1 * ? *)", "cron(7 20 * * NOT *)",
    "cron(0 0 ? * 3#1,6#3 *)", "cron(0 24 * * ? *)", "cron(0 0 32 * ? *)", "cron(0 0 * 13 ? *)", "cron(0 0 ? * 8 *)",
    "cron(0 0 * * ? 1969)", "cron(0 0 * * ? 2200)", "cron(0 0 * * ?)", "cron(0 0 ? * 1#6 *)", "cron(0 0 L * L *)",
    "cron(0 0 5W ? * *)", "cron(0 0 * * ? 2030-2025)", "at(2030-01-01T10:00:00)",
  ])("rejects %s", (text) => {
    expect(parseScheduleExpression(text, "rule")).toBeUndefined();
  });

  it.each(["at(2021-12-31T23:59:59Z)", "at(2021-12-31)", "at(2021-02-30T10:00:00)", "at(2021-12-31T24:00:00)"])("rejects the one-time %s", (text) => {
    expect(parseScheduleExpression(text, "scheduler")).toBeUndefined();
  });
});

describe("nextFireAfter", () => {
  it("counts rate schedules from their anchor, not from clock boundaries", () => {
    expect(fires("rate(5 minutes)", "2026-03-01T10:02:17", 3)).toEqual(["2026-03-01T10:07:17Z", "2026-03-01T10:12:17Z", "2026-03-01T10:17:17Z"]);
    // A schedule created without StartDate fires as it is created (asked for the fire after anchor - 1).
    expect(iso(nextFireAfter(parse("rate(1 hour)"), utc("2026-03-01T10:02:17") - 1, { anchorMs: utc("2026-03-01T10:02:17") }))).toBe("2026-03-01T10:02:17Z");
    // StartDate in the future: counts from it.
    expect(fires("rate(1 day)", "2026-03-01T00:00:00", 2, { anchorMs: utc("2026-03-10T06:00:00"), startMs: utc("2026-03-10T06:00:00") })).toEqual(["2026-03-10T06:00:00Z", "2026-03-11T06:00:00Z"]);
  });

  it.each([
    // [expression, after (UTC), time zone, next three fires (UTC)]
    ["cron(0 18 ? * MON-FRI *)", "2026-03-06T18:00:00", "UTC", ["2026-03-09T18:00:00Z", "2026-03-10T18:00:00Z", "2026-03-11T18:00:00Z"]],
    ["cron(0/15 * * * ? *)", "2026-03-06T23:40:00", "UTC", ["2026-03-06T23:45:00Z", "2026-03-07T00:00:00Z", "2026-03-07T00:15:00Z"]],
    ["cron(0 9 L * ? *)", "2026-01-31T10:00:00", "UTC", ["2026-02-28T09:00:00Z", "2026-03-31T09:00:00Z", "2026-04-30T09:00:00Z"]],
    ["cron(0 9 L * ? *)", "2028-01-31T10:00:00", "UTC", ["2028-02-29T09:00:00Z", "2028-03-31T09:00:00Z", "2028-04-30T09:00:00Z"]],
    // 15W: Sat 15 Aug 2026 → Fri 14th; Sun 15 Nov 2026 → Mon 16th; 1W on Sat 1 Aug → Mon 3rd.
    ["cron(0 9 15W * ? *)", "2026-08-01T00:00:00", "UTC", ["2026-08-14T09:00:00Z", "2026-09-15T09:00:00Z", "2026-10-15T09:00:00Z"]],
    ["cron(0 9 1W * ? *)", "2026-07-02T00:00:00", "UTC", ["2026-08-03T09:00:00Z", "2026-09-01T09:00:00Z", "2026-10-01T09:00:00Z"]],
    ["cron(0 9 LW * ? *)", "2026-05-01T00:00:00", "UTC", ["2026-05-29T09:00:00Z", "2026-06-30T09:00:00Z", "2026-07-31T09:00:00Z"]],
    // 6L = last Friday; SAT#3 = third Saturday; 1 = SUN in AWS numbering.
    ["cron(15 10 ? * 6L *)", "2026-01-01T00:00:00", "UTC", ["2026-01-30T10:15:00Z", "2026-02-27T10:15:00Z", "2026-03-27T10:15:00Z"]],
    ["cron(0 2 ? * SAT#3 *)", "2026-01-01T00:00:00", "UTC", ["2026-01-17T02:00:00Z", "2026-02-21T02:00:00Z", "2026-03-21T02:00:00Z"]],
    ["cron(0 12 ? * 1 *)", "2026-03-01T12:00:00", "UTC", ["2026-03-08T12:00:00Z", "2026-03-15T12:00:00Z", "2026-03-22T12:00:00Z"]],
    ["cron(0 0 ? * L *)", "2026-03-01T00:00:00", "UTC", ["2026-03-07T00:00:00Z", "2026-03-14T00:00:00Z", "2026-03-21T00:00:00Z"]],
    // Years: a range that ends, a step.
    ["cron(0 0 1 1 ? 2027-2028)", "2026-06-01T00:00:00", "UTC", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z", undefined]],
    ["cron(0 0 29 2 ? 2030/2)", "2026-06-01T00:00:00", "UTC", ["2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z", "2040-02-29T00:00:00Z"]],
    // Time zones: 03:00 in Paris is 02:00Z in winter and 01:00Z in summer.
    ["cron(0 3 * * ? *)", "2026-03-27T12:00:00", "Europe/Paris", ["2026-03-28T02:00:00Z", "2026-03-29T01:00:00Z", "2026-03-30T01:00:00Z"]],
    // Spring forward (29 Mar 2026, 02:00→03:00 in Paris): 02:30 does not exist that day and is skipped.
    ["cron(30 2 * * ? *)", "2026-03-27T12:00:00", "Europe/Paris", ["2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"]],
    // Fall back (25 Oct 2026, 03:00→02:00): 02:30 happens twice and fires once.
    ["cron(30 2 * * ? *)", "2026-10-24T12:00:00", "Europe/Paris", ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"]],
    // 02:30 CEST, then 03:00 CET: the repeated 02:00-02:59 (01:00Z-01:59Z) is not fired again.
    ["cron(0,30 * * * ? *)", "2026-10-25T00:15:00", "Europe/Paris", ["2026-10-25T00:30:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:30:00Z"]],
    ["cron(0 9 ? * MON *)", "2026-03-06T00:00:00", "America/New_York", ["2026-03-09T13:00:00Z", "2026-03-16T13:00:00Z", "2026-03-23T13:00:00Z"]],
    ["cron(0 0 * * ? *)", "2026-06-01T00:00:00", "Asia/Kolkata", ["2026-06-01T18:30:00Z", "2026-06-02T18:30:00Z", "2026-06-03T18:30:00Z"]],
  ] as const)("%s after %s in %s", (text, after, timeZone, expected) => {
    expect(fires(text, after, 3, { timeZone })).toEqual(expected);
  });

  it("fires an at() schedule once, in its time zone, whatever StartDate and EndDate say", () => {
    const e = parse("at(2026-07-14T09:30:00)");
    const w = { anchorMs: 0, timeZone: "Europe/Paris", endMs: 0 };
    expect(iso(nextFireAfter(e, utc("2026-01-01T00:00:00"), w))).toBe("2026-07-14T07:30:00Z");
    expect(nextFireAfter(e, utc("2026-07-14T07:30:00"), w)).toBeUndefined();
  });

  it("stops at EndDate and starts at StartDate", () => {
    const w = { startMs: utc("2026-03-02T00:00:00"), endMs: utc("2026-03-03T12:00:00") };
    expect(fires("cron(0 12 * * ? *)", "2026-03-01T00:00:00", 3, w)).toEqual(["2026-03-02T12:00:00Z", "2026-03-03T12:00:00Z", undefined]);
  });

  it("lets the VirtualClock run a year of hourly Paris fires in well under a second", async () => {
    const clock = new VirtualClock(utc("2026-01-01T00:00:00"));
    const e = parse("cron(0 * * * ? *)");
    let count = 0;
    const arm = (after: number) => {
      const t = nextFireAfter(e, after, { anchorMs: 0, timeZone: "Europe/Paris" })!;
      clock.setTimer(t - clock.now(), () => {
        count++;
        arm(t);
      });
    };
    arm(clock.now());
    await clock.advanceTo(utc("2027-01-01T00:00:00"));
    // 8,760 hours; the fall-back hour (repeated 02:00 local) fires once, the spring-forward one never.
    expect(count).toBe(8760 - 1);
  });
});
