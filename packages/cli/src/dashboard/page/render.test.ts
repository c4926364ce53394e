import { describe, expect, it } from "vitest";
import { RETIRE_REASONS } from "@lambda-sim/core";
// @ts-expect-error: the page's own JavaScript (no declarations): the browser loads it as is.
import { laneLegend, renderFunctions, renderInvocations, renderSources, renderStory } from "./render.js";

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

describe("the invocation list (newuser10 N3-2)", () => {
  const fn = "ws-NodeFn-JY7VEIQWCHG4";
  const row = (requestId: string, extra: object): [string, object] => [requestId, { requestId, functionName: fn, logs: [], attempts: [], startedAt: 1, durationMs: 3, status: "success", ...extra }];
  const html: string = renderInvocations({
    logicalIds: new Map([[fn, "NodeFn"]]),
    invocations: new Map([
      row("rest", { via: { front: "rest-api", apiId: "d9ef8224a1", stage: "Prod", routeKey: "GET /long" }, front: { front: "rest-api", apiId: "d9ef8224a1", stage: "Prod", routeKey: "GET /long", status: 502, reason: "Malformed Lambda proxy response" } }),
      row("http", { via: { front: "http-api", apiId: "b7f01ef3c1", stage: "$default", routeKey: "GET /long" } }),
      row("url", { via: { front: "function-url", apiId: "1809b0ce", stage: "$default", routeKey: "$default" } }),
      row("sqs", { via: { eventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders" } }),
      row("sns", { source: "sns:alerts" }),
      row("plain", {}),
      row("cut", { via: { front: "rest-api", apiId: "d9ef8224a1", stage: "Prod", routeKey: "POST /chat" }, front: { front: "rest-api", apiId: "d9ef8224a1", stage: "Prod", routeKey: "POST /chat", status: 200, reason: "Execution failed due to a timeout error", cutOff: true } }),
    ]),
  });
  const cells = (id: string) => new RegExp(`data-request-id="${id}">\\s*<td>${id}</td><td>(.*?)</td><td class="via"[^>]*>(.*?)</td>`).exec(html)?.slice(1);

  it("labels each row with its front and route, a mapping's or topic's source, or nothing for an Invoke call", () => {
    expect(["rest", "http", "url", "sqs", "sns", "plain"].map((id) => cells(id)?.[1])).toEqual(["REST GET /long", "HTTP GET /long", "URL", "sqs:orders", "sns:alerts", ""]);
    expect(html).toContain('<td class="via" title="REST API d9ef8224a1 stage Prod route GET /long">REST GET /long</td>');
    expect(html).toContain("→ 502");
    // A streamed answer whose status had gone out (a REST STREAM route): it was cut off, not replaced.
    expect(html).toContain("→ 200 cut off");
  });

  it("names a template's function by its logical id, then the name it became", () => {
    expect(cells("rest")?.[0]).toBe(`<span class="logical-id">NodeFn</span> <small class="physical-name">(${fn})</small>`);
    expect(renderInvocations({ logicalIds: new Map(), invocations: new Map([row("x", {})]) })).toContain(`<td>x</td><td>${fn}</td>`);
  });
});

describe("a schedule's next fire (newuser11 N3-2)", () => {
  const now = Date.parse("2026-12-06T06:43:02.792Z");
  const next = (nextFireAt: number) =>
    /<td class="next-fire">(.*?)<\/td>/.exec(renderSources({ time: now, queues: new Map(), dlqMoves: [], mappings: new Map(), shards: new Map(), streams: [], fanout: { topics: new Map(), buses: new Map() }, schedules: [{ name: "restock-order", expression: "rate(5 minutes)", state: "ENABLED", nextFireAt }] }))?.[1];

  it("says due now once service time has reached the fire's time and its event has not come yet, not a negative countdown", () => {
    expect(next(Date.parse("2026-12-06T06:43:00Z"))).toBe("2026-12-06 06:43:00 <small>(due now)</small>");
    expect(next(now)).toBe("2026-12-06 06:43:02 <small>(due now)</small>");
    expect(next(now + 5000)).toBe("2026-12-06 06:43:07 <small>(in 5.0 s)</small>");
  });
});
