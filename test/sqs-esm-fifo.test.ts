import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { sqsArn as arn, startSqsEsm } from "./support/sqs-esm-harness.ts";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/sqs-consumers/", import.meta.url));
const consumer = { functionName: "fifo", runtime: "nodejs24.x", handler: "index.fifo", codeDir, timeout: 3 } as const;
let t: TestSimulator | undefined;
let lambda: LambdaClient;
let sqs: SQSClient;


async function start(timeScale = 1): Promise<void> {
  ({ t, lambda, sqs } = await startSqsEsm([consumer], timeScale));
}

interface Delivery {
  body: string;
  group: string;
  receiveCount: string;
}

/** Every record the function received, in the order the invocations logged them. */
function deliveries(logs: TelemetryRecorder): Delivery[] {
  return logs
    .of("function.log")
    .filter((e) => e.text.includes("EVENT "))
    .flatMap((e) => JSON.parse(e.text.slice(e.text.indexOf("EVENT ") + 6).split("\n")[0]!).Records)
    .map((r: { body: string; attributes: Record<string, string> }) => ({ body: r.body, group: r.attributes.MessageGroupId!, receiveCount: r.attributes.ApproximateReceiveCount! }));
}

async function send(url: string, messages: [group: string, body: string][]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const Entries = messages.slice(i, i + 10).map(([MessageGroupId, MessageBody], j) => ({ Id: `m${j}`, MessageBody, MessageGroupId, MessageDeduplicationId: `${i + j}` }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
  }
}

describe("FIFO queues through an event source mapping (aws-facts §6 FIFO ordering)", () => {
  it("delivers each message group in send order, every message once, with batches of 10 on several lanes", async () => {
    await start();
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "orders.fifo", Attributes: { FifoQueue: "true" } }))).QueueUrl!;
    const groups = ["a", "b", "c"];
    await send(url, Array.from({ length: 60 }, (_, i) => [groups[i % 3]!, `${groups[i % 3]}${Math.floor(i / 3)}`] as [string, string]));
    const logs = new TelemetryRecorder(t!.sim.telemetry);
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "fifo", EventSourceArn: arn("orders.fifo"), BatchSize: 10 }));
    await until(() => deliveries(logs).length === 60);
    for (const g of groups) {
      expect(deliveries(logs).filter((d) => d.group === g).map((d) => d.body)).toEqual(Array.from({ length: 20 }, (_, i) => `${g}${i}`));
    }
    logs.dispose();
  });

  it("holds back the rest of a group behind a failed message until it is redriven, while other groups go on", async () => {
    // 100x: the 120 s visibility timeout lasts 1.2 s. Handlers run in wall time, so two warm
    // environments (one per group) keep invocations far inside it, where cold starts may not.
    await start(100);
    await Promise.all([1, 2].map(() => lambda.send(new InvokeCommand({ FunctionName: "fifo", Payload: '{"Records":[]}' }))));
    await sqs.send(new CreateQueueCommand({ QueueName: "dlq.fifo", Attributes: { FifoQueue: "true" } }));
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn("dlq.fifo"), maxReceiveCount: 2 });
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "jobs.fifo", Attributes: { FifoQueue: "true", VisibilityTimeout: "120", RedrivePolicy } }))).QueueUrl!;
    await send(url, [["a", "a1"], ["b", "b1"], ["a", "fail"], ["b", "b2"], ["a", "a3"], ["b", "b3"]]);
    const logs = new TelemetryRecorder(t!.sim.telemetry);
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "fifo", EventSourceArn: arn("jobs.fifo"), BatchSize: 1, FunctionResponseTypes: ["ReportBatchItemFailures"] }));
    await until(() => deliveries(logs).some((d) => d.body === "a3"));

    const a = deliveries(logs).filter((d) => d.group === "a");
    // "fail" is received twice (maxReceiveCount 2), then moved; only then does a3 come, for the first time.
    expect(a.map((d) => [d.body, d.receiveCount])).toEqual([["a1", "1"], ["fail", "1"], ["fail", "2"], ["a3", "1"]]);
    // Group b was not held up by group a's failure: all of it came before a3 could.
    const order = deliveries(logs).map((d) => d.body);
    expect(order.indexOf("b3")).toBeLessThan(order.indexOf("a3"));
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${t!.endpoint}/000000000000/dlq.fifo`, MaxNumberOfMessages: 10 }));
    expect(dlq.Messages?.map((m) => m.Body)).toEqual(["fail"]);
    logs.dispose();
  });

  it("a group with a message in flight does not hide the other groups queued behind its backlog", async () => {
    await start();
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "hot.fifo", Attributes: { FifoQueue: "true" } }))).QueueUrl!;
    await send(url, [...Array.from({ length: 1100 }, (_, i) => ["hot", `hot${i}`] as [string, string]), ["cold", "cold0"]]);
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }));
    expect(first.Messages?.map((m) => m.Body)).toEqual(["hot0"]);
    // hot0 is in flight, so the rest of "hot" is blocked; "cold" must be served.
    const next = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(next.Messages?.map((m) => m.Body)).toEqual(["cold0"]);
    const counts = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }))).Attributes!;
    expect(counts.ApproximateNumberOfMessages).toBe("1099");
  });
});
