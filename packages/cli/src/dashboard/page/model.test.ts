import { describe, expect, it } from "vitest";
// @ts-expect-error: the page's own JavaScript (no declarations): the browser loads it as is.
import { applyEvent, createModel } from "./model.js";
// @ts-expect-error: the page's own JavaScript.
import { applySnapshot, applyViews } from "./state-views.js";
import { stalled } from "./shard-consumers.js";
// @ts-expect-error: the page's own JavaScript.
import { renderFunctions } from "./render.js";

const ARN = "arn:aws:sqs:us-east-1:000000000000:jobs";
const batch = (seq: number, outcome: string) => ({ type: "mapping.batch", seq, time: seq, mappingId: "m1", functionName: "worker", eventSourceArn: ARN, size: 2, outcome });
const mappingView = (batches: number, failedBatches: number) => [{ uuid: "m1", functionName: "worker", eventSourceArn: ARN, state: "Enabled", batchSize: 10, events: { batches, polled: batches * 2, throttled: 0, failedBatches, partialBatches: 0, throttledBatches: 0 } }];

describe("the page's mapping counts", () => {
  it("counts a batch once: the server's counts include the snapshot's recent events and those a sampled frame already covers", () => {
    const m = createModel();
    // The server counted 3 batches (one failed) up to seq 10; two of them are among the recent events.
    applySnapshot(m, { seq: 10, views: { mappings: mappingView(3, 1) }, recent: [batch(8, "success"), batch(9, "failed")] });
    expect(m.mappings.get("m1")).toMatchObject({ batches: 3, records: 6, errors: 1 });
    applyEvent(m, batch(11, "failed"));
    expect(m.mappings.get("m1")).toMatchObject({ batches: 4, records: 8, errors: 2 });
    // A sampled frame at seq 13 counts batches 12 and 13, which reach the page after it.
    applyViews(m, { seq: 13, views: { mappings: mappingView(6, 2) } });
    applyEvent(m, batch(12, "success"));
    applyEvent(m, batch(13, "success"));
    applyEvent(m, batch(14, "success"));
    expect(m.mappings.get("m1")).toMatchObject({ batches: 7, records: 14, errors: 2 });
  });

  it("counts every event of a trace's playback, which has no server counts", () => {
    const m = createModel();
    applySnapshot(m, { seq: 2, views: {}, recent: [batch(1, "success"), batch(2, "failed")] });
    applyEvent(m, batch(3, "success"));
    expect(m.mappings.get("m1")).toMatchObject({ batches: 3, errors: 1 });
  });
});

describe("a stream shard's consumer", () => {
  const KINESIS = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
  const shardBatch = (seq: number, outcome: string, lane: number, iteratorAgeMs = 0) => ({ type: "mapping.batch", seq, time: seq * 1000, mappingId: "k1", functionName: "reader", eventSourceArn: KINESIS, size: 5, outcome, shardId: "shardId-000000000000", iteratorAgeMs, lane });

  // Review M5: with ParallelizationFactor > 1 a healthy lane's batches go on while one lane is held on a poison record.
  it("stays held while one lane retries its batch, whatever the other lanes do, and names that lane", () => {
    const m = createModel();
    const shard = () => m.shards.get("k1 shardId-000000000000");
    applyEvent(m, shardBatch(1, "failed", 0, 100));
    applyEvent(m, shardBatch(2, "succeeded", 1));
    applyEvent(m, shardBatch(3, "succeeded", 2));
    expect(stalled(shard())).toBe(true);
    expect(shard()).toMatchObject({ outcome: "failed", lane: 0, time: 1000, iteratorAgeMs: 100 });
    // Another lane fails later: the one held longest is shown.
    applyEvent(m, shardBatch(4, "failed", 3, 50));
    applyEvent(m, shardBatch(5, "failed", 0, 4100));
    expect(shard()).toMatchObject({ outcome: "failed", lane: 0, time: 5000, iteratorAgeMs: 4100 });
    applyEvent(m, { type: "mapping.batch-given-up", seq: 6, time: 6000, mappingId: "k1", functionName: "reader", eventSourceArn: KINESIS, shardId: "shardId-000000000000", lane: 0, size: 5, condition: "RetryAttemptsExhausted" });
    expect(shard()).toMatchObject({ outcome: "failed", lane: 3, givenUp: { batches: 1, records: 5 } });
    applyEvent(m, shardBatch(7, "succeeded", 3));
    expect(stalled(shard())).toBe(false);
    expect(shard().lane).toBeUndefined();
  });

  it("is no longer held on a lane once an update sets ParallelizationFactor back to 1 and its batches succeed", () => {
    const m = createModel();
    const shard = () => m.shards.get("k1 shardId-000000000000");
    applyEvent(m, shardBatch(1, "failed", 2, 100));
    expect(stalled(shard())).toBe(true);
    // One lane now: its batches carry no lane.
    const { lane: _, ...laneless } = shardBatch(2, "succeeded", 0);
    applyEvent(m, laneless);
    expect(stalled(shard())).toBe(false);
    expect(shard().lane).toBeUndefined();
  });
});

describe("an async event's attempts in its story", () => {
  it("gives each throttled try its own outcome (throttles do not use up an attempt) and shows the try in progress as running", async () => {
    // @ts-expect-error: the page's own JavaScript.
    const { renderStory } = await import("./render.js");
    const m = createModel();
    const id = "e14f8e47-0000-4000-8000-000000000000";
    const base = { requestId: id, functionName: "slow" };
    let seq = 0;
    const ev = (type: string, extra: object = {}) => applyEvent(m, { type, seq: ++seq, time: 1_700_000_000_000 + seq * 1000, ...base, ...extra });
    const throttled = { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" };
    ev("async.enqueued");
    ev("async.attempt.started", { attempt: 1 });
    ev("async.attempt.failed", { attempt: 1, outcome: throttled });
    ev("async.attempt.started", { attempt: 1 });
    ev("async.attempt.failed", { attempt: 1, outcome: throttled });
    ev("async.attempt.started", { attempt: 1 });
    ev("invocation.started", { version: "$LATEST", environmentId: "env1", coldStart: false });
    m.selected = id;
    const rows = () => [...renderStory(m).matchAll(/<tr[^>]*><td>attempt (\d)<\/td><td>[^<]*<\/td><td>([^<]*)<\/td><\/tr>/g)].map((r) => `${r[1]} ${r[2]}`);
    expect(rows()).toEqual(["1 throttled ReservedFunctionConcurrentInvocationLimitExceeded", "1 throttled ReservedFunctionConcurrentInvocationLimitExceeded", "1 running…"]);
    ev("invocation.finished", { version: "$LATEST", environmentId: "env1", durationMs: 2500, billedDurationMs: 2500, maxMemoryUsedMb: 60, status: "success" });
    expect(rows().at(-1)).toBe("1 success");
  });
});

describe("who made an invocation, and a template function's logical id (newuser10 N3-2)", () => {
  it("keeps an invocation's via, names the topic or rule that delivered an async one, and takes the logical ids from the snapshot", () => {
    const m = createModel();
    applySnapshot(m, { seq: 1, views: { logicalIds: { "ws-NodeFn-JY7VEIQWCHG4": "NodeFn" } }, recent: [] });
    expect(m.logicalIds.get("ws-NodeFn-JY7VEIQWCHG4")).toBe("NodeFn");
    const via = { front: "rest-api", apiId: "a", stage: "Prod", routeKey: "GET /long" };
    // A warm start finished in the same frame is not sent (coalesce): the finish carries the via too.
    applyEvent(m, { type: "invocation.finished", seq: 2, time: 2, requestId: "r1", functionName: "fn", version: "$LATEST", environmentId: "e", durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 1, status: "success", via });
    expect(m.invocations.get("r1").via).toEqual(via);
    // Who delivered an async event belongs to its request id, and to each of its attempts' rows.
    applyEvent(m, { type: "async.enqueued", seq: 3, time: 3, requestId: "r2", functionName: "fn" });
    applyEvent(m, { type: "sns.delivered", seq: 4, time: 4, topicArn: "arn:aws:sns:us-east-1:000000000000:alerts", subscriptionArn: "arn:aws:sns:us-east-1:000000000000:alerts:s", endpoint: "arn:aws:lambda:us-east-1:000000000000:function:fn", messageId: "m", attempt: 1, requestId: "r2" });
    applyEvent(m, { type: "events.delivered", seq: 5, time: 5, ruleArn: "arn:aws:events:us-east-1:000000000000:rule/shop/big", targetId: "t", targetArn: "arn:aws:lambda:us-east-1:000000000000:function:fn", eventId: "e", attempt: 1, requestId: "r3" });
    expect([m.requests.get("r2").source, m.requests.get("r3").source]).toEqual(["sns:alerts", "events:rule/shop/big"]);
    expect(m.requests.get("r3").functionName).toBeUndefined();
    applyEvent(m, { type: "invocation.started", seq: 6, time: 6, requestId: "r3", functionName: "fn", version: "$LATEST", environmentId: "e", coldStart: false });
    expect(m.invocations.get("r3")).toMatchObject({ functionName: "fn", source: "events:rule/shop/big" });
    // A schedule's fire: a Scheduler schedule by its name (and group when not the default), a scheduled rule as a rule.
    const fired = (seq: number, scheduleArn: string, requestId: string) => applyEvent(m, { type: "schedule.delivered", seq, time: seq, scheduleArn, targetId: "", targetArn: "arn:aws:lambda:us-east-1:000000000000:function:fn", attempt: 1, requestId });
    fired(7, "arn:aws:scheduler:us-east-1:000000000000:schedule/default/nightly", "r4");
    fired(8, "arn:aws:scheduler:us-east-1:000000000000:schedule/reports/weekly", "r5");
    fired(9, "arn:aws:events:us-east-1:000000000000:rule/every-minute", "r6");
    expect(["r4", "r5", "r6"].map((id) => m.requests.get(id).source)).toEqual(["schedule:nightly", "schedule:reports/weekly", "events:rule/every-minute"]);
  });
});

describe("a reload and a restart (newuser14 F10, F6/F11)", () => {
  const moved = (seq: number, messageId: string) => ({ type: "message.moved-to-dlq", seq, time: seq, queue: "orders", deadLetterQueue: "dlq", messageId, receiveCount: 3, maxReceiveCount: 3, reachedFunction: true });
  const finished = (seq: number, requestId: string) => ({ type: "invocation.finished", seq, time: seq, requestId, functionName: "f", version: "$LATEST", environmentId: "e1", durationMs: 5, billedDurationMs: 5, maxMemoryUsedMb: 60, status: "success", initDurationMs: seq === 1 ? 100 : undefined });
  const env = [{ id: "e1", functionName: "f", version: "$LATEST", state: "idle", provisioned: false }];
  const queues = [{ name: "orders", visible: 0, inflight: 0, delayed: 0 }];

  it("rebuilds the lists from the server's backlog and the recent events, each event once, and the queue's curve from the server's samples", () => {
    const m = createModel();
    const snap = {
      seq: 500, time: 500,
      views: { started: { at: 1, id: "A" }, environments: env, queues, backlog: [finished(1, "r1"), moved(2, "m1"), finished(3, "r2")], queueCurves: { orders: [[10, 0, 0, 0], [20, 5, 2, 0], [30, 1, 0, 0]] } },
      recent: [finished(3, "r2"), moved(400, "m2")],
    };
    expect(applySnapshot(m, snap)).toBe(false);
    expect(m.dlqMoves.map((e: { messageId: string }) => e.messageId)).toEqual(["m2", "m1"]);
    expect(m.envs.get("e1").chips.map((c: { requestId: string; cold: boolean }) => [c.requestId, c.cold])).toEqual([["r1", true], ["r2", false]]);
    expect([...m.invocations.keys()]).toEqual(["r1", "r2"]);
    expect(m.queues.get("orders").history.map((h: { visible: number }) => h.visible)).toEqual([0, 5, 1, 0]);
    // A new snapshot of the same start (the page fell behind) rebuilds, not doubles, the DLQ list.
    applySnapshot(m, snap);
    expect(m.dlqMoves.length).toBe(2);
  });

  it("starts afresh on another start's snapshot, so its lists agree with the counts", () => {
    const m = createModel();
    applySnapshot(m, { seq: 5, views: { started: { at: 1, id: "A" }, environments: env, backlog: [finished(1, "r1"), moved(2, "m1")] }, recent: [] });
    expect(m.dlqMoves.length).toBe(1);
    m.selected = "r1";
    m.logicalIds = new Map([["stack-f-ABC", "F"]]);
    expect(applySnapshot(m, { seq: 1, views: { started: { at: 9, id: "B" }, environments: [], backlog: [] }, recent: [] })).toBe(true);
    expect(m.started).toEqual({ at: 9, id: "B" });
    expect([m.dlqMoves.length, m.invocations.size, m.envs.size, m.selected]).toEqual([0, 0, 0, undefined]);
    // The template's names are kept: the new start may publish them after its first snapshot.
    expect(m.logicalIds.get("stack-f-ABC")).toBe("F");
  });
});

describe("the page's cost", () => {
  it("adds an invocation on a provisioned environment at Provisioned Concurrency's duration price, as core's lambda-cost.ts does", async () => {
    const { invocationCost, LAMBDA_PRICES_US_EAST_1 } = await import("@lambda-sim/core");
    const m = createModel();
    const cost = { prices: LAMBDA_PRICES_US_EAST_1, functions: {}, total: 0 };
    const functions = [{ name: "fn", memorySize: 1024, architecture: "x86_64" }];
    const environments = [
      { id: "pc", functionName: "fn", version: "1", state: "idle", provisioned: true },
      { id: "od", functionName: "fn", version: "1", state: "idle", provisioned: false },
    ];
    applySnapshot(m, { seq: 1, views: { functions, environments, cost }, recent: [] });
    const finished = (seq: number, environmentId: string) => ({ type: "invocation.finished", seq, time: seq, requestId: `r${seq}`, functionName: "fn", version: "1", environmentId, durationMs: 1000, billedDurationMs: 1000, maxMemoryUsedMb: 60, status: "success" });
    applyEvent(m, finished(2, "pc"));
    applyEvent(m, finished(3, "od"));
    expect(m.cost.functions.fn).toMatchObject({ requests: 2, provisionedRequests: 1 });
    // The server's arithmetic comes to the same figure.
    expect(m.cost.total).toBeCloseTo(invocationCost(1024, "x86_64", 1000, true).cost + invocationCost(1024, "x86_64", 1000).cost, 15);
    expect(m.cost.total).toBeCloseTo(2 * 0.0000002 + 0.0000097222 + 0.0000166667, 15);
  });
});

describe("a playback's concurrency in use (newuser15b F6)", () => {
  const flip = (seq: number, environmentId: string, to: string) => ({ seq, time: seq, type: "environment.state-changed", functionName: "clicks", version: "$LATEST", environmentId, from: "idle", to });

  it("is the most environments its events showed busy at once since the lanes were drawn, not the none left busy at the redraw", () => {
    const m = createModel();
    m.playback = true;
    m.functions.set("clicks", { runtime: "model" });
    // Played at ×10: two 50 ms invocations overlap, and both are over before the next redraw.
    for (const [seq, env, to] of [[1, "e1", "busy"], [2, "e2", "busy"], [3, "e1", "idle"], [4, "e2", "idle"]] as const) applyEvent(m, flip(seq, env, to));
    expect(renderFunctions(m)).toMatch(/concurrency <b class="in-use">2<\/b> in use/);
    // The page clears the peak once it has drawn the lanes: the next redraw says what is busy then.
    m.busyPeak.clear();
    expect(renderFunctions(m)).toMatch(/concurrency <b class="in-use">0<\/b> in use/);
  });

  it("is left to the views' gauge live, where the simulator samples what is in use", () => {
    const m = createModel();
    m.functions.set("clicks", { runtime: "nodejs24.x", inFlight: 0 });
    applyEvent(m, flip(1, "e1", "busy"));
    applyEvent(m, flip(2, "e1", "idle"));
    expect(m.busyPeak.size).toBe(0);
    expect(renderFunctions(m)).toMatch(/concurrency <b class="in-use">0<\/b> in use/);
  });
});
