import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, InvalidParameterValueException, LambdaClient, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateStreamCommand, DeleteStreamCommand, KinesisClient, PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { VirtualClock, type FunctionDefinition, type SimulatorOptions } from "@lambda-sim/core";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
let t: TestSimulator | undefined;
let lambda: LambdaClient;
let kinesis: KinesisClient;
let sqs: SQSClient;
let logs: TelemetryRecorder | undefined;

afterEach(async () => {
  logs?.dispose();
  lambda?.destroy();
  kinesis?.destroy();
  sqs?.destroy();
  await t?.close();
  t = undefined;
});

async function start(functions: FunctionDefinition[], opts: SimulatorOptions = {}) {
  t = await startTestSimulator({ functions, sources: [sqsSource, kinesisSource], ...opts });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  kinesis = new KinesisClient(t.clientConfig);
  sqs = new SQSClient(t.clientConfig);
  logs = new TelemetryRecorder(t.sim.telemetry);
}

const fn = (functionName: string, handler: string): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: `index.${handler}`, codeDir, timeout: 3 });
const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

/** Log lines `<prefix> ...` of successful and failed invocations alike, in order. */
function lines(prefix: string): string[] {
  return logs!.of("function.log").flatMap((e) => e.text.split("\n")).filter((l) => l.includes(`${prefix} `)).map((l) => l.slice(l.indexOf(`${prefix} `) + prefix.length + 1));
}

function batches(): { shard: string; records: [string, string][] }[] {
  return lines("BATCH").map((l) => {
    const space = l.indexOf(" ");
    return { shard: l.slice(0, space), records: JSON.parse(l.slice(space + 1)) };
  });
}

describe("Kinesis event source mapping", () => {
  it("delivers the event exactly as AWS shapes it, and answers Create/Get with the stream parameters", async () => {
    await start([fn("events", "eventLogger")]);
    await kinesis.send(new CreateStreamCommand({ StreamName: "shape", ShardCount: 1 }));
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "events", EventSourceArn: streamArn("shape"), StartingPosition: "LATEST" }));
    expect(created).toMatchObject({
      State: "Creating",
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: false,
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      TumblingWindowInSeconds: 0,
      StartingPosition: "LATEST",
      DestinationConfig: { OnFailure: {} },
      FunctionResponseTypes: [],
      LastProcessingResult: "No records processed",
      StateTransitionReason: "User action",
    });
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State).toBe("Enabled");
    // LATEST is fixed when the mapping is created: this record comes after it.
    const put = await kinesis.send(new PutRecordCommand({ StreamName: "shape", PartitionKey: "1", Data: Buffer.from("Hello") }));
    await until(() => lines("EVENT").length > 0);
    const r = JSON.parse(lines("EVENT")[0]!).Records[0];
    expect(Object.keys(r)).toEqual(["kinesis", "eventSource", "eventVersion", "eventID", "eventName", "invokeIdentityArn", "awsRegion", "eventSourceARN"]);
    expect(Object.keys(r.kinesis)).toEqual(["kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data", "approximateArrivalTimestamp"]);
    expect(r).toMatchObject({
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: "1", sequenceNumber: put.SequenceNumber, data: "SGVsbG8=" },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `shardId-000000000000:${put.SequenceNumber}`,
      eventName: "aws:kinesis:record",
      awsRegion: "us-east-1",
      eventSourceARN: streamArn("shape"),
    });
    // Seconds, with millisecond precision.
    expect(Math.abs(r.kinesis.approximateArrivalTimestamp * 1000 - Date.now())).toBeLessThan(60_000);
  });

  it("consumes the shards of a stream recreated with more of them at once, without service time passing (a stream created or deleted wakes shard discovery)", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    clock.startRunningDue();
    await start([fn("grows", "recorder")], { clock });
    await kinesis.send(new CreateStreamCommand({ StreamName: "grows", ShardCount: 1 }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "grows", EventSourceArn: streamArn("grows"), StartingPosition: "TRIM_HORIZON" }));
    await kinesis.send(new PutRecordCommand({ StreamName: "grows", PartitionKey: "a", Data: Buffer.from("one") }));
    await until(() => batches().length === 1);
    await kinesis.send(new DeleteStreamCommand({ StreamName: "grows" }));
    await kinesis.send(new CreateStreamCommand({ StreamName: "grows", ShardCount: 2 }));
    // md5("b") ≥ 2^127: the new second shard, which only discovery can find.
    await kinesis.send(new PutRecordCommand({ StreamName: "grows", PartitionKey: "b", Data: Buffer.from("two") }));
    await until(() => batches().some((b) => b.shard === "shardId-000000000001"));
    expect(batches().find((b) => b.shard === "shardId-000000000001")!.records).toEqual([["b", "two"]]);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
  });

  it("refuses what AWS refuses", async () => {
    await start([fn("c", "recorder")]);
    await kinesis.send(new CreateStreamCommand({ StreamName: "v", ShardCount: 1 }));
    const noPosition = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "c", EventSourceArn: streamArn("v") })).catch((e: unknown) => e);
    expect(noPosition).toBeInstanceOf(InvalidParameterValueException);
    const pf = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "c", EventSourceArn: streamArn("v"), StartingPosition: "LATEST", ParallelizationFactor: 11 })).catch((e: unknown) => e);
    expect((pf as Error).message).toContain("at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10");
    const scaling = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "c", EventSourceArn: streamArn("v"), StartingPosition: "LATEST", ScalingConfig: { MaximumConcurrency: 5 } })).catch((e: unknown) => e);
    expect(scaling).toBeInstanceOf(InvalidParameterValueException);
    const retries = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "c", EventSourceArn: streamArn("v"), StartingPosition: "LATEST", MaximumRetryAttempts: 10_001 })).catch((e: unknown) => e);
    expect((retries as Error).message).toContain("'maximumRetryAttempts'");
    const missing = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "c", EventSourceArn: streamArn("nope"), StartingPosition: "LATEST" })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InvalidParameterValueException);
    const onSuccess = await lambda
      .send(new CreateEventSourceMappingCommand({ FunctionName: "c", EventSourceArn: streamArn("v"), StartingPosition: "LATEST", DestinationConfig: { OnSuccess: { Destination: queueArn("q") } } }))
      .catch((e: unknown) => e);
    expect((onSuccess as Error).message).toBe("Unsupported DestinationConfig parameter for given event source mapping type.");
  });

  it("keeps per-key order over 3 shards with ParallelizationFactor 5, running batches of a shard concurrently", async () => {
    await start([fn("ordered", "slowRecorder")]);
    await kinesis.send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 3 }));
    const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
    const perKey = 10;
    for (let round = 0; round < perKey; round++) {
      await kinesis.send(new PutRecordsCommand({ StreamName: "orders", Records: keys.map((k) => ({ PartitionKey: k, Data: Buffer.from(String(round)) })) }));
    }
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "ordered", EventSourceArn: streamArn("orders"), StartingPosition: "TRIM_HORIZON", BatchSize: 5, ParallelizationFactor: 5 }));
    await until(() => batches().reduce((n, b) => n + b.records.length, 0) >= keys.length * perKey);
    const seen = new Map<string, number[]>();
    for (const b of batches()) for (const [k, v] of b.records) seen.set(k, [...(seen.get(k) ?? []), Number(v)]);
    for (const k of keys) expect(seen.get(k), k).toEqual(Array.from({ length: perKey }, (_, i) => i));
    expect(new Set(batches().map((b) => b.shard)).size).toBe(3);
    // More environments than shards: a shard's lanes ran at the same time.
    expect(new Set(logs!.of("invocation.finished").map((e) => e.environmentId)).size).toBeGreaterThan(3);
  });

  it("bisects around a poison record, retries it twice, sends it to OnFailure and lets later records flow", async () => {
    await start([fn("clicks", "recorder")], { timeScale: 100 });
    await sqs.send(new CreateQueueCommand({ QueueName: "failed" }));
    await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
    const bodies = ["a", "b", "c", "poison", "d", "e", "f", "g"];
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: "clicks", Records: bodies.map((d) => ({ PartitionKey: "user-1", Data: Buffer.from(d) })) }));
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "clicks",
        EventSourceArn: streamArn("clicks"),
        StartingPosition: "TRIM_HORIZON",
        BatchSize: 8,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: queueArn("failed") } },
      }),
    );
    const url = `${t!.endpoint}/000000000000/failed`;
    let message: string | undefined;
    await until(async () => {
      message = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }))).Messages?.[0]?.Body;
      return message !== undefined;
    });
    const record = JSON.parse(message!);
    expect(record).toMatchObject({
      requestContext: { functionArn: "arn:aws:lambda:us-east-1:000000000000:function:clicks", condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      KinesisBatchInfo: { shardId: "shardId-000000000000", startSequenceNumber: put.Records![3]!.SequenceNumber, endSequenceNumber: put.Records![3]!.SequenceNumber, batchSize: 1, streamArn: streamArn("clicks") },
    });
    expect(Object.keys(record)).toEqual(["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo"]);
    // Later records flow: everything but the poison record reached the function in a batch that succeeded.
    await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "user-1", Data: Buffer.from("later") }));
    await until(() => batches().some((b) => b.records.some(([, d]) => d === "later")));
    const ok = batches().filter((b) => !b.records.some(([, d]) => d === "poison")).flatMap((b) => b.records.map(([, d]) => d));
    expect(ok).toEqual(["a", "b", "c", "d", "e", "f", "g", "later"].filter((d) => ok.includes(d)));
    expect(new Set(ok)).toEqual(new Set(["a", "b", "c", "d", "e", "f", "g", "later"]));
    // 8 → 4 + 4; [c, poison] → [c] [poison]; [poison] three times.
    expect(batches().filter((b) => b.records.some(([, d]) => d === "poison")).map((b) => b.records.length)).toEqual([8, 4, 2, 1, 1, 1]);
  });

  // newuser13 N13-7: a held shard's wait was the one pending timer of a stalled run, listed as a bare `sleep`.
  it("names a held shard's retry wait after its stream in the clock's pending timers", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    clock.startRunningDue();
    await start([fn("held", "recorder")], { clock });
    await kinesis.send(new CreateStreamCommand({ StreamName: "held", ShardCount: 1 }));
    await kinesis.send(new PutRecordCommand({ StreamName: "held", PartitionKey: "a", Data: Buffer.from("poison") }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "held", EventSourceArn: streamArn("held"), StartingPosition: "TRIM_HORIZON" }));
    const labels = async () => ((await (await fetch(`${t!.endpoint}/_sim/clock`)).json()) as { pendingTimers: { label: string }[] }).pendingTimers.map((x) => x.label);
    await until(async () => (await labels()).includes("mapping.retry:stream/held"));
    expect(await labels()).not.toContain("sleep");
  });

  it("with ReportBatchItemFailures, checkpoints before the lowest failed sequence number and retries from there", async () => {
    await start([fn("partial", "partial")], { timeScale: 100 });
    await kinesis.send(new CreateStreamCommand({ StreamName: "p", ShardCount: 1 }));
    await kinesis.send(new PutRecordsCommand({ StreamName: "p", Records: ["ok1", "fail", "ok2", "fail", "ok3"].map((d) => ({ PartitionKey: "k", Data: Buffer.from(d) })) }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "partial", EventSourceArn: streamArn("p"), StartingPosition: "TRIM_HORIZON", FunctionResponseTypes: ["ReportBatchItemFailures"] }));
    await until(() => lines("BATCH").length >= 3);
    // Nothing more before a record put last: one shard delivers in order, so a fourth retry would come first.
    await kinesis.send(new PutRecordCommand({ StreamName: "p", PartitionKey: "k", Data: Buffer.from("end") }));
    await until(() => lines("BATCH").some((l) => JSON.parse(l).includes("end")));
    expect(lines("BATCH").map((l) => JSON.parse(l))).toEqual([
      ["ok1", "fail", "ok2", "fail", "ok3"],
      ["fail", "ok2", "fail", "ok3"],
      ["fail", "ok3"],
      ["end"],
    ]);
  });

  it("passes tumbling-window state between invocations and ends each window with a final invocation", async () => {
    await start([fn("windows", "windowCounter")], { timeScale: 100 });
    await kinesis.send(new CreateStreamCommand({ StreamName: "w", ShardCount: 1 }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "windows", EventSourceArn: streamArn("w"), StartingPosition: "TRIM_HORIZON", BatchSize: 2, TumblingWindowInSeconds: 60 }));
    await kinesis.send(new PutRecordsCommand({ StreamName: "w", Records: ["1", "2", "3"].map((d) => ({ PartitionKey: "k", Data: Buffer.from(d) })) }));
    await until(() => lines("WINDOW").some((l) => JSON.parse(l).isFinal));
    const calls = lines("WINDOW").map((l) => JSON.parse(l));
    const final = calls.find((c) => c.isFinal);
    expect(final).toMatchObject({ count: 3, records: [], shardId: "shardId-000000000000" });
    expect(calls.filter((c) => !c.isFinal).flatMap((c) => c.records)).toEqual(["1", "2", "3"]);
    expect(Date.parse(final.window.end) - Date.parse(final.window.start)).toBe(60_000);
  });

  it("skips records whose data does not match FilterCriteria", async () => {
    await start([fn("filtered", "recorder"), fn("other", "recorder")]);
    await kinesis.send(new CreateStreamCommand({ StreamName: "f", ShardCount: 1 }));
    const data = [{ type: "click", n: 1 }, { type: "view", n: 2 }, "plain text", { type: "click", n: 3 }].map((d) => Buffer.from(typeof d === "string" ? d : JSON.stringify(d)));
    await kinesis.send(new PutRecordsCommand({ StreamName: "f", Records: data.map((Data) => ({ PartitionKey: "k", Data })) }));
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: "filtered", EventSourceArn: streamArn("f"), StartingPosition: "TRIM_HORIZON", FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { type: ["click"] } }) }] } }),
    );
    expect(created.FilterCriteria).toEqual({ Filters: [{ Pattern: '{"data":{"type":["click"]}}' }] });
    await until(() => batches().length > 0);
    // A matching record put last arrives after anything still to come from the first four (one shard, in order).
    await kinesis.send(new PutRecordCommand({ StreamName: "f", PartitionKey: "k", Data: Buffer.from(JSON.stringify({ type: "click", n: 99 })) }));
    await until(() => batches().some((b) => b.records.some(([, d]) => JSON.parse(d).n === 99)));
    expect(batches().flatMap((b) => b.records.map(([, d]) => JSON.parse(d).n))).toEqual([1, 3, 99]);
    const bad = await lambda
      .send(new CreateEventSourceMappingCommand({ FunctionName: "other", EventSourceArn: streamArn("f"), StartingPosition: "LATEST", FilterCriteria: { Filters: [{ Pattern: "{nope" }] } }))
      .catch((e: unknown) => e);
    expect((bad as Error).message).toBe("Invalid filter pattern definition.");
  });

  it("starts AT_TIMESTAMP, and takes updates of its stream parameters", async () => {
    // 100× service time: a whole second of service time passes in ~10 ms between the two records.
    await start([fn("stamped", "recorder")], { timeScale: 100 });
    await kinesis.send(new CreateStreamCommand({ StreamName: "ts", ShardCount: 1 }));
    await kinesis.send(new PutRecordCommand({ StreamName: "ts", PartitionKey: "k", Data: Buffer.from("before") }));
    const putBefore = t!.sim.clock.now();
    await until(() => Math.floor(t!.sim.clock.now() / 1000) > Math.floor(putBefore / 1000));
    const at = new Date(Math.floor(t!.sim.clock.now() / 1000) * 1000);
    await kinesis.send(new PutRecordCommand({ StreamName: "ts", PartitionKey: "k", Data: Buffer.from("after") }));
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: "stamped", EventSourceArn: streamArn("ts"), StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: at }),
    );
    expect(created.StartingPositionTimestamp).toEqual(at);
    await until(() => batches().length > 0);
    expect(batches().flatMap((b) => b.records.map(([, d]) => d))).toEqual(["after"]);
    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, MaximumRetryAttempts: 5, BisectBatchOnFunctionError: true, BatchSize: 50 }));
    expect(updated).toMatchObject({ State: "Updating", MaximumRetryAttempts: 5, BisectBatchOnFunctionError: true, BatchSize: 50, StartingPosition: "AT_TIMESTAMP" });
    // The checkpoint stays: nothing is delivered twice after the update restarts the worker.
    await kinesis.send(new PutRecordCommand({ StreamName: "ts", PartitionKey: "k", Data: Buffer.from("later") }));
    await until(() => batches().length > 1);
    expect(batches().flatMap((b) => b.records.map(([, d]) => d))).toEqual(["after", "later"]);
  });

  it("resumes after its durable checkpoint when the simulator restarts", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-kinesis-restart-"));
    try {
      await start([fn("durable", "recorder")], { stateDir });
      await kinesis.send(new CreateStreamCommand({ StreamName: "d", ShardCount: 2 }));
      await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "durable", EventSourceArn: streamArn("d"), StartingPosition: "TRIM_HORIZON" }));
      await kinesis.send(new PutRecordsCommand({ StreamName: "d", Records: ["1", "2", "3", "4"].map((d) => ({ PartitionKey: `k${d}`, Data: Buffer.from(`before-${d}`) })) }));
      await until(() => batches().reduce((n, b) => n + b.records.length, 0) === 4);
      logs!.dispose();
      kinesis.destroy();
      lambda.destroy();
      sqs.destroy();
      await t!.close();
      await start([fn("durable", "recorder")], { stateDir });
      // One record after the restart for each key, so on every shard that held a before-* record: a
      // shard re-delivering from before its checkpoint would deliver that before-* record first.
      await kinesis.send(new PutRecordsCommand({ StreamName: "d", Records: ["1", "2", "3", "4"].map((d) => ({ PartitionKey: `k${d}`, Data: Buffer.from(`after-${d}`) })) }));
      await until(() => batches().reduce((n, b) => n + b.records.length, 0) >= 4);
      expect(batches().flatMap((b) => b.records.map(([, d]) => d)).sort()).toEqual(["after-1", "after-2", "after-3", "after-4"]);
    } finally {
      await t?.close();
      t = undefined;
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
