import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";

const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

function start(stateDir: string, extra: string[] = []): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, [CLI, "start", "--state", stateDir, "--port", "0", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, endpoint: m[1]! });
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

describe("SQS durability", () => {
  it("delivers every accepted, undeleted message again after a SIGKILL and restart", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-sqs-crash-"));
    try {
      const first = await start(stateDir);
      let sqs = new SQSClient({ endpoint: first.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: "durable", Attributes: { VisibilityTimeout: "0" } }))).QueueUrl!;
      for (let b = 0; b < 5; b++) {
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `${b * 10 + i}` })) }));
      }
      // Received (in flight) messages are not deleted: they must come back too.
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
      first.child.kill("SIGKILL");
      await new Promise((r) => first.child.once("exit", r));
      sqs.destroy();

      // Restarted 1,200x faster: the 10-minute visibility timeout of the in-flight ten ends in 0.5 s.
      const second = await start(stateDir, ["--time-scale", "1200"]);
      sqs = new SQSClient({ endpoint: second.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      const restartedUrl = url.replace(/http:\/\/[^/]+/, second.endpoint);
      const seen = new Set<string>();
      for (let i = 0; i < 100 && seen.size < 50; i++) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: restartedUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 43_200 }));
        for (const m of got.Messages ?? []) seen.add(m.Body!);
        if ((got.Messages ?? []).length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      // All 50: the 40 never received at once, the 10 in flight when their visibility timeout ended.
      expect(seen.size).toBe(50);
      sqs.destroy();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
    // Two `lambda-sim start` processes: on a CPU-starved machine each start alone took 15-25 s.
  }, 120_000);
});
