import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
const start = (stateDir: string, config: string) => startLambdaSim(["--state", stateDir, "--config", config]);

const client = (endpoint: string) => new KinesisClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });

describe("Kinesis durability", () => {
  it("keeps records and checkpoints through a SIGKILL: the consumer resumes after its checkpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-kinesis-crash-"));
    const config = join(dir, "lambda-sim.yaml");
    writeFileSync(
      config,
      [
        "functions:",
        `  consumer: { runtime: nodejs24.x, handler: index.recorder, codeUri: ${codeDir} }`,
        "streams:",
        "  durable: { shardCount: 2 }",
        "eventSourceMappings:",
        "  - { functionName: consumer, eventSourceArn: kinesis:durable, startingPosition: TRIM_HORIZON }",
        "",
      ].join("\n"),
    );
    try {
      const first = await start(join(dir, "state"), config);
      let kinesis = client(first.endpoint);
      await kinesis.send(new PutRecordsCommand({ StreamName: "durable", Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`before-${i}`) })) }));
      await until(() => (first.output().match(/before-\d/g) ?? []).length === 10);
      await new Promise((r) => setTimeout(r, 200));
      await first.kill();
      kinesis.destroy();

      const second = await start(join(dir, "state"), config);
      kinesis = client(second.endpoint);
      await kinesis.send(new PutRecordsCommand({ StreamName: "durable", Records: Array.from({ length: 3 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`after-${i}`) })) }));
      await until(() => (second.output().match(/after-\d/g) ?? []).length === 3);
      expect(second.output()).not.toContain("before-");
      let kept = 0;
      for (const ShardId of ["shardId-000000000000", "shardId-000000000001"]) {
        const it0 = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "durable", ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
        kept += (await kinesis.send(new GetRecordsCommand({ ShardIterator: it0 }))).Records!.length;
      }
      expect(kept).toBe(13);
      kinesis.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
