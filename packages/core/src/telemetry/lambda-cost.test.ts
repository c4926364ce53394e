import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "./events.ts";
import { CostMeter, invocationCost, LAMBDA_PRICES_US_EAST_1 } from "./lambda-cost.ts";

/**
 * The cost panel's arithmetic against AWS's published us-east-1 prices (aws-facts §12;
 * aws.amazon.com/lambda/pricing): $0.20 per million requests; per GB-s of duration $0.0000166667
 * (x86_64), $0.0000133334 (arm64); on provisioned concurrency $0.0000097222 (x86_64),
 * $0.0000077778 (arm64). 1,000 invocations at 512 MB billed 100 ms each are 50 GB-s.
 */
const thousand = (architecture: string, provisioned = false) => {
  let gbSeconds = 0;
  let cost = 0;
  for (let i = 0; i < 1000; i++) {
    const c = invocationCost(512, architecture, 100, provisioned);
    gbSeconds += c.gbSeconds;
    cost += c.cost;
  }
  return { gbSeconds, cost };
};

describe("an invocation's cost on AWS Lambda", () => {
  it("is the request plus GB-seconds at the architecture's on-demand price", () => {
    expect(LAMBDA_PRICES_US_EAST_1.perRequest).toBe(0.0000002);
    const x86 = thousand("x86_64");
    expect(x86.gbSeconds).toBeCloseTo(50, 9);
    // $0.0002 of requests + 50 GB-s x $0.0000166667.
    expect(x86.cost).toBeCloseTo(0.0002 + 50 * 0.0000166667, 12);
    expect(thousand("arm64").cost).toBeCloseTo(0.0002 + 50 * 0.0000133334, 12);
    // A 128 MB function billed 1 ms (1 ms granularity): 1/8 GB x 0.001 s.
    expect(invocationCost(128, "x86_64", 1)).toEqual({ gbSeconds: 0.000125, cost: 0.0000002 + 0.000125 * 0.0000166667 });
  });

  it("on provisioned concurrency, is the request plus GB-seconds at Provisioned Concurrency's duration price", () => {
    expect(thousand("x86_64", true).cost).toBeCloseTo(0.0002 + 50 * 0.0000097222, 12);
    expect(thousand("arm64", true).cost).toBeCloseTo(0.0002 + 50 * 0.0000077778, 12);
  });
});

describe("the cost meter", () => {
  const at = { time: 0 };
  const env = (environmentId: string, provisioned: boolean, to: "idle" | "retired" = "idle") =>
    ({ ...at, type: "environment.state-changed", environmentId, functionName: "fn", version: "1", from: "initializing", to, provisioned: provisioned || undefined }) as TelemetryEvent;
  const finished = (environmentId: string, billedDurationMs: number) =>
    ({ ...at, type: "invocation.finished", requestId: "r", functionName: "fn", version: "1", environmentId, durationMs: billedDurationMs, billedDurationMs, maxMemoryUsedMb: 60, status: "success" }) as TelemetryEvent;

  it("adds each function's invocations up, those on a provisioned environment at its price", () => {
    const meter = new CostMeter(() => ({ memorySize: 1024, architecture: "arm64" }));
    meter.record(env("pc", true));
    meter.record(env("od", false));
    meter.record(finished("pc", 1000));
    meter.record(finished("od", 1000));
    meter.record(finished("od", 500));
    const view = meter.view();
    expect(view.functions.fn).toMatchObject({ requests: 3, provisionedRequests: 1, memorySize: 1024, architecture: "arm64" });
    expect(view.functions.fn!.gbSeconds).toBeCloseTo(2.5, 12);
    const expected = 3 * 0.0000002 + 1 * 0.0000077778 + 1.5 * 0.0000133334;
    expect(view.functions.fn!.cost).toBeCloseTo(expected, 12);
    expect(view.total).toBeCloseTo(expected, 12);
  });

  it("forgets a provisioned environment once it retired (its id is not reused, but the set stays small)", () => {
    const meter = new CostMeter(() => ({ memorySize: 1024, architecture: "x86_64" }));
    meter.record(env("pc", true));
    meter.record(env("pc", true, "retired"));
    meter.record(finished("pc", 1000));
    expect(meter.view().functions.fn).toMatchObject({ requests: 1, provisionedRequests: 0 });
    expect(meter.view().total).toBeCloseTo(0.0000002 + 0.0000166667, 12);
  });
});
