import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, PurgeQueueCommand, SendMessageBatchCommand, SQSClient, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

// `POST /_sim/clock/run-until-idle` after a burst drained by an event source mapping with several
// lanes, on `start --clock virtual`: it stops as soon as no work remains. A lane that waited on a
// message another lane had in flight used to keep a 20 s long poll pending as work after that
// message was deleted, and run-until-idle jumped to it.
//
// Bounds: a handler runs in wall time while service time stands still, and these mappings have no
// batching window, so consuming messages that succeed takes no service time at all; 1 s of slack
// tells that apart from the 20 s long poll. Failing messages need exactly their visibility
// timeouts: received at +0, +30 s and +60 s, redriven by the receive at +90 s (maxReceiveCount 3).

const clients: (SQSClient | LambdaClient)[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

const HANDLER = `exports.handler = async (event) => {
  for (const r of event.Records) {
    console.log("HANDLED " + r.body);
    if (r.body.startsWith("fail")) throw new Error("failing " + r.body);
  }
  return {};
};
`;

/** A project on the virtual clock: `jobs` (with `jobs-dlq`) consumed by `worker`; `jobs.fifo` and `fifo-worker` left to the test to map. */
async function start(): Promise<{ sim: LambdaSimProcess; sqs: SQSClient; lambda: LambdaClient; url: (queue: string) => string }> {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-sqs-idle-"));
  mkdirSync(join(dir, "fn"));
  writeFileSync(join(dir, "fn", "index.js"), HANDLER);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      "  worker: { runtime: nodejs24.x, handler: index.handler, codeUri: ./fn, timeout: 10 }",
      "  fifo-worker: { runtime: nodejs24.x, handler: index.handler, codeUri: ./fn, timeout: 10 }",
      "queues:",
      "  jobs:",
      "    visibilityTimeout: 30",
      "    redrivePolicy: { deadLetterTargetArn: sqs:jobs-dlq, maxReceiveCount: 3 }",
      "  jobs-dlq:",
      "  jobs.fifo: { fifoQueue: true, visibilityTimeout: 30 }",
      "eventSourceMappings:",
      "  - { functionName: worker, eventSourceArn: sqs:jobs, batchSize: 1, scalingConfig: { maximumConcurrency: 5 } }",
      "",
    ].join("\n"),
  );
  const sim = await startLambdaSim(["--in-memory", "--clock", "virtual", "--config", join(dir, "lambda-sim.yaml")]);
  const config = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const sqs = new SQSClient(config);
  const lambda = new LambdaClient(config);
  clients.push(sqs, lambda);
  return { sim, sqs, lambda, url: (queue) => `${sim.endpoint}/000000000000/${queue}` };
}

interface ClockView {
  epochMs: number;
  pendingWorkCount: number;
  pendingTimers: { label: string }[];
}

async function clock(endpoint: string, path = "", body: unknown = {}): Promise<ClockView> {
  const res = await fetch(`${endpoint}/_sim/clock${path}`, { method: path === "" ? "GET" : "POST", headers: { "content-type": "application/json" }, body: path === "" ? undefined : JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as ClockView;
}

async function sendBatches(sqs: SQSClient, url: string, bodies: string[], fifo = false): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const Entries = bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: `m${j}`, MessageBody, ...(fifo ? { MessageGroupId: "g", MessageDeduplicationId: MessageBody } : {}) }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
    expect(out.Failed ?? []).toEqual([]);
  }
}

async function counts(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return { visible: Number(a!.ApproximateNumberOfMessages), inFlight: Number(a!.ApproximateNumberOfMessagesNotVisible) };
}

const handled = (sim: LambdaSimProcess, prefix: string) => sim.output().match(new RegExp(`HANDLED ${prefix}-\\d+`, "g")) ?? [];

describe("run-until-idle after an SQS burst drained by several lanes", () => {
  it("stops once 40 messages are consumed one per batch on 5 lanes: the queue empty, service time unmoved", async () => {
    const { sim, sqs, url } = await start();
    for (const round of [1, 2]) {
      const before = await clock(sim.endpoint);
      await sendBatches(sqs, url("jobs"), Array.from({ length: 40 }, (_, i) => `ok${round}-${i}`));
      const after = await clock(sim.endpoint, "/run-until-idle");
      expect(await counts(sqs, url("jobs"))).toEqual({ visible: 0, inFlight: 0 });
      expect(after.epochMs - before.epochMs).toBeLessThan(1_000);
      expect(after.pendingWorkCount).toBe(0);
      await until(() => new Set(handled(sim, `ok${round}`)).size === 40);
    }
    expect(await counts(sqs, url("jobs-dlq"))).toEqual({ visible: 0, inFlight: 0 });
  }, 120_000);

  it("failing messages reach the DLQ after maxReceiveCount, service time moved by their three visibility timeouts, no more", async () => {
    const { sim, sqs, url } = await start();
    const before = await clock(sim.endpoint);
    // Messages that succeed beside them: their deletes leave nothing pending either.
    await sendBatches(sqs, url("jobs"), Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? `fail-${i}` : `ok-${i}`)));
    const after = await clock(sim.endpoint, "/run-until-idle");
    expect(after.epochMs - before.epochMs).toBeGreaterThanOrEqual(90_000);
    expect(after.epochMs - before.epochMs).toBeLessThan(91_000);
    expect(await counts(sqs, url("jobs"))).toEqual({ visible: 0, inFlight: 0 });
    expect(await counts(sqs, url("jobs-dlq"))).toEqual({ visible: 10, inFlight: 0 });
    await until(() => handled(sim, "fail").length === 30 && handled(sim, "ok").length === 20);
  }, 120_000);

  it("FIFO: a group blocked behind a message another consumer deletes is delivered at once", async () => {
    const { sim, sqs, lambda, url } = await start();
    const { taken } = await blockedGroup(sim, sqs, lambda, url);
    const before = await clock(sim.endpoint);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url("jobs.fifo"), ReceiptHandle: taken.Messages![0]!.ReceiptHandle }));
    const after = await clock(sim.endpoint, "/run-until-idle");
    expect(after.epochMs - before.epochMs).toBeLessThan(1_000);
    expect(await counts(sqs, url("jobs.fifo"))).toEqual({ visible: 0, inFlight: 0 });
    await until(() => handled(sim, "next").length === 5);
    expect(handled(sim, "first")).toEqual([]);
  }, 120_000);

  it("a mapping deleted while its lanes wait on a message in flight elsewhere leaves no work behind", async () => {
    const { sim, sqs, lambda, url } = await start();
    const { uuid } = await blockedGroup(sim, sqs, lambda, url);
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    await until(async () => !(await clock(sim.endpoint)).pendingTimers.some((t) => t.label === "sqs.long-poll:jobs.fifo"));
    const before = await clock(sim.endpoint);
    const after = await clock(sim.endpoint, "/run-until-idle");
    // Nobody consumes the queue any more: its head's visibility timeout is nobody's work.
    expect(after.epochMs - before.epochMs).toBe(0);
    expect(after.pendingTimers.map((t) => t.label)).not.toContain("sqs.visible:jobs.fifo");
  }, 120_000);
});

// A message leaves its queue other than by a delete, in flight or not: a purge takes every message
// sent before it, a move task every message of the DLQ, retention expires them. Meanwhile the
// mapping's lanes were waiting for it to become visible; before, run-until-idle still jumped there.
describe("run-until-idle after a message in flight elsewhere leaves its queue", () => {
  it("PurgeQueue: its visibility timeout is nobody's work", async () => {
    const { sim, sqs, lambda, url } = await start();
    await heldByAnotherConsumer(sim, sqs, lambda, url("jobs-dlq"), "purged-0");
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url("jobs-dlq") }));
    const before = await clock(sim.endpoint);
    const after = await clock(sim.endpoint, "/run-until-idle");
    expect(after.epochMs - before.epochMs).toBeLessThan(1_000);
    expect(after.pendingTimers.map((t) => t.label)).not.toContain("sqs.visible:jobs-dlq");
  }, 120_000);

  it("a move task (every message of the DLQ goes): its visibility timeout is nobody's work", async () => {
    const { sim, sqs, lambda, url } = await start();
    await heldByAnotherConsumer(sim, sqs, lambda, url("jobs-dlq"), "moved-0");
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:jobs-dlq", DestinationArn: "arn:aws:sqs:us-east-1:000000000000:jobs" }));
    const before = await clock(sim.endpoint);
    const after = await clock(sim.endpoint, "/run-until-idle");
    expect(after.epochMs - before.epochMs).toBeLessThan(1_000);
    expect(after.pendingTimers.map((t) => t.label)).not.toContain("sqs.visible:jobs-dlq");
    await until(() => handled(sim, "moved").length === 1);
    expect(await counts(sqs, url("jobs-dlq"))).toEqual({ visible: 0, inFlight: 0 });
  }, 120_000);

  it("retention: expired by a client's receive, its visibility timeout is nobody's work", async () => {
    const { sim, sqs, lambda, url } = await start();
    // 60 s is the least MessageRetentionPeriod SQS takes.
    await sqs.send(new CreateQueueCommand({ QueueName: "short", Attributes: { MessageRetentionPeriod: "60" } }));
    await heldByAnotherConsumer(sim, sqs, lambda, url("short"), "expiring-0", 10);
    // Past its retention period, between two of the lanes' 20 s long polls (at +30 s and +70 s).
    await clock(sim.endpoint, "/advance", { seconds: 51 });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("short") }))).Messages).toBeUndefined();
    const before = await clock(sim.endpoint);
    const after = await clock(sim.endpoint, "/run-until-idle");
    expect(after.epochMs - before.epochMs).toBeLessThan(1_000);
    expect(after.pendingTimers.map((t) => t.label)).not.toContain("sqs.visible:short");
  }, 120_000);
});

/**
 * A message of `queueUrl` (sent `sentAgo` seconds of service time earlier) that a consumer other
 * than the mapping then created on the queue has in flight for an hour, with the mapping's lanes
 * waiting for it to become visible.
 */
async function heldByAnotherConsumer(sim: LambdaSimProcess, sqs: SQSClient, lambda: LambdaClient, queueUrl: string, body: string, sentAgo = 0): Promise<void> {
  await sendBatches(sqs, queueUrl, [body]);
  if (sentAgo > 0) await clock(sim.endpoint, "/advance", { seconds: sentAgo });
  const taken = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 3600 }));
  expect(taken.Messages?.map((m) => m.Body)).toEqual([body]);
  const queue = queueUrl.slice(queueUrl.lastIndexOf("/") + 1);
  await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "fifo-worker", EventSourceArn: `arn:aws:sqs:us-east-1:000000000000:${queue}`, BatchSize: 1 }));
  await until(async () => (await clock(sim.endpoint)).pendingTimers.some((t) => t.label === `sqs.visible:${queue}`));
  expect(await counts(sqs, queueUrl)).toEqual({ visible: 0, inFlight: 1 });
}

/**
 * `jobs.fifo` with a group whose head another consumer holds, and a mapping (batch 1, 2 lanes)
 * whose lanes wait behind it (aws-facts §6 FIFO ordering): the head as received, and the mapping's UUID.
 */
async function blockedGroup(sim: LambdaSimProcess, sqs: SQSClient, lambda: LambdaClient, url: (queue: string) => string) {
  await sendBatches(sqs, url("jobs.fifo"), ["first-0"], true);
  const taken = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs.fifo"), MaxNumberOfMessages: 1 }));
  expect(taken.Messages?.map((m) => m.Body)).toEqual(["first-0"]);
  await sendBatches(sqs, url("jobs.fifo"), Array.from({ length: 5 }, (_, i) => `next-${i}`), true);
  const mapping = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "fifo-worker", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:jobs.fifo", BatchSize: 1, ScalingConfig: { MaximumConcurrency: 2 } }));
  await until(async () => (await clock(sim.endpoint)).pendingTimers.filter((t) => t.label === "sqs.long-poll:jobs.fifo").length === 2);
  return { taken, uuid: mapping.UUID! };
}
