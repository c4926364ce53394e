import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * newuser8 R6 (and R3's given-up line): on `lambda-sim start`'s console, a tumbling-window batch
 * whose answer has no `state` says it failed and why, and the records given up to OnFailure say so.
 */
describe("lambda-sim start console: a tumbling-window answer without state", () => {
  it("prints the refused batch with its reason, then the records sent to OnFailure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-window-console-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/index.mjs"), "export const handler = async () => ({ batchItemFailures: [] });\n");
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      [
        "functions:",
        "  f: { runtime: nodejs22.x, handler: index.handler, codeUri: ./src }",
        "streams:",
        "  s: { shardCount: 1 }",
        "queues:",
        "  failed: {}",
        "eventSourceMappings:",
        "  - { functionName: f, eventSourceArn: kinesis:s, startingPosition: TRIM_HORIZON, maximumRetryAttempts: 0, tumblingWindowInSeconds: 900, destinationConfig: { onFailure: { destination: sqs:failed } } }",
      ].join("\n"),
    );
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory"]);
    const kinesis = new KinesisClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "a", Data: Buffer.from("{}") }));
    kinesis.destroy();
    await until(() => sim.output().includes("given up (RetryAttemptsExhausted), sent to OnFailure sqs:failed"), 30_000);
    expect(sim.output()).toContain("lambda-sim: batch f <- kinesis:s: 1 record(s) failed: the answer has no `state` object (required with TumblingWindowInSeconds)");
    expect(sim.output()).toContain("lambda-sim: batch f <- kinesis:s: 1 record(s) of shardId-000000000000 given up (RetryAttemptsExhausted), sent to OnFailure sqs:failed");
    await sim.kill();
  }, 60_000);
});
