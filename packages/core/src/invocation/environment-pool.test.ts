import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import type { RandomStream } from "../random/rng.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { Telemetry } from "../telemetry/telemetry.ts";
import type { EnvironmentContext } from "./environment-context.ts";
import { EnvironmentPool } from "./environment-pool.ts";

/** Environment ids handed out in this order: the first environment created is "c". */
function ids(...hex: string[]): RandomStream {
  return { next: () => 0.5, int: () => 0, uuid: () => "", hex: () => hex.shift() ?? "z" };
}

const config = { functionName: "f", version: "$LATEST", runtime: "model", timeout: 3, environment: {}, sim: { idleLifetimeMs: 600_000 }, model: { durationMs: 100, coldStartMs: 0, errorProbability: 0, timeoutProbability: 0 } } as unknown as FunctionVersionConfig;

function pool(clock: VirtualClock): EnvironmentPool {
  const ctx = { clock, telemetry: new Telemetry(clock), modelRandom: ids() } as unknown as EnvironmentContext;
  return new EnvironmentPool(config, ctx, ids("c", "b", "a"));
}

const request = (n: number) => ({ requestId: `r${n}`, payload: Buffer.from("{}"), invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", traceId: "" });

describe("EnvironmentPool: which warm environment an invocation gets", () => {
  it("takes the most recently released; of those released at one service instant, the same one whatever order they were released in", async () => {
    const clock = new VirtualClock(0);
    const p = pool(clock);
    // Three at once: environments c, b, a, released at 100 ms in that order (c's timer first).
    const first = Promise.all([1, 2, 3].map((n) => p.run(request(n))));
    await clock.advanceTo(100);
    expect((await first).map((r) => r.environmentId)).toEqual(["c", "b", "a"]);
    // Released together: by id (a real process answering first must not decide it, README "Replay").
    const second = p.run(request(4));
    await clock.advanceTo(200);
    expect((await second).environmentId).toBe("c");
    // c was released last (at 200 ms): most recently used first.
    const third = p.run(request(5));
    await clock.advanceTo(300);
    expect((await third).environmentId).toBe("c");
  });
});
