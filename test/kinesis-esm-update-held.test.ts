import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { VirtualClock } from "@lambda-sim/core";
import { until } from "./support/until.ts";

// A Kinesis batch held by retries when its mapping is updated: the update restarts the shard's
// consumer, and the batch's attempts keep counting (our choice: AWS does not document it).
const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
let t: TestSimulator | undefined;
let clients: { destroy(): void }[] = [];
let logs: TelemetryRecorder | undefined;

afterEach(async () => {
  logs?.dispose();
  for (const c of clients) c.destroy();
  clients = [];
  await t?.close();
  t = undefined;
});

/** `records`: [partitionKey, data] put before the mapping is made ("poison" fails its batch). */
async function start(records: [string, string][] = [["k", "poison"]]) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  clock.startRunningDue();
  t = await startTestSimulator({ functions: [{ functionName: "held", runtime: "nodejs24.x", handler: "index.recorder", codeDir, timeout: 3 }], sources: [sqsSource, kinesisSource], clock });
  const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  const kinesis = new KinesisClient(t.clientConfig);
  const sqs = new SQSClient(t.clientConfig);
  clients = [lambda, kinesis, sqs];
  logs = new TelemetryRecorder(t.sim.telemetry);
  await sqs.send(new CreateQueueCommand({ QueueName: "failed" }));
  await kinesis.send(new CreateStreamCommand({ StreamName: "held", ShardCount: 1 }));
  for (const [key, data] of records) await kinesis.send(new PutRecordCommand({ StreamName: "held", PartitionKey: key, Data: Buffer.from(data) }));
  return { lambda, sqs, kinesis };
}

/** Invocations of the poison batch so far. */
const invocations = () => logs!.of("function.log").filter((e) => e.text.includes("BATCH ")).length;

async function advance(seconds: number) {
  const r = await fetch(`${t!.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds }) });
  expect(r.status).toBe(200);
}

/** Invocations of the batch of the poison record alone. */
const poisonAlone = () => logs!.of("function.log").filter((e) => e.text.includes(' [["k","poison"]]')).length;

/** A throttle, as a reserved concurrency of 0 would answer, for the `nth` admission of a batch holding a poison record after now. */
async function throttlePoison(nth: number) {
  const r = await fetch(`${t!.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "throttle", function: "held", payloadContains: "poison", nth, reason: "ReservedFunctionConcurrentInvocationLimitExceeded" }) });
  expect(r.status).toBeLessThan(300);
}

const throttled = () => logs!.of("mapping.batch").some((e) => e.outcome === "throttled");

type OnFailureRecord = { requestContext: { condition: string; approximateInvokeCount: number }; KinesisBatchInfo: { batchSize: number } };

async function onFailureRecord(sqs: SQSClient): Promise<OnFailureRecord> {
  return (await onFailureRecords(sqs, 1))[0]!;
}

async function onFailureRecords(sqs: SQSClient, count: number): Promise<OnFailureRecord[]> {
  const bodies: string[] = [];
  await until(async () => {
    const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${t!.endpoint}/000000000000/failed`, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 }))).Messages ?? [];
    bodies.push(...got.map((m) => m.Body!));
    return bodies.length >= count;
  });
  return bodies.map((b) => JSON.parse(b));
}

const mapping = { FunctionName: "held", EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/held", StartingPosition: "TRIM_HORIZON" as const, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failed" } } };

it("an update that makes a held batch too old sends it to OnFailure with every invocation counted, not 0", async () => {
  const { lambda, sqs } = await start();
  const created = await lambda.send(new CreateEventSourceMappingCommand(mapping));
  // Retries back off 1, 2, 4 … 60 s: in 130 s of service time the batch runs 8 times, and its record is over a minute old.
  await until(() => invocations() >= 1);
  await advance(130);
  expect(invocations()).toBe(8);
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, MaximumRecordAgeInSeconds: 60 }));
  const record = await onFailureRecord(sqs);
  expect(record.requestContext).toMatchObject({ condition: "RecordAgeExceeded", approximateInvokeCount: 8 });
  expect(invocations()).toBe(8);
});

it("an update during a held batch's retries keeps counting them towards MaximumRetryAttempts", async () => {
  const { lambda, sqs } = await start();
  const created = await lambda.send(new CreateEventSourceMappingCommand({ ...mapping, MaximumRetryAttempts: 5 }));
  await until(() => invocations() >= 1);
  await advance(4); // retries at +1 s and +3 s
  expect(invocations()).toBe(3);
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 50 }));
  await advance(120);
  const record = await onFailureRecord(sqs);
  // The first attempt and 5 retries, 2 of them before the update.
  expect(record.requestContext).toMatchObject({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 6 });
  expect(invocations()).toBe(6);
});

it("with ParallelizationFactor 2, a held lane whose first batch after the update re-reads records behind the shard's checkpoint keeps counting", async () => {
  const { lambda, sqs, kinesis } = await start(); // a poison record under key "k" (lane 0)
  // Key "b" is lane 1: a good record, done at once, then a poison one. The shard's checkpoint
  // stays before lane 0's poison, so after the update lane 1 reads its good record again.
  await kinesis.send(new PutRecordCommand({ StreamName: "held", PartitionKey: "b", Data: Buffer.from("good") }));
  const created = await lambda.send(new CreateEventSourceMappingCommand({ ...mapping, ParallelizationFactor: 2, MaximumRetryAttempts: 3 }));
  const batches = (text: string) => logs!.of("function.log").filter((e) => e.text.includes("BATCH ") && e.text.includes(text)).length;
  await until(() => batches('["b","good"]') >= 1 && invocations() >= 1);
  await kinesis.send(new PutRecordCommand({ StreamName: "held", PartitionKey: "b", Data: Buffer.from("poison") }));
  await until(() => batches('["b","poison"]') >= 1);
  await advance(4); // lane 1's retries at +1 s and +3 s
  expect(batches('["b","poison"]')).toBe(3);
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 50 }));
  await advance(120);
  const records = await onFailureRecords(sqs, 2);
  // Lane 1's batch after the update is [good, poison]: its 3 attempts before count, and 1 more exhausts the 3 retries.
  const lane1 = records.find((r) => r.KinesisBatchInfo.batchSize === 2)!;
  expect(lane1.requestContext).toMatchObject({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 4 });
  expect(batches('["b","poison"]')).toBe(4);
});

// review37 #9: the held batch was known by its first record after that record was given up by age,
// so an update before the rest of the batch failed again found nothing and started its count again.
it("a held batch whose first record aged out counts on from its retries when an update comes before its next failure", async () => {
  const { lambda, sqs, kinesis } = await start(); // a poison record at +0 s
  await advance(30);
  await kinesis.send(new PutRecordCommand({ StreamName: "held", PartitionKey: "k", Data: Buffer.from("poison") }));
  // Both in one batch from +30 s: attempts at +30, 31, 33, 37, 45; at +61 the first record is over
  // 60 s old and is given up, and the rest of the batch is throttled (the 6th admission) and waits.
  await throttlePoison(6);
  const created = await lambda.send(new CreateEventSourceMappingCommand({ ...mapping, MaximumRecordAgeInSeconds: 60, MaximumRetryAttempts: 5 }));
  await until(() => invocations() >= 1);
  await advance(31);
  await until(throttled);
  expect(invocations()).toBe(5);
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 50 }));
  await advance(120);
  const [aged, exhausted] = (await onFailureRecords(sqs, 2)).sort((a, b) => a.requestContext.approximateInvokeCount - b.requestContext.approximateInvokeCount);
  expect(aged).toMatchObject({ requestContext: { condition: "RecordAgeExceeded", approximateInvokeCount: 5 }, KinesisBatchInfo: { batchSize: 1 } });
  // Its 5 retries were used up before the update: one last attempt, 6 in all (its count started
  // again, it ran on alone until it was too old at +91 s).
  expect(exhausted).toMatchObject({ requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 6 }, KinesisBatchInfo: { batchSize: 1 } });
  expect(poisonAlone()).toBe(1);
});

// review37 #10: a bisected batch's second half had no held entry until its own first failure, so an
// update before it (the first half having succeeded) restarted it with no retries, not the batch's.
it("the second half of a bisected batch keeps the batch's retries when an update comes before its first failure", async () => {
  const { lambda, sqs } = await start([["k", "good"], ["k", "poison"]]);
  const created = await lambda.send(new CreateEventSourceMappingCommand({ ...mapping, MaximumRetryAttempts: 4 }));
  await until(() => invocations() >= 1);
  await advance(4); // retries at +1 s and +3 s, not bisected
  expect(invocations()).toBe(3);
  // Bisecting from now: the batch fails a 4th time and splits, its first half succeeds, and its
  // second half (the 2nd admission with a poison record from now) is throttled before it ever ran.
  await throttlePoison(2);
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BisectBatchOnFunctionError: true }));
  await until(throttled);
  expect(logs!.of("function.log").filter((e) => e.text.includes(' [["k","good"]]')).length).toBe(1);
  expect(poisonAlone()).toBe(0);
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 10 }));
  await advance(200);
  const record = await onFailureRecord(sqs);
  // The halves carry the batch's 3 retries: the poison alone runs twice (its 4th retry exhausts the 4).
  expect(record).toMatchObject({ requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 5 }, KinesisBatchInfo: { batchSize: 1 } });
  expect(poisonAlone()).toBe(2);
});
