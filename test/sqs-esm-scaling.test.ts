import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";

/**
 * Walkthrough F6: an SQS mapping scales up while messages are still available (aws-facts §6: 5
 * lanes to start, +300 a minute while there is a backlog), not because one message came back
 * after its visibility timeout to a batchSize-1 mapping; and `lambda-sim tail` says a burst of
 * lanes leaving in one line.
 */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-scaling-"));
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    `functions:
  consumer: { runtime: model, model: { durationMs: 20, errorProbability: 1 }, timeout: 3 }
  burst: { runtime: model, model: { durationMs: 1000 }, timeout: 3 }
queues:
  tasks: { visibilityTimeout: 10, redrivePolicy: { deadLetterTargetArn: sqs:tasks-dlq, maxReceiveCount: 2 } }
  tasks-dlq: {}
  jobs: { visibilityTimeout: 30 }
eventSourceMappings:
  - { functionName: consumer, eventSourceArn: sqs:tasks, batchSize: 1 }
  - { functionName: burst, eventSourceArn: sqs:jobs, batchSize: 1, scalingConfig: { maximumConcurrency: 20 } }
`,
  );
  return join(dir, "lambda-sim.yaml");
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
}

async function count(sqs: SQSClient, endpoint: string, queue: string): Promise<{ visible: number; inflight: number }> {
  const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint}/000000000000/${queue}`, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return { visible: Number(a!.ApproximateNumberOfMessages), inflight: Number(a!.ApproximateNumberOfMessagesNotVisible) };
}

describe("SQS mapping scaling (aws-facts §6)", () => {
  it("one failing message on a batchSize 1 mapping, received twice then redriven, scales nothing", { timeout: 60_000 }, async () => {
    // 10x: the 10 s visibility timeout lasts 1 s; the lanes' 20 s long polls 2 s.
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--time-scale", "10"]);
    const tail = startTail(["--endpoint", sim.endpoint, "--function", "consumer"], children);
    await until(() => tail.err().includes("following"), 15_000);
    const sqs = sqsClient(sim.endpoint);
    await sqs.send(new SendMessageCommand({ QueueUrl: `${sim.endpoint}/000000000000/tasks`, MessageBody: '{"poison":2}' }));
    await until(async () => (await count(sqs, sim.endpoint, "tasks-dlq")).visible === 1, 30_000);
    await until(() => sim.output().includes("moved from tasks to DLQ tasks-dlq: received 2 times"), 15_000);
    await until(() => /batch consumer <- sqs:tasks: 1 record\(s\) failed[\s\S]*batch consumer <- sqs:tasks: 1 record\(s\) failed/.test(tail.out()), 15_000);
    // One message in the whole queue is no backlog: the mapping keeps its 5 lanes.
    expect(sim.output()).not.toContain("scaled up");
    expect(tail.out()).not.toContain("scaled up");
    expect(tail.out()).not.toContain("scaled down");
    sqs.destroy();
    await sim.kill();
  });

  it("a backlog scales up; when it is drained, tail says the lanes leaving in one line", { timeout: 60_000 }, async () => {
    // 20x: 200 one-second batches on up to 20 lanes take about 10 s of service time, half a second.
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--time-scale", "20"]);
    const tail = startTail(["--endpoint", sim.endpoint, "--function", "burst"], children);
    await until(() => tail.err().includes("following"), 15_000);
    const sqs = sqsClient(sim.endpoint);
    const url = `${sim.endpoint}/000000000000/jobs`;
    await Promise.all(Array.from({ length: 20 }, (_, i) => sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `job ${i * 10 + j}` })) }))));
    await until(() => sim.output().includes("lambda-sim: mapping burst <- sqs:jobs: scaled up to 20 concurrent batch(es)"), 30_000);
    await until(async () => {
      const c = await count(sqs, sim.endpoint, "jobs");
      return c.visible === 0 && c.inflight === 0;
    }, 30_000);
    await until(() => tail.out().includes("mapping burst <- sqs:jobs: scaled down to 5 concurrent batch(es)"), 30_000);
    const downs = tail.out().split("\n").filter((l) => l.includes("scaled down"));
    // 15 lanes left, each after its own empty poll, within a second of service time: one line.
    expect(downs).toHaveLength(1);
    expect(downs[0]).toMatch(/scaled down to 5 concurrent batch\(es\) \(from 20\)$/);
    sqs.destroy();
    await sim.kill();
  });
});
