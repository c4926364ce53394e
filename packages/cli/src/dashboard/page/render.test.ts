import { describe, expect, it } from "vitest";
import { RETIRE_REASONS } from "@lambda-sim/core";
// @ts-expect-error: the page's own JavaScript (no declarations): the browser loads it as is.
import { laneLegend, renderFunctions, renderStory } from "./render.js";

const lane = (id: string, state: string, reason?: string) => ({ id, functionName: "fn", version: "1", state, reason, provisioned: true, chips: [] });

describe("the functions section's lanes", () => {
  it("explains every retire reason in the lane legend, and a retired lane's reason in its title", () => {
    const html: string = renderFunctions({
      functions: new Map([["fn", { runtime: "nodejs24.x", memorySize: 128 }]]),
      envs: new Map([["e1", lane("e1", "retired", "provisioned-released")]]),
      throttles: new Map(),
      account: {},
    });
    for (const reason of RETIRE_REASONS) expect(laneLegend()).toContain(`data-reason="${reason}"`);
    expect(html).toContain('<small title="provisioned concurrency released (config deleted or lowered, alias moved)">provisioned-released</small>');
  });
});

describe("the functions section's faults", () => {
  it("lists the faults added, and marks what they injected beside the function they hit (newuser9 P3-1)", () => {
    const html: string = renderFunctions({
      time: Date.parse("2026-12-05T10:00:00Z"),
      functions: new Map([["checkout", { runtime: "nodejs24.x", memorySize: 128 }]]),
      envs: new Map(),
      throttles: new Map([["checkout", { count: 14, reason: "ReservedFunctionConcurrentInvocationLimitExceeded", caller: "arn:aws:sqs:us-east-1:000000000000:orders" }]]),
      injected: new Map([["checkout", { throttle: 14, other: 0 }]]),
      faults: [{ id: "fault-1", kind: "throttle", function: "checkout", activeFrom: "2026-12-05T09:59:00.000Z", activeUntil: "2026-12-05T10:01:00.000Z", matched: 20, fired: 14 }],
      account: {},
    });
    expect(html).toContain('<span class="fault" data-fault="fault-1"><b>fault-1</b> throttle on checkout — fired 14 of 20 matched, until 2026-12-05 10:01:00</span>');
    expect(html).toContain("14 throttle(s) injected by faults");
  });
});

describe("an invocation's story", () => {
  const storyOf = (logs: string[]) =>
    renderStory({
      selected: "r1",
      functions: new Map([["fn", { memorySize: 128 }]]),
      invocations: new Map([["r1", { requestId: "r1", functionName: "fn", version: "$LATEST", logs, attempts: [], durationMs: 2, billedDurationMs: 2, maxMemoryUsedMb: 60, status: "success" }]]),
    }) as string;

  it("adds START, END and REPORT only where the runtime logged none: not around JSON platform records", () => {
    const json = storyOf(['{"time":"2026-12-05T16:00:00.000Z","type":"platform.start","record":{"requestId":"r1","version":"$LATEST"}}\n', "hello\n"]);
    expect(json).not.toContain("START RequestId");
    expect(json).not.toContain("REPORT RequestId");
    const none = storyOf(["hello\n"]);
    expect(none).toContain("START RequestId: r1 Version: $LATEST");
    expect(none).toContain("REPORT RequestId: r1");
  });
});
