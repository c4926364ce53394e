import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { kinesisSource, schedulesSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { ScaledClock, VirtualClock, type FunctionDefinition } from "@lambda-sim/core";
import { until } from "./support/until.ts";

// A source is a plain object shared by every Simulator of the process (tests, an embedding
// program): stopping one simulator must stop that simulator's timers, not another's, and a
// simulator whose start fails must stop the sources it had started.

const codeDir = fileURLToPath(new URL("./fixtures/functions/schedule-recorder/", import.meta.url));
const recorder: FunctionDefinition = { functionName: "recorder", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 3 };
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:recorder";
const ROLE = "arn:aws:iam::000000000000:role/scheduler";
const sources = [sqsSource, kinesisSource, schedulesSource];

const running: TestSimulator[] = [];
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const t of running.splice(0)) await t.close();
});

/** Service time 60× faster; a timer callback that fails is recorded, not printed. */
async function start(timerErrors: string[] = []) {
  const clock = new ScaledClock(60, { onTimerError: (e, label) => timerErrors.push(`${label}: ${String(e)}`) });
  const t = await startTestSimulator({ functions: [recorder], sources, clock });
  running.push(t);
  const scheduler = new SchedulerClient({ ...t.clientConfig, maxAttempts: 1 });
  clients.push(scheduler);
  const logs = new TelemetryRecorder(t.sim.telemetry);
  const fires = () => logs.of("function.log").filter((e) => e.text.includes("EVENT ")).length;
  const tick = (name: string) => scheduler.send(new CreateScheduleCommand({ Name: name, ScheduleExpression: "rate(1 minute)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: "{}" } }));
  return { t, fires, tick };
}

describe("sources shared by two simulators in one process", () => {
  it("closing one simulator leaves the other's schedules firing, and its own timers stop", async () => {
    const aErrors: string[] = [];
    const a = await start(aErrors);
    await a.tick("a-tick");
    const b = await start();
    await b.tick("b-tick");
    await until(() => a.fires() >= 1 && b.fires() >= 1);
    await a.t.close();
    running.splice(running.indexOf(a.t), 1);
    const before = b.fires();
    // rate(1 minute) at 60×: about one fire a wall second.
    await until(() => b.fires() >= before + 2, 5_000);
    expect(aErrors).toEqual([]);
  });

  it("a start that fails (a bad event source mapping) stops the sources it started", async () => {
    // Service time stands still: the timers a half-started simulator leaves behind are visible.
    const clock = new VirtualClock();
    const failed = await startTestSimulator({
      functions: [recorder],
      sources,
      clock,
      sourceConfig: {
        schedules: schedulesSource.configSchema!.parse({ tick: { scheduleExpression: "rate(1 minute)", target: { arn: "lambda:recorder" } } }),
        streams: kinesisSource.configSchema!.parse({ s: { shardCount: 1 } }),
      },
      eventSourceMappings: [{ FunctionName: "recorder", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:missing" }],
    }).catch((e: unknown) => e);
    expect(String(failed)).toMatch(/eventSourceMappings/);
    // The schedule's and Kinesis's trim timers would otherwise fire into the closed database.
    expect(clock.pendingTimers()).toEqual([]);
    await clock.advanceBy(15 * 60_000);
  });
});
