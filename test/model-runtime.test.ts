import { describe, expect, it } from "vitest";
import { VirtualClock, type FunctionDefinition, type InvokeOutput } from "@lambda-sim/core";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();

const model = (name: string, spec: Partial<NonNullable<FunctionDefinition["model"]>>, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({
  functionName: name,
  runtime: "model",
  codeDir: process.cwd(),
  timeout: 5,
  model: { durationMs: 1_000, coldStartMs: 300, errorProbability: 0, timeoutProbability: 0, ...spec },
  ...extra,
});

async function run(clock: VirtualClock, name: string): Promise<InvokeOutput & { kind: "result" }> {
  const pending = t!.sim.invoker.invoke({ functionName: name, payload: Buffer.from("{}"), invocationType: "RequestResponse" });
  await clock.runUntilIdle();
  const out = await pending;
  if (out.kind !== "result") throw new Error("expected a result");
  return out;
}

describe("the model runtime (no process, service time on the Clock)", () => {
  it("takes its declared cold start and duration on the VirtualClock, then runs warm", async () => {
    const clock = new VirtualClock(0);
    t = await sims.start({ clock, functions: [model("m", {}, { sim: { idleLifetimeMs: 60_000_000 } })] });
    const pending = t.sim.invoker.invoke({ functionName: "m", payload: Buffer.from("{}"), invocationType: "RequestResponse" });
    await clock.advanceBy(1_300);
    const first = await pending;
    expect(first.kind === "result" && first.result).toMatchObject({ coldStart: true, initDurationMs: 300, durationMs: 1_000, billedDurationMs: 1_300 });
    const second = await run(clock, "m");
    expect(second.result).toMatchObject({ coldStart: false, initDurationMs: undefined, durationMs: 1_000 });
  });

  it("ends in the declared error or timeout", async () => {
    const clock = new VirtualClock(0);
    t = await sims.start({ clock, functions: [model("bad", { errorProbability: 1 }), model("slow", { timeoutProbability: 1 })] });
    expect((await run(clock, "bad")).result.errorType).toBe("ModelError");
    const slow = await run(clock, "slow");
    expect(slow.result).toMatchObject({ errorType: "Sandbox.Timedout", reportStatus: "timeout", durationMs: 5_000 });
  });

  it("goes through the governor: reserved concurrency 2 with 5 simultaneous calls admits 2", async () => {
    const clock = new VirtualClock(0);
    t = await sims.start({ clock, functions: [model("r", {}, { reservedConcurrency: 2 })] });
    const calls = Array.from({ length: 5 }, () =>
      t!.sim.invoker.invoke({ functionName: "r", payload: Buffer.from("{}"), invocationType: "RequestResponse" }).then(
        () => "ok",
        (e: { code?: string; fields?: { Reason?: string } }) => e.fields?.Reason ?? e.code,
      ),
    );
    await clock.runUntilIdle();
    expect((await Promise.all(calls)).sort()).toEqual(["ReservedFunctionConcurrentInvocationLimitExceeded", "ReservedFunctionConcurrentInvocationLimitExceeded", "ReservedFunctionConcurrentInvocationLimitExceeded", "ok", "ok"]);
  });
});
