import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { loadConfig } from "../packages/cli/src/config/load-config.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "lambda-sim-streams-")), "lambda-sim.yaml");
  writeFileSync(path, text);
  return path;
}

describe("streams and Kinesis mappings declared in lambda-sim.yaml", () => {
  it("creates the streams and the mapping, with kinesis:NAME and sqs:NAME resolved", async () => {
    const path = file(
      [
        "functions:",
        `  clicks: { runtime: nodejs24.x, handler: index.recorder, codeUri: ${codeDir} }`,
        "queues:",
        "  clicks-failed: {}",
        "streams:",
        "  clicks: { shardCount: 2, retentionPeriodHours: 48, tags: { team: web } }",
        "  auto: { streamMode: ON_DEMAND }",
        "eventSourceMappings:",
        "  - functionName: clicks",
        "    eventSourceArn: kinesis:clicks",
        "    startingPosition: TRIM_HORIZON",
        "    bisectBatchOnFunctionError: true",
        "    maximumRetryAttempts: 2",
        "    parallelizationFactor: 2",
        "    destinationConfig: { onFailure: { destination: sqs:clicks-failed } }",
        "",
      ].join("\n"),
    );
    const config = await loadConfig(path, [sqsSource, kinesisSource]);
    t = await sims.start({ functions: config.functions, sources: [sqsSource, kinesisSource], sourceConfig: config.sources, eventSourceMappings: config.eventSourceMappings });
    const kinesis = new KinesisClient(t.clientConfig);
    const lambda = new LambdaClient(t.clientConfig);
    try {
      expect((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "clicks" }))).StreamDescriptionSummary).toMatchObject({ OpenShardCount: 2, RetentionPeriodHours: 48 });
      expect((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "auto" }))).StreamDescriptionSummary).toMatchObject({ OpenShardCount: 4 });
      const [m] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "clicks" }))).EventSourceMappings!;
      expect(m).toMatchObject({
        EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks",
        StartingPosition: "TRIM_HORIZON",
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 2,
        ParallelizationFactor: 2,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:clicks-failed" } },
      });
    } finally {
      kinesis.destroy();
      lambda.destroy();
    }
  });

  it("names the file, line and key of a bad stream setting", async () => {
    const path = file("streams:\n  clicks:\n    shardCount: 0\n");
    await expect(loadConfig(path, [kinesisSource])).rejects.toThrow(`${path}:3 streams.clicks.shardCount: expected a whole number between 1 and 500, got 0`);
  });
});
