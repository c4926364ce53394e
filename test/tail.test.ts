import type { ChildProcess } from "node:child_process";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { TelemetryEvent, TelemetryEventInput } from "@lambda-sim/core";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "./support/until.ts";
import { startTail } from "./support/tail-process.ts";

/**
 * `lambda-sim tail` against a running simulator: one line per event kind (coloured only on a
 * terminal), JSON lines with --json, filters, function logs only with --logs, a clear message
 * when nothing answers, and a clean exit on Ctrl-C.
 */
const children: ChildProcess[] = [];
let t: TestSimulator | undefined;

afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  await t?.close();
  t = undefined;
});

const tail = (args: string[]) => startTail(args, children);

const arn = "arn:aws:sqs:us-east-1:000000000000:orders";
/** One event of every kind, each with the words tail must print for it. */
const KINDS: [TelemetryEventInput, string][] = [
  [{ type: "environment.state-changed", environmentId: "e1a2b3c4d5", functionName: "fn", version: "$LATEST", from: "busy", to: "retired", reason: "idle-timeout" }, "environment e1a2b3c4 fn:$LATEST: retired (idle-timeout)"],
  [{ type: "invocation.started", requestId: "r-cold", functionName: "fn", version: "$LATEST", environmentId: "e1a2b3c4d5", coldStart: true, payload: "{}" }, "cold start fn:$LATEST in environment e1a2b3c4 (request r-cold)"],
  [{ type: "invocation.finished", requestId: "r-1", functionName: "fn", version: "$LATEST", environmentId: "e1", durationMs: 12.5, billedDurationMs: 143, initDurationMs: 130, maxMemoryUsedMb: 60, status: "success" }, "invoked fn:$LATEST request r-1: 12.5 ms, billed 143 ms, init 130.0 ms (cold), 60 MB"],
  [{ type: "invocation.throttled", functionName: "fn", qualifier: "$LATEST", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", caller: arn }, `throttled fn:$LATEST (asked by ${arn}): ReservedFunctionConcurrentInvocationLimitExceeded`],
  [{ type: "async.retry.scheduled", requestId: "r-2", functionName: "fn", at: 0, delayMs: 60_000, consumesAttempt: true }, "async fn request r-2: retry in 60 s"],
  [{ type: "async.given-up", requestId: "r-3", functionName: "fn", condition: "RetriesExhausted", approximateInvokeCount: 3, dropped: true }, "async fn request r-3: gave up (RetriesExhausted, 3 invocation(s)): dropped, no OnFailure destination or DLQ"],
  [{ type: "async.delivered", requestId: "r-4", functionName: "fn", destination: "OnFailure", targetArn: arn }, `async fn request r-4: record sent to OnFailure ${arn}`],
  [{ type: "message.moved-to-dlq", queue: "orders", deadLetterQueue: "orders-dlq", messageId: "m-1", receiveCount: 3, maxReceiveCount: 3, reachedFunction: false }, "message m-1 moved from orders to DLQ orders-dlq: received 3 times (maxReceiveCount 3); the function never ran with it"],
  [{ type: "mapping.batch", mappingId: "u1", functionName: "fn", eventSourceArn: arn, size: 10, outcome: "partial", failed: 2, lanes: 5 }, "batch fn <- sqs:orders: 10 record(s) partial, 2 failed"],
  // A stream mapping's batch: the same event kind, with its shard and iterator age.
  [{ type: "mapping.batch", mappingId: "u2", functionName: "fn", eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", size: 100, outcome: "succeeded", shardId: "shardId-000000000000", iteratorAgeMs: 2500 }, "batch fn <- kinesis:clicks: 100 record(s) succeeded, shardId-000000000000 iterator age 2.5 s"],
  // A stream batch given up: which shard lost how many records, and where they went.
  [{ type: "mapping.batch-given-up", mappingId: "u2", functionName: "fn", eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", shardId: "shardId-000000000001", size: 5, condition: "RetryAttemptsExhausted", destination: "arn:aws:sqs:us-east-1:000000000000:clicks-failed" }, "batch fn <- kinesis:clicks: 5 record(s) of shardId-000000000001 given up (RetryAttemptsExhausted), sent to OnFailure sqs:clicks-failed"],
  // ParallelizationFactor > 1: the shard's lane the batch ran in, and the lane a give-up came from (review M5).
  [{ type: "mapping.batch", mappingId: "u3", functionName: "fn", eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", size: 4, outcome: "failed", shardId: "shardId-000000000000", iteratorAgeMs: 1500, lane: 2, lastSequenceNumber: "49000000000000000000000000000000000000120000000000000000" }, "batch fn <- kinesis:clicks: 4 record(s) failed, shardId-000000000000 lane 2 iterator age 1.5 s"],
  [{ type: "mapping.batch-given-up", mappingId: "u3", functionName: "fn", eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", shardId: "shardId-000000000000", lane: 2, lastSequenceNumber: "49000000000000000000000000000000000000120000000000000000", size: 4, condition: "RetryAttemptsExhausted" }, "batch fn <- kinesis:clicks: 4 record(s) of shardId-000000000000 lane 2 given up (RetryAttemptsExhausted), discarded: no OnFailure destination"],
  // A tumbling-window batch whose answer was refused (newuser8 R6): why, though the function succeeded.
  [{ type: "mapping.batch", mappingId: "u2", functionName: "fn", eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", size: 3, outcome: "failed", shardId: "shardId-000000000000", iteratorAgeMs: 0, reason: "the answer has no `state` object (required with TumblingWindowInSeconds)" }, "batch fn <- kinesis:clicks: 3 record(s) failed: the answer has no `state` object (required with TumblingWindowInSeconds), shardId-000000000000 iterator age 0.0 s"],
  // A tumbling window's final invocation given up (newuser8 R3): which window, how many records it stood for.
  [{ type: "mapping.batch-given-up", mappingId: "u2", functionName: "fn", eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", shardId: "shardId-000000000000", size: 5, condition: "RecordAgeExceeded", finalInvokeForWindow: { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 1, 0, 0, 30) } }, "batch fn <- kinesis:clicks: final invocation of the tumbling window 2026-01-01T00:00:00.000Z to 2026-01-01T00:00:30.000Z (5 record(s) of shardId-000000000000) given up (RecordAgeExceeded), discarded: no OnFailure destination"],
  [{ type: "mapping.scaled", mappingId: "u1", functionName: "fn", eventSourceArn: arn, lanes: 5, change: "backoff", backoffMs: 2000 }, "mapping fn <- sqs:orders: throttled, backing off 2.0 s"],
  [{ type: "fault.fired", faultId: "f1", kind: "error", functionName: "fn", requestId: "r-5" }, "fault f1 fired (error) on fn request r-5"],
  [{ type: "simulator.warning", message: "something odd" }, "warning: something odd"],
  [{ type: "http.integration-failed", front: "rest-api", apiId: "abc123", stage: "Prod", routeKey: "GET /x", functionName: "fn", status: 502, requestId: "r-6", reason: "Execution failed due to configuration error: Malformed Lambda proxy response", detail: "body is not a string: 1" }, "REST API abc123 stage Prod route GET /x answered 502: Execution failed due to configuration error: Malformed Lambda proxy response (body is not a string: 1); function fn request r-6"],
];

/** Events whose short line (tail's default) differs from the long one: [event, long words, short words]. */
const SHORT: [TelemetryEventInput, string, string][] = [
  [{ type: "invocation.finished", requestId: "0123456789abcdef", functionName: "fn", version: "$LATEST", environmentId: "e1", durationMs: 308.9, billedDurationMs: 309, maxMemoryUsedMb: 50, status: "success", via: { eventSourceArn: arn } }, "invoked fn:$LATEST request 0123456789abcdef via sqs:orders: 308.9 ms, billed 309 ms, 50 MB", "invoked fn 01234567 via sqs:orders: 308.9 ms (billed 309), 50 MB"],
  [{ type: "invocation.throttled", functionName: "fn", qualifier: "$LATEST", reason: "ConcurrentInvocationLimitExceeded", caller: arn }, `throttled fn:$LATEST (asked by ${arn}): ConcurrentInvocationLimitExceeded`, "throttled fn (by sqs:orders): ConcurrentInvocationLimitExceeded"],
  [{ type: "message.moved-to-dlq", queue: "orders", deadLetterQueue: "orders-dlq", messageId: "abcdef0123456789", receiveCount: 3, maxReceiveCount: 3, reachedFunction: false }, "message abcdef0123456789 moved", "message abcdef01 moved from orders to DLQ orders-dlq: received 3 times (maxReceiveCount 3); never reached the function: every receive was throttled"],
  // A scheduled rule's delivery to a function: `lambda:NAME`, as lambda-sim.yaml writes it, not `lambda:function:NAME`.
  [{ type: "schedule.delivered", scheduleArn: "arn:aws:events:us-east-1:000000000000:rule/tick", targetId: "TickTarget", targetArn: "arn:aws:lambda:us-east-1:000000000000:function:fn", attempt: 1, requestId: "fedcba9876543210" }, "schedule tick target TickTarget: delivered to lambda:fn (request fedcba9876543210)", "schedule tick: delivered to lambda:fn (request fedcba98)"],
  // The queue filling and draining (newuser14 F23).
  [{ type: "queue.backlog", queue: "orders", messages: 12, visible: 4, inflight: 8, delayed: 0, threshold: 10, previous: 0, next: 100, oldestAgeMs: 95_000 }, "queue orders filling", "queue orders filling: 12 messages, past 10 (4 visible, 8 in flight), oldest 95 s"],
  [{ type: "queue.backlog", queue: "orders", messages: 0, visible: 0, inflight: 0, delayed: 0, threshold: 0, previous: 10, next: 10 }, "queue orders drained", "queue orders drained: 0 messages, under 10 (0 visible)"],
];

describe("lambda-sim tail", () => {
  it("prints one line per event kind, and the same events as JSON lines with --json", { timeout: 120_000 }, async () => {
    t = await startTestSimulator({ functions: [{ functionName: "fn", runtime: "model", handler: "x", codeDir: process.cwd(), memorySize: 128, timeout: 3, model: { durationMs: 5, coldStartMs: 50, errorProbability: 0, timeoutProbability: 0 } }] });
    // --long: every name and id in full, as the start console writes them.
    const text = tail(["--endpoint", t.endpoint, "--long"]);
    const json = tail(["--endpoint", t.endpoint, "--json"]);
    const short = tail(["--endpoint", t.endpoint]);
    // A CLI process takes seconds to start on a loaded machine.
    await until(() => [text, json, short].every((x) => x.err().includes("following")), 60_000);
    for (const [e] of KINDS) t.sim.telemetry.emit(e);
    for (const [e] of SHORT) t.sim.telemetry.emit(e);
    // And a real invocation, from the Lambda API to the model environment.
    const lambda = new LambdaClient(t.clientConfig);
    await lambda.send(new InvokeCommand({ FunctionName: "fn" }));
    await until(() => text.out().includes("invoked fn:$LATEST request") && json.out().includes('"type":"invocation.started"'));
    await until(() => json.out().split("\n").filter((l) => l.includes('"type":"invocation.finished"')).length === 3);
    const lines = text.out().split("\n");
    for (const [, words] of KINDS) expect(lines.filter((l) => l.includes(words)), words).toHaveLength(1);
    // By default: no `:$LATEST` beside a function with no other version, ids by their first 8 characters, ARNs as `sqs:NAME`.
    await until(() => /invoked fn [0-9a-f]{8}: /.test(short.out()) && short.out().includes("queue orders drained"));
    for (const [, , words] of SHORT) expect(short.out().split("\n").filter((l) => l.includes(words)), words).toHaveLength(1);
    expect(short.out()).not.toContain("$LATEST");
    // Each line starts with the event's service time; NO_COLOR means no escape codes.
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} /);
    expect(text.out()).not.toContain("\x1b[");
    const events = json.out().trim().split("\n").map((l) => JSON.parse(l) as TelemetryEvent & { seq: number });
    for (const [e] of KINDS) expect(events).toContainEqual(expect.objectContaining(e));
    for (const [e, words] of SHORT) expect(lines.filter((l) => l.includes(words)), words).toHaveLength(1);
    // Numbered without gaps: nothing lost between the events.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => events[0]!.seq + i));
    text.child.kill("SIGINT");
    json.child.kill("SIGINT");
    expect(await text.exit).toBe(0);
    expect(await json.exit).toBe(0);
    lambda.destroy();
  });

  it("filters by function and by source, and shows function logs only with --logs", { timeout: 120_000 }, async () => {
    t = await startTestSimulator();
    const byFunction = tail(["--endpoint", t.endpoint, "--function", "a"]);
    const bySource = tail(["--endpoint", t.endpoint, "--source", "orders", "--json"]);
    const withLogs = tail(["--endpoint", t.endpoint, "--logs"]);
    await until(() => [byFunction, bySource, withLogs].every((x) => x.err().includes("following")), 60_000);
    const emit = (e: TelemetryEventInput) => t!.sim.telemetry.emit(e);
    emit({ type: "invocation.throttled", functionName: "a", qualifier: "$LATEST", reason: "R-a" });
    emit({ type: "invocation.throttled", functionName: "b", qualifier: "$LATEST", reason: "R-b", caller: arn });
    emit({ type: "function.log", functionName: "a", environmentId: "e", text: "hello from a\n" });
    emit({ type: "simulator.warning", message: "end" });
    await until(() => withLogs.out().includes("warning: end") && byFunction.out().includes("R-a") && bySource.out().includes("R-b"));
    expect(byFunction.out()).not.toContain("R-b");
    expect(byFunction.out()).not.toContain("hello from a");
    expect(bySource.out().trim().split("\n").map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(["R-b"]);
    expect(withLogs.out()).toContain("[a] hello from a");
  });

  it("shows environments born and retired, not the busy/frozen flip of every warm invocation (unless --json)", { timeout: 120_000 }, async () => {
    t = await startTestSimulator();
    const text = tail(["--endpoint", t.endpoint]);
    const json = tail(["--endpoint", t.endpoint, "--json"]);
    await until(() => text.err().includes("following") && json.err().includes("following"), 60_000);
    const env = (from: "none" | "initializing" | "idle" | "busy", to: "initializing" | "idle" | "busy" | "retired") =>
      t!.sim.telemetry.emit({ type: "environment.state-changed", environmentId: "e1a2b3c4d5", functionName: "fn", version: "$LATEST", from, to, ...(to === "retired" ? { reason: "idle-timeout" as const } : {}) });
    env("none", "initializing");
    env("initializing", "busy");
    env("busy", "idle");
    env("idle", "busy");
    env("busy", "idle");
    env("idle", "retired");
    await until(() => text.out().includes("retired (idle-timeout)") && json.out().includes('"to":"retired"'));
    expect(text.out()).toContain("environment e1a2b3c4 fn: initializing");
    expect(text.out()).not.toMatch(/: (busy|frozen)\n/);
    expect(json.out().split("\n").filter((l) => l.includes('"type":"environment.state-changed"'))).toHaveLength(6);
  });

  it("says clearly when no simulator answers", { timeout: 60_000 }, async () => {
    const r = tail(["--endpoint", "http://127.0.0.1:9"]);
    expect(await r.exit).toBe(1);
    expect(r.err()).toContain("no simulator answers at http://127.0.0.1:9");
  });
});
