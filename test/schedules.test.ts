import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand, ValidationException } from "@aws-sdk/client-scheduler";
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { schedulesSource, sqsSource } from "@lambda-sim/sources";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { VirtualClock, type FunctionDefinition } from "@lambda-sim/core";
import { loadConfig } from "../packages/cli/src/config/load-config.ts";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/schedule-recorder/", import.meta.url));
const recorder: FunctionDefinition = { functionName: "recorder", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 3 };
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:recorder";
const ROLE = "arn:aws:iam::000000000000:role/scheduler";

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** A server whose service timers run 60× faster: a minute of schedule takes a wall second. */
async function start(opts: { timeScale?: number; clock?: VirtualClock; sourceConfig?: Record<string, unknown> } = {}) {
  t = await sims.start({ functions: [recorder], sources: [sqsSource, schedulesSource], timeScale: opts.timeScale ?? 60, clock: opts.clock, sourceConfig: opts.sourceConfig });
  const scheduler = new SchedulerClient({ ...t.clientConfig, maxAttempts: 1 });
  const events = new EventBridgeClient({ ...t.clientConfig, maxAttempts: 1 });
  const sqs = new SQSClient(t.clientConfig);
  clients.push(scheduler, events, sqs);
  const logs = new TelemetryRecorder(t.sim.telemetry);
  /** The events the recorder function logged, in order. */
  const received = () => logs.of("function.log").flatMap((e) => e.text.split("\n").filter((l) => l.includes("EVENT ")).map((l) => JSON.parse(l.slice(l.indexOf("EVENT ") + 6))));
  return { sim: t.sim, scheduler, events, sqs, logs, received };
}

describe("EventBridge Scheduler", () => {
  it("fires a rate(1 minute) schedule at creation and each minute after, with its Input as the event", async () => {
    const { scheduler, received, logs } = await start();
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({ Name: "tick", ScheduleExpression: "rate(1 minute)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: '{"x":1}' } }),
    );
    expect(ScheduleArn).toBe("arn:aws:scheduler:us-east-1:000000000000:schedule/default/tick");
    await until(() => received().length >= 2);
    expect(received().slice(0, 2)).toEqual([{ x: 1 }, { x: 1 }]);
    // Each fire names the invocation it made (the dashboard's rows and tail say which schedule ran it).
    const started = logs.of("invocation.started").map((e) => e.requestId);
    const delivered = logs.of("schedule.delivered");
    expect(delivered[0]).toMatchObject({ scheduleArn: ScheduleArn, targetArn: FUNCTION_ARN, attempt: 1 });
    expect(started.slice(0, 2)).toEqual(delivered.slice(0, 2).map((e) => e.requestId));
    const got = await scheduler.send(new GetScheduleCommand({ Name: "tick" }));
    expect(got).toMatchObject({ Name: "tick", GroupName: "default", State: "ENABLED", ScheduleExpression: "rate(1 minute)", ScheduleExpressionTimezone: "UTC", ActionAfterCompletion: "NONE", Target: { Arn: FUNCTION_ARN, Input: '{"x":1}' } });
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules?.map((s) => [s.Name, s.Target?.Arn])).toEqual([["tick", FUNCTION_ARN]]);
  });

  it("fires an at() schedule once and then deletes it (ActionAfterCompletion DELETE)", async () => {
    const clock = new VirtualClock();
    const { scheduler, received } = await start({ clock });
    const at = new Date(clock.now() + 60_000).toISOString().slice(0, 19);
    await scheduler.send(new CreateScheduleCommand({ Name: "once", ScheduleExpression: `at(${at})`, ActionAfterCompletion: "DELETE", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: '"hi"' } }));
    await clock.advanceBy(60_000);
    await until(() => received().length >= 1);
    await until(async () => (await scheduler.send(new GetScheduleCommand({ Name: "once" })).catch((e: unknown) => e)) instanceof ResourceNotFoundException);
    // Another service hour: still exactly one.
    await clock.advanceBy(3_600_000);
    expect(received()).toEqual(["hi"]);
  });

  it("keeps a DELETE schedule that never fired, or has no EndDate, and refuses a StartDate more than 5 minutes past (review17 R14)", async () => {
    const clock = new VirtualClock(Date.parse("2026-12-05T08:00:00Z"));
    const { scheduler, received } = await start({ clock });
    const create = (name: string, expression: string, extra: Record<string, unknown> = {}) =>
      scheduler.send(new CreateScheduleCommand({ Name: name, ScheduleExpression: expression, ActionAfterCompletion: "DELETE", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: `"${name}"` }, ...extra }));
    const exists = async (name: string) => (await scheduler.send(new GetScheduleCommand({ Name: name })).catch((e: unknown) => e)) instanceof ResourceNotFoundException === false;
    // Past at() and a cron whose years are over: nothing fires, and they stay (they never ran).
    await create("past-at", "at(2020-01-01T00:00:00)");
    await create("past-cron", "cron(0 10 * * ? 2020)");
    expect([await exists("past-at"), await exists("past-cron")]).toEqual([true, true]);
    // A cron for this morning only, without EndDate: fires at 10:00, then stays ("does not automatically delete").
    await create("today", "cron(0 10 5 12 ? 2026)");
    await clock.advanceBy(3 * 3_600_000);
    await until(() => received().includes("today"));
    expect(await exists("today")).toBe(true);
    const early = await create("early", "rate(1 hour)", { StartDate: new Date(clock.now() - 6 * 60_000) }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(ValidationException);
    expect((early as Error).message).toBe("The StartDate you specify cannot be earlier than 5 minutes ago.");
    await create("recent", "rate(1 hour)", { StartDate: new Date(clock.now() - 4 * 60_000) });
  });

  it("shows a rate schedule's next and last fire at the start of the minute it fires in, on /_sim/schedules and the dashboard's view alike", async () => {
    // newuser3 R3: created 08:24:58, rate(2 minutes) fires 08:24:58, 08:26:00, 08:28:00 (AWS's
    // 60 s precision, aws-facts §9.2), so that is what both views say, never 08:26:58.
    const clock = new VirtualClock(Date.parse("2026-12-05T08:24:58Z"));
    const { scheduler, received, sim } = await start({ clock });
    await scheduler.send(new CreateScheduleCommand({ Name: "every-2min", ScheduleExpression: "rate(2 minutes)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: "{}" } }));
    const views = async () => {
      const listed = (await (await fetch(`${sim.endpoint}/_sim/schedules`)).json()) as { name: string; lastFireAt?: string; nextFireAt: string | null }[];
      const state = (await (await fetch(`${sim.endpoint}/_sim/state`)).json()) as { schedules: { name: string; lastFireAt?: number; nextFireAt?: number }[] };
      const dashboard = state.schedules.find((s) => s.name === "every-2min")!;
      const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
      return { listed: listed.find((s) => s.name === "every-2min"), dashboard: { lastFireAt: iso(dashboard.lastFireAt), nextFireAt: iso(dashboard.nextFireAt) } };
    };
    await clock.advanceBy(0); // the fire due at creation
    await until(() => received().length === 1);
    expect(await views()).toEqual({
      listed: expect.objectContaining({ lastFireAt: "2026-12-05T08:24:58.000Z", nextFireAt: "2026-12-05T08:26:00.000Z" }),
      dashboard: { lastFireAt: "2026-12-05T08:24:58.000Z", nextFireAt: "2026-12-05T08:26:00.000Z" },
    });
    const advanced = await fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ to: "2026-12-05T08:26:30Z" }) });
    expect(advanced.status).toBe(200);
    await until(() => received().length === 2);
    // The last fire is when it fired, not 28 s in the future.
    expect(await views()).toEqual({
      listed: expect.objectContaining({ lastFireAt: "2026-12-05T08:26:00.000Z", nextFireAt: "2026-12-05T08:28:00.000Z" }),
      dashboard: { lastFireAt: "2026-12-05T08:26:00.000Z", nextFireAt: "2026-12-05T08:28:00.000Z" },
    });
  });

  it("UpdateSchedule replaces the schedule; an unchanged rate keeps its anchor", async () => {
    const clock = new VirtualClock();
    const { sim, scheduler, received } = await start({ clock });
    const input = (Input: string, State?: "ENABLED" | "DISABLED") => ({ Name: "hourly", ScheduleExpression: "rate(1 hour)", State, FlexibleTimeWindow: { Mode: "OFF" as const }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input } });
    await scheduler.send(new CreateScheduleCommand(input('"a"')));
    await clock.advanceBy(0); // the fire due at creation
    await until(() => received().length === 1);
    await scheduler.send(new UpdateScheduleCommand(input('"b"')));
    // Not fired again by the update: the rate still counts from creation, an hour away.
    await clock.advanceBy(59 * 60_000);
    expect(received()).toEqual(["a"]);
    expect(await scheduler.send(new GetScheduleCommand({ Name: "hourly" }))).toMatchObject({ State: "ENABLED", Target: { Input: '"b"' } });
    await fetch(`${sim.endpoint}/_sim/schedules/hourly/fire`, { method: "POST" });
    await until(() => received().length === 2);
    expect(received()).toEqual(["a", "b"]);
    await scheduler.send(new UpdateScheduleCommand(input('"b"', "DISABLED")));
    expect((await scheduler.send(new ListSchedulesCommand({ State: "ENABLED" }))).Schedules).toEqual([]);
    expect((await scheduler.send(new ListSchedulesCommand({ State: "DISABLED" }))).Schedules?.map((s) => s.Name)).toEqual(["hourly"]);
  });

  it("rejects invalid expressions and unknown schedules with AWS's exceptions", async () => {
    const { scheduler } = await start();
    const create = (expr: string) => scheduler.send(new CreateScheduleCommand({ Name: "bad", ScheduleExpression: expr, FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE } }));
    for (const expr of ["rate(10 seconds)", "rate(1 minutes)", "cron(0 1 * * * *)", "at(2021-12-31T23:59:59Z)"]) {
      await expect(create(expr)).rejects.toThrow(ValidationException);
      await expect(create(expr)).rejects.toThrow(`Invalid Schedule Expression ${expr}.`);
    }
    const missing = await scheduler.send(new DeleteScheduleCommand({ Name: "nope" })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((missing as Error).message).toBe("Schedule nope does not exist.");
  });

  it("sends an undeliverable event to the schedule's dead-letter queue", async () => {
    const { scheduler, sqs } = await start();
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "dlq" }))).QueueUrl!;
    await scheduler.send(
      new CreateScheduleCommand({
        Name: "broken",
        ScheduleExpression: "rate(1 hour)",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:missing", RoleArn: ROLE, Input: '{"lost":true}', DeadLetterConfig: { Arn: "arn:aws:sqs:us-east-1:000000000000:dlq" } },
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageAttributeNames: ["All"] }));
    expect(got.Messages?.[0]?.Body).toBe('{"lost":true}');
    expect(got.Messages?.[0]?.MessageAttributes).toMatchObject({
      ERROR_CODE: { StringValue: "ResourceNotFoundException" },
      SCHEDULE_ARN: { StringValue: "arn:aws:scheduler:us-east-1:000000000000:schedule/default/broken" },
      TARGET_ARN: { StringValue: "arn:aws:lambda:us-east-1:000000000000:function:missing" },
    });
  });

  it("an Input that is not JSON is refused by Lambda (InvalidRequestContentException): dead-lettered, the function never runs", async () => {
    const { scheduler, sqs, logs } = await start();
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "dlq" }))).QueueUrl!;
    await scheduler.send(
      new CreateScheduleCommand({
        Name: "text",
        ScheduleExpression: "rate(1 hour)",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: "hello, not json", DeadLetterConfig: { Arn: "arn:aws:sqs:us-east-1:000000000000:dlq" } },
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageAttributeNames: ["All"] }));
    expect(got.Messages?.[0]?.Body).toBe("hello, not json");
    expect(got.Messages?.[0]?.MessageAttributes).toMatchObject({ ERROR_CODE: { StringValue: "InvalidRequestContentException" }, TARGET_ARN: { StringValue: FUNCTION_ARN } });
    expect(logs.of("async.enqueued")).toEqual([]);
  });
});

describe("EventBridge scheduled rules", () => {
  it("invokes a rule's Lambda target with the AWS scheduled-event payload", async () => {
    const { events, received } = await start();
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "every-minute", ScheduleExpression: "rate(1 minute)" }));
    expect(RuleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/every-minute");
    await events.send(new PutTargetsCommand({ Rule: "every-minute", Targets: [{ Id: "1", Arn: FUNCTION_ARN }] }));
    expect(await events.send(new DescribeRuleCommand({ Name: "every-minute" }))).toMatchObject({ Name: "every-minute", Arn: RuleArn, ScheduleExpression: "rate(1 minute)", State: "ENABLED", EventBusName: "default" });
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: "every-minute" }))).Targets).toEqual([{ Id: "1", Arn: FUNCTION_ARN }]);
    await until(() => received().length >= 1);
    const event = received()[0];
    expect(Object.keys(event)).toEqual(["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]);
    expect(event).toMatchObject({ version: "0", "detail-type": "Scheduled Event", source: "aws.events", account: "000000000000", region: "us-east-1", resources: [RuleArn], detail: {} });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
  });

  it("answers an invalid expression and a schedule on another bus with ValidationException", async () => {
    const { events } = await start();
    await expect(events.send(new PutRuleCommand({ Name: "r", ScheduleExpression: "rate(10 MINUTES)" }))).rejects.toMatchObject({ name: "ValidationException", message: "Parameter ScheduleExpression is not valid." });
    await expect(events.send(new PutRuleCommand({ Name: "r", ScheduleExpression: "rate(5 minutes)", EventBusName: "orders" }))).rejects.toMatchObject({
      name: "ValidationException",
      message: "ScheduleExpression is supported only on the default event bus.",
    });
    await expect(events.send(new DescribeRuleCommand({ Name: "nope" }))).rejects.toMatchObject({ name: "ResourceNotFoundException", message: "Rule nope does not exist on EventBus default." });
  });
});

describe("schedules in lambda-sim.yaml and /_sim/schedules/NAME/fire", () => {
  it("declares a schedule from the file, and fires it on demand", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-schedules-"));
    const file = join(dir, "lambda-sim.yaml");
    // The function is not declared in this file (the test creates it): named by its full ARN.
    writeFileSync(file, `schedules:\n  nightly: { scheduleExpression: "cron(0 3 * * ? *)", scheduleExpressionTimezone: Europe/Paris, target: { arn: "${FUNCTION_ARN}", input: '{"x":1}' } }\n`);
    const config = await loadConfig(file, [schedulesSource]);
    const { scheduler, received, sim } = await start({ sourceConfig: config.sources, timeScale: 1 });
    expect(await scheduler.send(new GetScheduleCommand({ Name: "nightly" }))).toMatchObject({ ScheduleExpressionTimezone: "Europe/Paris", Target: { Arn: FUNCTION_ARN, Input: '{"x":1}' } });
    const res = await fetch(`${sim.endpoint}/_sim/schedules/nightly/fire`, { method: "POST" });
    expect(res.status).toBe(200);
    await until(() => received().length === 1);
    expect(received()).toEqual([{ x: 1 }]);
    expect((await fetch(`${sim.endpoint}/_sim/schedules/unknown/fire`, { method: "POST" })).status).toBe(404);
  });

  it("names the file, line and key of an invalid expression", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lambda-sim-schedules-")), "lambda-sim.yaml");
    writeFileSync(file, `schedules:\n  bad:\n    scheduleExpression: "rate(1 minutes)"\n    target: { arn: lambda:f }\n`);
    await expect(loadConfig(file, [schedulesSource])).rejects.toThrow(`${file}:3 schedules.bad.scheduleExpression: expected a valid rate(value unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss) expression`);
  });
});
