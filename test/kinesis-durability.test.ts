import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
const start = (stateDir: string, config: string, ...args: string[]) => startLambdaSim(["--state", stateDir, "--config", config, ...args]);

/** Each shard's committed checkpoint on disk (what a restart resumes from), read from outside. */
function committedCheckpoints(stateDir: string): Record<string, string> {
  const db = new Database(join(stateDir, "lambda-sim.db"), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT shard_id, sequence_number FROM esm_checkpoints").all() as { shard_id: string; sequence_number: string }[];
    return Object.fromEntries(rows.map((r) => [r.shard_id, r.sequence_number]).sort());
  } finally {
    db.close();
  }
}

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
      const put = await kinesis.send(new PutRecordsCommand({ StreamName: "durable", Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`before-${i}`) })) }));
      await until(() => (first.output().match(/before-\d/g) ?? []).length === 10);
      // Killed only once each shard's checkpoint is on disk at its last record: a kill before that
      // commit would run the last batch again after the restart, which at-least-once allows.
      const last: Record<string, string> = {};
      for (const r of put.Records!) last[r.ShardId!] = r.SequenceNumber!;
      const expected = JSON.stringify(Object.fromEntries(Object.entries(last).sort()));
      await until(() => JSON.stringify(committedCheckpoints(join(dir, "state"))) === expected);
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

  // review37 #11: a batch's retries were counted in memory only, so a restart mid-retry began them again.
  it("keeps a held batch's attempts through a restart: its retries count on towards MaximumRetryAttempts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-kinesis-held-"));
    const config = join(dir, "lambda-sim.yaml");
    writeFileSync(
      config,
      [
        "functions:",
        `  consumer: { runtime: nodejs24.x, handler: index.recorder, codeUri: ${codeDir} }`,
        "streams:",
        "  held: { shardCount: 1 }",
        "queues:",
        "  failed: {}",
        "eventSourceMappings:",
        "  - { functionName: consumer, eventSourceArn: kinesis:held, startingPosition: TRIM_HORIZON, maximumRetryAttempts: 3, destinationConfig: { onFailure: { destination: sqs:failed } } }",
        "",
      ].join("\n"),
    );
    const batches = (sim: { output(): string }) => (sim.output().match(/BATCH shardId-000000000000 \[\["k","poison"\]\]/g) ?? []).length;
    const advance = async (endpoint: string, seconds: number) => expect((await fetch(`${endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds }) })).status).toBe(200);
    try {
      const first = await start(join(dir, "state"), config, "--clock", "virtual");
      const kinesis = client(first.endpoint);
      await kinesis.send(new PutRecordCommand({ StreamName: "held", PartitionKey: "k", Data: Buffer.from("poison") }));
      kinesis.destroy();
      await until(() => batches(first) === 1);
      await advance(first.endpoint, 4); // retries at +1 s and +3 s
      await until(() => batches(first) === 3);
      // Stopped as a user stops it (SIGTERM: the stores are flushed), not mid-commit.
      const stopped = new Promise((r) => first.child.once("exit", r));
      first.child.kill("SIGTERM");
      await stopped;

      const second = await start(join(dir, "state"), config, "--clock", "virtual");
      await until(() => batches(second) === 1);
      await advance(second.endpoint, 120);
      const sqs = new SQSClient({ endpoint: second.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      let body: string | undefined;
      await until(async () => (body = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${second.endpoint}/000000000000/failed`, WaitTimeSeconds: 0 }))).Messages?.[0]?.Body) !== undefined);
      sqs.destroy();
      // 2 retries before the restart, 1 after it: 4 invocations in all, not 3 + 4.
      expect(JSON.parse(body!).requestContext).toMatchObject({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 4 });
      expect(batches(second)).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
