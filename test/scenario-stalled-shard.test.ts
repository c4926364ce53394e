import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * "One bad Kinesis record stalled a shard for half an hour", handed over as a scenario: the report
 * says which shard was held, from when, how it ended, and how far the shard fell behind (AWS's
 * IteratorAge), and `maxIteratorAgeSeconds` can guard it (newuser13 N13-4: none of it could be
 * read off the report; its retries column stayed 0 through every retry of the batch).
 */
const SCENARIO = [
  "duration: 1h",
  "functions: { c: { runtime: model, model: { durationMs: 50 } } }",
  "streams: { clicks: { shardCount: 1 } }",
  "queues: { clicks-failed: {} }",
  "eventSourceMappings:",
  "  - { functionName: c, eventSourceArn: kinesis:clicks, startingPosition: TRIM_HORIZON, batchSize: 5, maximumRecordAgeInSeconds: 1800, destinationConfig: { onFailure: { destination: sqs:clicks-failed } } }",
  "faults: [ { kind: error, function: c, payloadContains: '\"poison\":true' } ]",
  "traffic:",
  "  - put: { stream: clicks, count: 12, partitionKeys: [a], poison: [3] }",
  "expect:",
  "  maxIteratorAgeSeconds: { clicks: { max: 60 } }",
  "",
].join("\n");

describe("lambda-sim run: a stalled shard", () => {
  it("tells the shard's story and checks its iterator age", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lambda-sim-stall-")), "stall.yaml");
    writeFileSync(file, SCENARIO);
    const r = await runCli(["run", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    expect(lines).toContain("  c: 35 invocations, 35 errors, 0 throttles, 0 cold starts, concurrency peak 0, 34 stream batch retries");
    expect(lines).toContain("  clicks shardId-000000000000: held 30 min 3 s from +00:00:00 until 5 record(s) given up (RecordAgeExceeded) at +00:30:03, 35 failed attempt(s); 12 record(s) given up in all; iterator age up to 29 min 3 s");
    // The timeline counts the batch's retries: 9 in the first 5 minutes (its first attempt is not one).
    expect(lines.find((l) => l.startsWith("  +00:00:00"))).toMatch(/^ {2}\+00:00:00 +10 +10 +0 +9 /);
    expect(lines).toContain("  ✗ maxIteratorAgeSeconds of clicks: 1743 (expected ≤ 60)");
  }, 60_000);

  // Review M5: with ParallelizationFactor 4 the poison key's lane is held for the whole run while the
  // other three lanes succeed every few hundred ms; their successes neither end its hold nor count as retries.
  it("tells the held lane of a shard with ParallelizationFactor 4 apart from its healthy lanes", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lambda-sim-stall-")), "lanes.yaml");
    writeFileSync(
      file,
      [
        "duration: 3m",
        "functions: { c: { runtime: model, model: { durationMs: 50 } } }",
        "streams: { clicks: { shardCount: 1 } }",
        "eventSourceMappings:",
        "  - { functionName: c, eventSourceArn: kinesis:clicks, startingPosition: TRIM_HORIZON, batchSize: 5, parallelizationFactor: 4 }",
        "faults: [ { kind: error, function: c, payloadContains: '\"poison\":true' } ]",
        // Keys a, b, c, d hash to lanes 0, 1, 2, 3 of 4 (FNV-1a): one poison record in key a, then a steady flow in the others.
        "traffic:",
        "  - put: { stream: clicks, count: 1, partitionKeys: [a], poison: [0] }",
        "  - put: { stream: clicks, count: 360, rate: 2, partitionKeys: [b, c, d] }",
        "",
      ].join("\n"),
    );
    const r = await runCli(["run", file]);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    // Retried at 1, 2, 4, 8, 16, 32, 60 s: 8 attempts in 3 minutes, the last sent 2 min 3 s after the record arrived.
    expect(lines).toContain("  clicks shardId-000000000000 lane 0: held 3 min from +00:00:00 to the end, 8 failed attempt(s); iterator age up to 2 min 3 s");
    // Only the held lane's batches are retries: its attempts but the first.
    const fn = lines.find((l) => l.startsWith("  c: "));
    expect(fn).toMatch(/ 8 errors, .* 7 stream batch retries$/);
    expect(Number(/^ {2}c: (\d+) invocations/.exec(fn!)?.[1])).toBeGreaterThan(60);
  }, 60_000);

  // Review L6: a bisected batch's first half succeeding leaves the poison in its second half holding the shard:
  // one hold, from the first failure until the whole batch is behind the checkpoint.
  it("keeps a bisected batch's hold until all of it is checkpointed, and an iterator age of 3.1 s is not within 3", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lambda-sim-stall-")), "bisect.yaml");
    writeFileSync(
      file,
      [
        "duration: 1m",
        "functions: { c: { runtime: model, model: { durationMs: 50 } } }",
        "streams: { clicks: { shardCount: 1 } }",
        "eventSourceMappings:",
        "  - { functionName: c, eventSourceArn: kinesis:clicks, startingPosition: TRIM_HORIZON, batchSize: 10, bisectBatchOnFunctionError: true, maximumRetryAttempts: 2 }",
        "faults: [ { kind: error, function: c, payloadContains: '\"poison\":true' } ]",
        "traffic:",
        "  - put: { stream: clicks, count: 10, partitionKeys: [a], poison: [7] }",
        "expect:",
        "  maxIteratorAgeSeconds: { clicks: { max: 3 } }",
        "",
      ].join("\n"),
    );
    const r = await runCli(["run", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    // 0-9 failed, 0-4 succeeded, 5-9 failed, 5-7 failed, 5-6 succeeded, 7 failed 3 times and was given up, 8-9 succeeded.
    expect(lines).toContain("  c: 9 invocations, 6 errors, 0 throttles, 1 cold starts, concurrency peak 1, 8 stream batch retries");
    expect(lines).toContain(
      "  clicks shardId-000000000000: held 3.1 s from +00:00:00 until succeeded after 1 record(s) given up (RetryAttemptsExhausted) at +00:00:03, 6 failed attempt(s); 1 record(s) given up in all; iterator age up to 3.1 s",
    );
    // Up to the second above: 3.1 s is not ≤ 3 (review23 L7).
    expect(lines).toContain("  ✗ maxIteratorAgeSeconds of clicks: 4 (expected ≤ 3)");
  }, 60_000);

  // review23 M4: with ReportBatchItemFailures every retry of the poison answer is `partial`, which read as a success.
  it("tells a stall held by partial batch responses too, and fails an iterator-age bound on a stream nothing was read from", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-stall-"));
    mkdirSync(join(dir, "c"));
    // Reports the poison record as the batch's failed item, as a ReportBatchItemFailures consumer does.
    writeFileSync(
      join(dir, "c", "index.mjs"),
      "export const handler = async (e) => ({ batchItemFailures: e.Records.filter((r) => Buffer.from(r.kinesis.data, 'base64').toString().includes('poison')).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) });\n",
    );
    const file = join(dir, "partial.yaml");
    writeFileSync(
      file,
      [
        "duration: 10m",
        "functions: { c: { runtime: nodejs24.x, handler: index.handler, codeUri: ./c } }",
        "streams: { clicks: { shardCount: 1 }, quiet: { shardCount: 1 } }",
        "eventSourceMappings:",
        "  - { functionName: c, eventSourceArn: kinesis:clicks, startingPosition: TRIM_HORIZON, batchSize: 5, functionResponseTypes: [ReportBatchItemFailures] }",
        "traffic:",
        "  - put: { stream: clicks, count: 4, partitionKeys: [a], poison: [0] }",
        "expect:",
        "  maxIteratorAgeSeconds: { quiet: { max: 60 } }",
        "",
      ].join("\n"),
    );
    const r = await runCli(["run", file]);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines.find((l) => l.startsWith("  clicks shardId-000000000000: held "))).toMatch(/from \+00:00:00 to the end, \d+ failed attempt/);
    expect(lines).toContain("  ✗ maxIteratorAgeSeconds of quiet (no batch was sent): 0 (expected ≤ 60)");
  }, 60_000);
});
