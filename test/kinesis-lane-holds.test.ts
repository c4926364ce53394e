import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { VirtualClock, type TelemetryEvent } from "@lambda-sim/core";
import { ShardStalls } from "../packages/cli/src/scenario/shard-stalls.ts";
import { nextShard, stalled, type ShardConsumerView } from "../packages/cli/src/dashboard/page/shard-consumers.js";
import { until } from "./support/until.ts";

/**
 * A Kinesis shard held by a failing batch, as the run report's stall story (shard-stalls.ts) and the
 * dashboard's shard consumer (shard-consumers.js) tell it from the simulator's own telemetry: they
 * hold a lane by the same rule, after every event (review37 #12), and an update that changes
 * ParallelizationFactor leaves no lane of the old count held for good (review37 #7).
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
const START = Date.UTC(2026, 0, 1);
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

async function start(records: [string, string][]) {
  const clock = new VirtualClock(START);
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
  return { lambda, kinesis };
}

async function advance(seconds: number) {
  const r = await fetch(`${t!.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds }) });
  expect(r.status).toBe(200);
}

const mapping = { FunctionName: "held", EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/held", StartingPosition: "TRIM_HORIZON" as const, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failed" } } };
const givenUp = () => logs!.of("mapping.batch-given-up").length;

/**
 * The mapping's events so far through both watchers, one at a time: where they disagree on whether
 * the shard is held (a throttle holds the page's consumer and not the report's: none here), and how
 * each left it.
 */
function watch() {
  const report = new ShardStalls();
  let view: ShardConsumerView | undefined;
  const disagreements: string[] = [];
  for (const e of logs!.events) {
    if (e.type === "mapping.batch") report.batch(e, "held");
    else if (e.type === "mapping.batch-given-up") report.givenUp(e, "held");
    else continue;
    view = nextShard(view, e);
    if (report.heldNow("held") !== stalled(view)) disagreements.push(describe(e));
  }
  const end = logs!.events.at(-1)!.time;
  const lines = report.lines(START, end, (ms) => `${ms / 1000} s`, (ms) => `${ms / 1000}`, (x) => x);
  return { disagreements, lines, view: view!, heldNow: report.heldNow("held") };
}

const describe = (e: TelemetryEvent) => (e.type === "mapping.batch" ? `${e.outcome} ${e.size} record(s)${e.lane === undefined ? "" : ` lane ${e.lane}`}` : e.type === "mapping.batch-given-up" ? `given up ${e.size}` : e.type);

it("holds a bisected batch's shard until its poison is given up, on the page as in the report", async () => {
  const { lambda } = await start([["k", "g1"], ["k", "g2"], ["k", "g3"], ["k", "poison"]]);
  await lambda.send(new CreateEventSourceMappingCommand({ ...mapping, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1 }));
  // [g1 g2 g3 poison] fails, [g1 g2] succeeds, [g3 poison] fails, [g3] succeeds, [poison] fails, is retried at +1 s and given up.
  await until(() => logs!.of("mapping.batch").length >= 5);
  await advance(2);
  await until(() => givenUp() === 1);
  const { disagreements, lines, view, heldNow } = watch();
  expect(logs!.of("mapping.batch").map(describe)).toEqual(["failed 4 record(s)", "succeeded 2 record(s)", "failed 2 record(s)", "succeeded 1 record(s)", "failed 1 record(s)", "failed 1 record(s)"]);
  // The page said `succeeded` (not held) after each first half, while the report held the shard.
  expect(disagreements).toEqual([]);
  expect(heldNow).toBe(false);
  expect(stalled(view)).toBe(false);
  expect(lines).toEqual(["held shardId-000000000000: held 1 s from +0 until 1 record(s) given up (RetryAttemptsExhausted) at +1, 4 failed attempt(s); 1 record(s) given up in all; iterator age up to 1 s"]);
});

it("ends the holds of ParallelizationFactor 4's lanes when an update lowers it to 2, and holds the lane the poison is in now", async () => {
  // Keys a and d are lanes 0 and 3 of 4, and 0 and 1 of 2 (FNV-1a).
  const { lambda, kinesis } = await start([["d", "poison"], ["a", "good"]]);
  const created = await lambda.send(new CreateEventSourceMappingCommand({ ...mapping, ParallelizationFactor: 4, MaximumRetryAttempts: 5 }));
  await until(() => logs!.of("mapping.batch").length >= 2);
  await advance(1); // lane 3's retry
  expect(watch().view).toMatchObject({ outcome: "failed", lane: 3, laneCount: 4 });
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, ParallelizationFactor: 2 }));
  await until(() => logs!.of("mapping.batch").some((e) => e.laneCount === 2 && e.outcome === "failed"));
  // The poison fails in lane 1 of 2 now: that lane is held, lane 3 of 4 is no more.
  expect(watch().view).toMatchObject({ outcome: "failed", lane: 1, laneCount: 2 });
  await advance(120);
  await until(() => givenUp() === 1);
  await kinesis.send(new PutRecordCommand({ StreamName: "held", PartitionKey: "d", Data: Buffer.from("after") }));
  await until(() => logs!.of("mapping.batch").some((e) => e.lastSequenceNumber !== undefined && e.outcome === "succeeded" && e.lane === 1));
  const { disagreements, lines, view, heldNow } = watch();
  expect(disagreements).toEqual([]);
  // Lane 3 of 4 stayed held for good: `retrying (last batch failed, lane 3)` on the page, `to the end` in the report.
  expect(stalled(view)).toBe(false);
  expect(heldNow).toBe(false);
  // Lane 3 of 4 held from +0 until the update (at +1); lane 1 of 2 from the poison's first failure there until it was given up.
  expect(lines).toEqual(["held shardId-000000000000 lane 1 of 2: held 28 s from +1 until 1 record(s) given up (RetryAttemptsExhausted) at +29, 4 failed attempt(s); 2 lanes held (1 of 2, 3 of 4); 1 record(s) given up in all; iterator age up to 29 s"]);
});
