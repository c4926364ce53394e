import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser8 R3: a tumbling window's final invocation (isFinalInvokeForWindow, no records) that
 * fails obeys the mapping's MaximumRetryAttempts and MaximumRecordAgeInSeconds, the window's
 * records' age ("Tumbling windows fully support the existing retry policies maxRetryAttempts and
 * maxRecordAge", AWS Lambda developer guide), goes to OnFailure, and never blocks the shard: the
 * records put after it are delivered.
 */
function scenario(retries: string, opts: { windowSeconds?: number; finalFails?: boolean; failed?: number; faults?: string[] } = {}): { file: string; trace: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-window-final-"));
  mkdirSync(join(dir, "src"));
  // Aggregates as AWS asks (returns `state`), and fails at the end of every window.
  writeFileSync(
    join(dir, "src/index.mjs"),
    `export const handler = async (e) => {\n  if (e.isFinalInvokeForWindow && ${opts.finalFails ?? true}) throw new Error("final step failed");\n  return { state: { n: (e.state.n ?? 0) + e.Records.length } };\n};\n`,
  );
  const file = join(dir, "window.yaml");
  writeFileSync(
    file,
    [
      "seed: 1",
      "duration: 15m",
      "functions:",
      "  f: { runtime: nodejs22.x, handler: index.handler, codeUri: ./src }",
      "streams:",
      "  s: { shardCount: 1 }",
      "queues:",
      "  failed: {}",
      "eventSourceMappings:",
      `  - { functionName: f, eventSourceArn: kinesis:s, startingPosition: TRIM_HORIZON, batchSize: 5, maximumRecordAgeInSeconds: 60, ${retries}tumblingWindowInSeconds: ${opts.windowSeconds ?? 30}, destinationConfig: { onFailure: { destination: sqs:failed } } }`,
      "traffic:",
      "  - put: { stream: s, count: 5, partitionKeys: [a] }",
      "  - { at: 5m, put: { stream: s, count: 5, partitionKeys: [a] } }",
      ...(opts.faults === undefined ? [] : ["faults:", ...opts.faults]),
      "expect:",
      // Both windows' final invocations given up, each standing for its window's 5 records.
      `  failedRecords: { failed: ${opts.failed ?? 10} }`,
    ].join("\n"),
  );
  return { file, trace: join(dir, "trace.jsonl") };
}

interface TraceEvent {
  type: string;
  size?: number;
  outcome?: string;
  condition?: string;
  finalInvokeForWindow?: { start: number; end: number };
}

function traceOf(path: string): TraceEvent[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TraceEvent);
}

describe("tumbling window: a failing final invocation", () => {
  it("is given up once the window's records are older than MaximumRecordAgeInSeconds, and later records flow", async () => {
    const { file, trace } = scenario("");
    const r = await runCli(["run", file, "--trace", trace]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ failedRecords of failed: 10");
    const events = traceOf(trace);
    // Both windows' 5 records reached the function: the first window's failure held nothing back.
    expect(events.filter((e) => e.type === "mapping.batch" && e.outcome === "succeeded").map((e) => e.size)).toEqual([5, 5]);
    const givenUp = events.filter((e) => e.type === "mapping.batch-given-up");
    expect(givenUp.map((e) => [e.condition, e.size, e.finalInvokeForWindow !== undefined])).toEqual([
      ["RecordAgeExceeded", 5, true],
      ["RecordAgeExceeded", 5, true],
    ]);
  }, 120_000);

  it("runs once at least, even when the window is longer than MaximumRecordAgeInSeconds (its records are that old by its end)", async () => {
    // review16: the age check ran before the first attempt, so a 120 s window under a 60 s age
    // limit never had its final invocation, and its records went to OnFailure as too old.
    const { file, trace } = scenario("", { windowSeconds: 120, finalFails: false, failed: 0 });
    const r = await runCli(["run", file, "--trace", trace]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const events = traceOf(trace);
    expect(events.filter((e) => e.type === "mapping.batch-given-up")).toEqual([]);
    // Each window's batch and its final invocation.
    expect(events.filter((e) => e.type === "mapping.batch" && e.outcome === "succeeded").map((e) => e.size)).toEqual([5, 5]);
    expect(events.filter((e) => e.type === "invocation.finished")).toHaveLength(4);
  }, 120_000);

  it("throttled, still ages out: the shard does not wait behind the throttle for good (review17 R12)", async () => {
    // Every invocation from 20 s on is throttled: the first window's batch ran, its final
    // invocation (at 30 s) is throttled until its records are older than 60 s.
    const { file, trace } = scenario("", { finalFails: false, failed: 10, faults: ["  - { kind: throttle, function: f, afterSeconds: 20 }"] });
    const r = await runCli(["run", file, "--trace", trace]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const givenUp = traceOf(trace).filter((e) => e.type === "mapping.batch-given-up");
    // The second window's records aged out as a batch; its final invocation, throttled too, stands
    // for no record (review16 F5: it counted them a second time).
    expect(givenUp.map((e) => [e.condition, e.size, e.finalInvokeForWindow !== undefined])).toEqual([
      ["RecordAgeExceeded", 5, true],
      ["RecordAgeExceeded", 5, false],
      ["RecordAgeExceeded", 0, true],
    ]);
  }, 120_000);

  it("is given up after MaximumRetryAttempts, to OnFailure rather than silently", async () => {
    const { file, trace } = scenario("maximumRetryAttempts: 2, ");
    const r = await runCli(["run", file, "--trace", trace]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ failedRecords of failed: 10");
    const givenUp = traceOf(trace).filter((e) => e.type === "mapping.batch-given-up");
    expect(givenUp.map((e) => [e.condition, e.size, e.finalInvokeForWindow !== undefined])).toEqual([
      ["RetryAttemptsExhausted", 5, true],
      ["RetryAttemptsExhausted", 5, true],
    ]);
  }, 120_000);
});
