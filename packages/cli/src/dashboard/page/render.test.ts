import { describe, expect, it } from "vitest";
import { RESET_CAUSES, RETIRE_REASONS } from "@lambda-sim/core";
// @ts-expect-error: the page's own JavaScript (no declarations): the browser loads it as is.
import { laneLegend, renderCost, renderFunctions, renderInvocations, renderSources, renderStory } from "./render.js";

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
    expect(html).toContain('<small class="why" title="provisioned concurrency released (config deleted or lowered, alias moved)">provisioned-released</small>');
  });

  it("says why a reset lane was reset: timeout, crash, out of memory (issue 15), explained in the legend", () => {
    const html: string = renderFunctions({
      functions: new Map([["fn", { runtime: "nodejs24.x", memorySize: 128 }]]),
      envs: new Map(RESET_CAUSES.map((cause: string, i: number) => [`e${i}`, lane(`e${i}`, "reset", cause)])),
      throttles: new Map(),
      account: {},
    });
    for (const cause of RESET_CAUSES) expect(laneLegend()).toContain(`data-reason="${cause}"`);
    expect(html).toContain('<small class="why" title="reset: the function&#39;s timeout ran out (Sandbox.Timedout)">timeout</small>');
    expect(html).toContain('<small class="why" title="reset: the runtime exited (Runtime.ExitError)">crash</small>');
    expect(html).toContain('<small class="why" title="reset: it went over its memory size (Runtime.OutOfMemory)">out-of-memory</small>');
    expect(html).not.toMatch(/reset<\/span> <small[^>]*>reset</);
  });
});

describe("the functions section's faults", () => {
  it("lists the faults added, and marks what they injected beside the function they hit (newuser9 P3-1)", () => {
    const html: string = renderFunctions({
      time: Date.parse("2026-12-05T10:00:00Z"),
      functions: new Map([["checkout", { runtime: "nodejs24.x", memorySize: 128 }]]),
      envs: new Map(),
      throttles: new Map([["checkout", { count: 14, reason: "ReservedFunctionConcurrentInvocationLimitExceeded", caller: "arn:aws:sqs:us-east-1:000000000000:orders" }]]),
      injected: new Map([["checkout", { throttle: 14, delay: 3, other: 0 }]]),
      faults: [{ id: "fault-1", kind: "throttle", function: "checkout", activeFrom: "2026-12-05T09:59:00.000Z", activeUntil: "2026-12-05T10:01:00.000Z", matched: 20, fired: 14 }],
      account: {},
    });
    expect(html).toContain('<span class="fault" data-fault="fault-1" data-state="until"><b>fault-1</b> throttle on checkout — fired 14 of 20 matched, until 2026-12-05 10:01:00</span>');
    // A latency is a delay, not an outcome (walk39).
    expect(html).toContain("14 throttle(s), 3 delay(s) injected by faults");
  });

  const banner = (fault: object) =>
    renderFunctions({
      time: Date.parse("2026-12-05T10:00:00Z"),
      functions: new Map([["ws-Consume-S52Y", { runtime: "nodejs24.x", memorySize: 128 }]]),
      logicalIds: new Map([["ws-Consume-S52Y", "ConsumeFn"]]),
      envs: new Map(),
      throttles: new Map(),
      faults: [{ id: "fault-1", kind: "error", function: "ws-Consume-S52Y", activeFrom: "2026-12-05T09:59:00.000Z", activeUntil: null, ...fault }],
      account: {},
    }) as string;

  it("says a fault whose times are used up is used up, not active, and names its function by logical id (newuser14 F19, F2)", () => {
    expect(banner({ times: 5, matched: 5, fired: 5 })).toContain('<span class="fault over" data-fault="fault-1" data-state="used-up"><b>fault-1</b> error on <span class="logical-id" title="ws-Consume-S52Y">Consume<wbr>Fn</span> — <span title="5 invocation(s) matched its scope">fired 5 of 5</span>, used up</span>');
    expect(banner({ times: 5, matched: 2, fired: 2 })).toContain("fired 2 of 5</span>, active</span>");
    expect(banner({ matched: 7, fired: 7 })).toContain("fired 7 of 7 matched, active</span>");
  });
});

describe("a cold start's Init (newuser14 F12)", () => {
  it("puts Init Duration beside the duration on the lane's chip and the list's row", () => {
    const fn = "fn";
    const invocation = { key: "r1", requestId: "r1", functionName: fn, logs: [], attempts: [], startedAt: 1, coldStart: true, durationMs: 248.3, initDurationMs: 2723.63, status: "success" };
    const row: string = renderInvocations({ logicalIds: new Map(), invocations: new Map([["r1", invocation]]) });
    expect(row).toContain('<td class="n duration">248.3 ms <span class="init" title="Init Duration 2724 ms, billed with the first invocation">+ init 2.7 s</span></td>');
    const chips: string = renderFunctions({
      functions: new Map([[fn, { memorySize: 128 }]]),
      envs: new Map([["e1", { id: "e1", functionName: fn, version: "$LATEST", state: "idle", chips: [{ key: "r1", requestId: "r1", cold: true, ok: true, ms: 248.3, initMs: 2723.63 }, { key: "r2", requestId: "r2", cold: false, ok: true, ms: 73.2 }] }]]),
      throttles: new Map(),
      account: {},
    });
    expect(chips.replace(/<span class="init"[^>]*>/g, "<i>")).toMatch(/>warm 73\.2 ms<\/span><span [^>]*>cold 248\.3 ms <i>\+ init 2\.7 s<\/span><\/span>/);
  });
});

describe("the cost panel (newuser14 F13)", () => {
  it("says its durations are this machine's", () => {
    expect(renderCost({ cost: { total: 0, functions: {} }, logicalIds: new Map() })).toContain("Durations, so GB-seconds, are measured on this machine");
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
  const cells = (id: string) => new RegExp(`data-request-id="${id}">\\s*<td class="request">${id}</td><td class="function">(.*?)</td><td class="via"[^>]*>(.*?)</td>`).exec(html)?.slice(1).map((c) => c.replace(/<wbr>/g, ""));

  it("labels each row with its front and route, a mapping's or topic's source, or nothing for an Invoke call", () => {
    expect(["rest", "http", "url", "sqs", "sns", "plain"].map((id) => cells(id)?.[1])).toEqual(["REST GET /long", "HTTP GET /long", "URL", "sqs:orders", "sns:alerts", ""]);
    expect(html).toContain('<td class="via" title="REST API d9ef8224a1 stage Prod route GET /long">REST GET /long</td>');
    expect(html).toContain("→ 502");
    // A streamed answer whose status had gone out (a REST STREAM route): it was cut off, not replaced.
    expect(html).toContain("→ 200 cut off");
  });

  it("names a template's function by its logical id, the name it became in its title (newuser14 F4: rows one or two lines high)", () => {
    expect(cells("rest")?.[0]).toBe(`<span class="logical-id" title="${fn}">NodeFn</span>`);
    expect(renderInvocations({ logicalIds: new Map(), invocations: new Map([row("x", {})]) })).toContain(`<td class="request">x</td><td class="function">${fn}</td>`);
  });

  it("names a row's queue, rule or schedule by its logical id (newuser14 F2)", () => {
    const m = {
      logicalIds: new Map(),
      resourceIds: { queue: new Map([["ws-OrdersQueue-TY3A", "OrdersQueue"]]), rule: new Map([["ws-TickEvery5-WW2Q", "TickEvery5"]]), schedule: new Map([["ws-Nightly-AB12", "Nightly"]]) },
      invocations: new Map([
        row("q", { via: { eventSourceArn: "arn:aws:sqs:us-east-1:000000000000:ws-OrdersQueue-TY3A" } }),
        row("r", { source: "events:rule/ws-TickEvery5-WW2Q" }),
        row("s", { source: "schedule:ws-Nightly-AB12" }),
        row("o", { source: "events:rule/other" }),
      ]),
    };
    const via = (id: string) => new RegExp(`data-request-id="${id}">.*?<td class="via"[^>]*>(.*?)</td>`, "s").exec(renderInvocations(m))?.[1]?.replace(/<wbr>/g, "");
    expect(via("q")).toBe('sqs:<span class="logical-id" title="ws-OrdersQueue-TY3A">OrdersQueue</span>');
    expect(via("r")).toBe('events:rule/<span class="logical-id" title="ws-TickEvery5-WW2Q">TickEvery5</span>');
    expect(via("s")).toBe('schedule:<span class="logical-id" title="ws-Nightly-AB12">Nightly</span>');
    expect(via("o")).toBe("events:rule/other");
  });
});

describe("a schedule's next fire (newuser11 N3-2)", () => {
  const now = Date.parse("2026-12-06T06:43:02.792Z");
  const next = (nextFireAt: number) =>
    /<td class="next-fire">(.*?)<\/td>/.exec(renderSources({ time: now, queues: new Map(), dlqMoves: [], mappings: new Map(), shards: new Map(), streams: [], fanout: { topics: new Map(), buses: new Map() }, schedules: [{ name: "restock-order", expression: "rate(5 minutes)", state: "ENABLED", nextFireAt }] }))?.[1];

  it("names a scheduled rule by its logical id, the name it became in its title (newuser14 F2)", () => {
    const html: string = renderSources({ time: now, queues: new Map(), dlqMoves: [], mappings: new Map(), shards: new Map(), streams: [], fanout: { topics: new Map(), buses: new Map() }, resourceIds: { rule: new Map([["ws-TickEvery5-WW2Q", "TickEvery5"]]) }, schedules: [{ kind: "rule", group: "default", name: "ws-TickEvery5-WW2Q", expression: "rate(5 minutes)", state: "ENABLED", nextFireAt: now + 5000 }] });
    expect(html).toContain('<tr data-schedule="ws-TickEvery5-WW2Q"><td><span class="logical-id" title="ws-TickEvery5-WW2Q">Tick<wbr>Every5</span></td>');
  });

  it("says due now once service time has reached the fire's time and its event has not come yet, not a negative countdown", () => {
    expect(next(Date.parse("2026-12-06T06:43:00Z"))).toBe("2026-12-06 06:43:00 <small>(due now)</small>");
    expect(next(now)).toBe("2026-12-06 06:43:02 <small>(due now)</small>");
    expect(next(now + 5000)).toBe("2026-12-06 06:43:07 <small>(in 5.0 s)</small>");
  });
});

describe("a queue's age (newuser14 F23)", () => {
  it("shows how long the oldest message has waited, ApproximateAgeOfOldestMessage, and a dash for an empty queue", () => {
    const queue = (name: string, age: number): [string, object] => [name, { name, visible: 3, inflight: 0, delayed: 0, ageOfOldestMessageSeconds: age, history: [] }];
    const html: string = renderSources({ time: 0, queues: new Map([queue("orders", 95), queue("empty", 0)]), dlqMoves: [], mappings: new Map(), shards: new Map(), streams: [], fanout: { topics: new Map(), buses: new Map() }, schedules: [] });
    expect(/<tr data-queue="orders">.*?<td class="n age">(.*?)<\/td>/s.exec(html)?.[1]).toBe("95.0 s");
    expect(/<tr data-queue="empty">.*?<td class="n age">(.*?)<\/td>/s.exec(html)?.[1]).toBe("—");
  });
});

describe("a batch's partial failure on its row (newuser14 F5)", () => {
  it("says the mapping's view beside Lambda's success: how many of the batch's records failed", async () => {
    // @ts-expect-error: the page's own JavaScript.
    const { applyMappingEvent } = await import("./mapping-model.js");
    const m = { dirty: new Set(), mappings: new Map(), shards: new Map(), requests: new Map(), logicalIds: new Map(), invocations: new Map([["r1", { key: "r1", requestId: "r1", functionName: "fn", logs: [], startedAt: 1, durationMs: 305.4, status: "success" }]]) };
    applyMappingEvent(m, { type: "mapping.batch", seq: 1, time: 2, mappingId: "m1", functionName: "fn", eventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders", size: 1, outcome: "partial", failed: 1, requestId: "r1" }, false);
    const html: string = renderInvocations(m);
    expect(html).toMatch(/<td class="status ok"><span>success<\/span> <small class="warn batch" title="ReportBatchItemFailures: the function reported 1 of the batch's 1 record\(s\) failed; they go back to the queue[^"]*">partial: <span>1 of 1 failed<\/span><\/small><\/td>/);
    expect(m.mappings.get("m1")).toMatchObject({ batches: 1, partial: 1 });
  });
});

describe("since when the page counts, and the mappings' columns in AWS's words (newuser14 F6, F18)", () => {
  it("says since when the cost and counts run, and names a mapping's concurrency and partial batch responses as AWS does", async () => {
    // @ts-expect-error: the page's own JavaScript (no declarations).
    const { createModel } = await import("./model.js");
    const m = createModel();
    m.started = { at: Date.UTC(2026, 11, 6, 11, 8, 24), id: "A" };
    m.cost = { functions: {}, total: 0, prices: undefined };
    expect(renderCost(m)).toMatch(/total<\/small> <small class="since"[^>]*>since 11:08:24, this start<\/small>/);
    m.mappings.set("u1", { uuid: "u1", functionName: "f", eventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders", lanes: 5, batches: 1, records: 1, errors: 0, partial: 0, throttled: 0, throttledRecords: 0, lastSize: 1, sizes: [] });
    const html = renderSources(m);
    expect(html).toMatch(/Event source mappings <small class="since"/);
    expect(html).toContain(">concurrent batches</th>");
    expect(html).toContain(">batch item failures</th>");
    expect(html).toContain(">throttled records</th>");
    expect(html).not.toMatch(/>(lanes|returned|partial)<\/th>/);
    // A trace's playback has no start: no caption.
    m.started = undefined;
    expect(renderCost(m)).toContain("<small>so far</small>");
  });
});
