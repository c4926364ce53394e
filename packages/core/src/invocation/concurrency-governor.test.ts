import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { Telemetry } from "../telemetry/telemetry.ts";
import { ConcurrencyGovernor, type Admission } from "./concurrency-governor.ts";

function governor(settings: ConstructorParameters<typeof ConcurrencyGovernor>[2] = {}) {
  const clock = new VirtualClock(0);
  const telemetry = new Telemetry(clock);
  const throttles: string[] = [];
  telemetry.subscribe((e) => e.type === "invocation.throttled" && throttles.push(`${e.functionName}:${e.reason}`));
  return { clock, g: new ConcurrencyGovernor(clock, telemetry, settings), throttles };
}

const reason = (a: Admission) => (a.ok ? "ok" : a.reason);

describe("ConcurrencyGovernor (aws-facts §4)", () => {
  it("shares the account limit among unreserved functions", () => {
    const { g, throttles } = governor({ accountLimit: 2 });
    expect(reason(g.admit("a", "$LATEST", true))).toBe("ok");
    expect(reason(g.admit("b", "$LATEST", true))).toBe("ok");
    expect(reason(g.admit("a", "$LATEST", true))).toBe("ConcurrentInvocationLimitExceeded");
    expect(throttles).toEqual(["a:ConcurrentInvocationLimitExceeded"]);
  });

  it("caps a reserved function at its reservation and guarantees it against the others", () => {
    const { g } = governor({ accountLimit: 10, unreservedMinimum: 2 });
    g.setReserved("r", 3);
    const leases = [1, 2, 3].map(() => g.admit("r", "$LATEST", true));
    expect(leases.map(reason)).toEqual(["ok", "ok", "ok"]);
    expect(reason(g.admit("r", "$LATEST", true))).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    // The unreserved pool is 10 - 3 = 7, whatever r is doing.
    const others = Array.from({ length: 8 }, (_, i) => g.admit(`u${i}`, "$LATEST", true));
    expect(others.map(reason)).toEqual([...Array(7).fill("ok"), "ConcurrentInvocationLimitExceeded"]);
    expect(g.accountLimits()).toEqual({ ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 7 });
  });

  it("throttles everything with reserved concurrency 0", () => {
    const { g } = governor();
    g.setReserved("off", 0);
    expect(reason(g.admit("off", "$LATEST", false))).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
  });

  it("refuses a reservation that breaks the unreserved minimum, with AWS's message", () => {
    const { g } = governor();
    g.setReserved("a", 800);
    expect(() => g.setReserved("b", 101)).toThrow(
      "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    );
    g.setReserved("a", 700); // changing its own reservation counts only the new value
    g.setReserved("b", 200);
  });

  it("frees a slot when a lease is released, once", () => {
    const { g } = governor({ accountLimit: 1 });
    const a = g.admit("f", "$LATEST", true);
    expect(a.ok).toBe(true);
    if (a.ok) {
      a.lease.release();
      a.lease.release();
    }
    expect(g.inFlight()).toBe(0);
    expect(reason(g.admit("f", "$LATEST", false))).toBe("ok");
    expect(reason(g.admit("f", "$LATEST", false))).toBe("ConcurrentInvocationLimitExceeded");
  });

  it("limits new environments by the scaling rate, refilled continuously on the Clock", async () => {
    const { g, clock } = governor({ scalingLimit: 10, scalingWindowMs: 10_000 });
    const first = Array.from({ length: 11 }, () => g.admit("f", "$LATEST", true));
    expect(first.filter((a) => a.ok)).toHaveLength(10);
    expect(reason(first[10]!)).toBe("ConcurrentInvocationLimitExceeded");
    // Warm environments are not limited by the scaling rate.
    expect(reason(g.admit("f", "$LATEST", false))).toBe("ok");
    await clock.advanceBy(999);
    expect(reason(g.admit("f", "$LATEST", true))).not.toBe("ok");
    await clock.advanceBy(1);
    expect(reason(g.admit("f", "$LATEST", true))).toBe("ok"); // 1 s = one new environment at 10 per 10 s
    await clock.advanceBy(60_000);
    expect(Array.from({ length: 11 }, () => g.admit("f", "$LATEST", true)).filter((a) => a.ok)).toHaveLength(10); // unused rate does not accumulate
  });

  it("shares one account-wide burst bucket in the pre-November-2023 mode, refilled by 500 per minute", async () => {
    const { g, clock } = governor({ scalingMode: "account-burst", burst: 3 });
    expect([g.admit("a", "$LATEST", true), g.admit("a", "$LATEST", true), g.admit("b", "$LATEST", true)].map(reason)).toEqual(["ok", "ok", "ok"]);
    expect(reason(g.admit("b", "$LATEST", true))).toBe("ConcurrentInvocationLimitExceeded");
    await clock.advanceBy(120); // 500 per minute = one every 120 ms
    expect(reason(g.admit("c", "$LATEST", true))).toBe("ok");
    expect(reason(g.admit("a", "$LATEST", true))).toBe("ConcurrentInvocationLimitExceeded");
  });
});
