import { fileURLToPath } from "node:url";
import { until } from "./support/until.ts";
import { describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { VirtualClock } from "@lambda-sim/core";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();

/** Function `idle` (an idle lifetime of 60 s) on a VirtualClock; `count()` invokes it: its environment's invocation count. */
async function idleFunction() {
  const clock = new VirtualClock();
  t = await sims.start({
    clock,
    functions: [{ functionName: "idle", runtime: "nodejs24.x", handler: "index.counter", codeDir, sim: { idleLifetimeMs: 60_000 } }],
  });
  const recorder = new TelemetryRecorder(t.sim.telemetry);
  const lambda = new LambdaClient(t.clientConfig);
  const retired = () => recorder.of("environment.state-changed").filter((e) => e.to === "retired");
  const count = async (): Promise<number> => JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: "idle" }))).Payload!).toString()).invocations;
  return { clock, lambda, retired, count };
}

describe("environment lifecycle on the VirtualClock", () => {
  it("retires an idle environment after its idle lifetime of service time, not before", async () => {
    const { clock, lambda, retired, count } = await idleFunction();
    expect(await count()).toBe(1);

    await clock.advanceBy(59_999);
    expect(retired()).toEqual([]);
    await clock.advanceBy(1);
    expect(retired().map((e) => e.reason)).toEqual(["idle-timeout"]);

    // The next invocation is a cold start in a new environment.
    expect(await count()).toBe(1);
    lambda.destroy();
  });

  it("counts an environment's idle lifetime from its last invocation, however often it was used before", async () => {
    const { clock, lambda, retired, count } = await idleFunction();
    expect(await count()).toBe(1);
    // Used again at 40 s and 80 s: never idle for 60 s, so the same warm environment answers.
    await clock.advanceBy(40_000);
    expect(await count()).toBe(2);
    await clock.advanceBy(40_000);
    expect(await count()).toBe(3);
    await clock.advanceBy(59_999);
    expect(retired()).toEqual([]);
    await clock.advanceBy(1);
    expect(retired().map((e) => e.reason)).toEqual(["idle-timeout"]);
    expect(retired()[0]!.time).toBe(clock.now());
    lambda.destroy();
  });

  it("does not jump virtual time while a handler is running", async () => {
    const clock = new VirtualClock();
    t = await sims.start({
      clock,
      functions: [{ functionName: "slow", runtime: "nodejs24.x", handler: "index.sleep", codeDir, sim: { idleLifetimeMs: 1_000 } }],
    });
    const lambda = new LambdaClient(t.clientConfig);
    const recorder = new TelemetryRecorder(t.sim.telemetry);
    const running = lambda.send(new InvokeCommand({ FunctionName: "slow", Payload: Buffer.from('{"ms":300}') }));
    // The invocation is running: it holds the clock until it ends.
    await until(() => clock.activeHolds().some((h) => h.startsWith("invoke:")));
    const before = clock.now();
    await clock.runUntilIdle();
    const finished = recorder.of("invocation.finished")[0]!;
    expect(finished.time).toBe(before);
    // The idle reap is housekeeping: run-until-idle leaves it pending; a second of idle time reaps.
    expect(clock.pendingWork).toBe(0);
    await clock.advanceBy(1_000);
    const retired = recorder.of("environment.state-changed").find((e) => e.to === "retired")!;
    expect(retired.time).toBe(before + 1_000);
    await running;
    lambda.destroy();
  });
});
