import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";

const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));
const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** `lambda-sim start`; `out()` is everything it printed so far (function logs included). */
function start(stateDir: string, config: string): Promise<{ child: ChildProcess; endpoint: string; out: () => string }> {
  const child = spawn(process.execPath, [CLI, "start", "--state", stateDir, "--port", "0", "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, endpoint: m[1]!, out: () => out });
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
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
      await kinesis.send(new PutRecordsCommand({ StreamName: "durable", Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`before-${i}`) })) }));
      await until(() => (first.out().match(/before-\d/g) ?? []).length === 10);
      await new Promise((r) => setTimeout(r, 200));
      first.child.kill("SIGKILL");
      await new Promise((r) => first.child.once("exit", r));
      kinesis.destroy();

      const second = await start(join(dir, "state"), config);
      kinesis = client(second.endpoint);
      await kinesis.send(new PutRecordsCommand({ StreamName: "durable", Records: Array.from({ length: 3 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`after-${i}`) })) }));
      await until(() => (second.out().match(/after-\d/g) ?? []).length === 3);
      expect(second.out()).not.toContain("before-");
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
