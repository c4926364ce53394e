import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";

import { startLambdaSim } from "./support/lambda-sim-process.ts";

const start = (stateDir: string, extra: string[] = []) => startLambdaSim(["--state", stateDir, ...extra]);

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
      await first.kill();
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
