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
