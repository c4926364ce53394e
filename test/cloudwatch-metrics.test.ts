import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateAliasCommand, CreateEventSourceMappingCommand, InvokeCommand, LambdaClient, PublishVersionCommand, PutFunctionEventInvokeConfigCommand, TooManyRequestsException } from "@aws-sdk/client-lambda";
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  type Dimension,
  type Statistic,
} from "@aws-sdk/client-cloudwatch";
import { cloudwatchMetricsSource, kinesisSource, sqsSource } from "@lambda-sim/sources";
import { VirtualClock } from "@lambda-sim/core";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";
import { awsClientEnv } from "./support/aws-client-env.ts";

/**
 * CloudWatch metrics as a user reads them after a function ran, one call was throttled and a queue
 * holds messages: the JS SDK (AWS JSON 1.0) and Debian's awscli 2.9 (query protocol, XML).
 */
const run = promisify(execFile);
const codeDir = fileURLToPath(new URL("./fixtures/functions/cloudwatch/", import.meta.url));
/** Debian's awscli 2.9; a pip-installed aws earlier on PATH may be another version. */
const AWS = process.env.AWS_CLI ?? "/usr/bin/aws";
const hasAwsCli = spawnSync(AWS, ["--version"], { stdio: "ignore" }).status === 0;
const FN = [{ Name: "FunctionName", Value: "orders" }];

let t: TestSimulator;
let lambda: LambdaClient;
let cw: CloudWatchClient;
let startedAt: Date;

const invoke = (payload: unknown, functionName = "orders") => lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(payload) }));

async function stat(metric: string, statistic: Statistic | string, dimensions: Dimension[] = FN, namespace = "AWS/Lambda"): Promise<number | undefined> {
  const percentile = statistic.startsWith("p");
  const out = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: metric,
      Dimensions: dimensions,
      StartTime: new Date(startedAt.getTime() - 60_000),
      EndTime: new Date(Date.now() + 60_000),
      Period: 3600,
      ...(percentile ? { ExtendedStatistics: [statistic] } : { Statistics: [statistic as Statistic] }),
    }),
  );
  const points = out.Datapoints ?? [];
  if (points.length === 0) return undefined;
  return points.reduce((acc, p) => acc + Number(percentile ? p.ExtendedStatistics![statistic] : p[statistic as Statistic]), 0);
}

describe("CloudWatch metrics for Lambda and SQS", () => {
  beforeAll(async () => {
    startedAt = new Date();
    t = await startTestSimulator({
      functions: [
        { functionName: "orders", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 5, reservedConcurrency: 1 },
        { functionName: "async-fails", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 5 },
        // Its DeadLetterConfig names a queue that does not exist: the event cannot be sent there.
        { functionName: "async-dlq", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 5, deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:no-such-dlq" },
        { functionName: "aliased", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 5 },
      ],
      sources: [sqsSource, cloudwatchMetricsSource],
    });
    // One attempt: the SDK retries a 429 by default, and AWS counts every refused attempt.
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
    cw = new CloudWatchClient(t.clientConfig);
    const sqs = new SQSClient(t.clientConfig);
    await invoke({ id: 1 });
    await invoke({ id: 2, fail: true });
    // Reserved concurrency 1: a second call while the first one runs (it has logged) is refused.
    let running!: () => void;
    const started = new Promise<void>((r) => (running = r));
    const unsubscribe = t.sim.telemetry.subscribe((e) => {
      if (e.type === "function.log" && e.text.includes("order 3 accepted")) running();
    });
    const slow = invoke({ id: 3, sleepMs: 1500 });
    await started;
    unsubscribe();
    await expect(invoke({ id: 4 })).rejects.toThrow(TooManyRequestsException);
    await slow;
    // An async event that fails with no retries is dropped.
    // Its OnFailure destination is a queue that does not exist: the record cannot be delivered.
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "async-fails",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:missing" } },
      }),
    );
    await lambda.send(new InvokeCommand({ FunctionName: "async-fails", InvocationType: "Event", Payload: JSON.stringify({ id: 9, fail: true }) }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-dlq", MaximumRetryAttempts: 0 }));
    await lambda.send(new InvokeCommand({ FunctionName: "async-dlq", InvocationType: "Event", Payload: JSON.stringify({ id: 10, fail: true }) }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `job ${i}` }));
    sqs.destroy();
  }, 60_000);

  afterAll(async () => {
    lambda?.destroy();
    cw?.destroy();
    await t?.close();
  });

  it("counts invocations, errors and throttles per function, per resource and for the account", async () => {
    const invocations = await stat("Invocations", "Sum");
    expect(invocations).toBe(3);
    expect(await stat("Errors", "Sum")).toBe(1);
    expect(await stat("Throttles", "Sum")).toBe(1);
    expect(await stat("Invocations", "Sum", [...FN, { Name: "Resource", Value: "orders" }])).toBe(invocations);
    expect(await stat("Throttles", "Sum", [])).toBeGreaterThanOrEqual(1);
    // Exactly that dimension set: a metric with other dimensions does not answer.
    expect(await stat("Invocations", "Sum", [{ Name: "FunctionName", Value: "nope" }])).toBeUndefined();
  });

  it("reports Duration statistics with percentiles, and peak concurrency", async () => {
    expect(await stat("Duration", "Maximum")).toBeGreaterThanOrEqual(1500);
    expect(await stat("Duration", "p100")).toBe(await stat("Duration", "Maximum"));
    expect(await stat("Duration", "Minimum")).toBeLessThan(1500);
    expect(await stat("ConcurrentExecutions", "Maximum")).toBe(1);
    expect(await stat("UnreservedConcurrentExecutions", "Maximum", [])).toBeGreaterThanOrEqual(0);
  });

  it("counts an async event dropped after its retries, and its destination's failed delivery", async () => {
    const fn = [{ Name: "FunctionName", Value: "async-fails" }];
    await until(async () => (await stat("AsyncEventsDropped", "Sum", fn)) === 1);
    await until(async () => (await stat("DestinationDeliveryFailures", "Sum", fn)) === 1);
    expect(await stat("AsyncEventsReceived", "Sum", fn)).toBe(1);
    expect(await stat("AsyncEventAge", "SampleCount", fn)).toBe(1);
  });

  it("counts DeadLetterErrors when an async event's DLQ cannot take it", async () => {
    // DeadLetterErrors: for asynchronous invocation, each time Lambda fails to send an event to its DLQ
    // (docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html; aws-facts §5 "DLQ").
    const fn = [{ Name: "FunctionName", Value: "async-dlq" }];
    await until(async () => (await stat("DeadLetterErrors", "Sum", fn)) === 1);
    expect(await stat("DeadLetterErrors", "Sum", [...fn, { Name: "Resource", Value: "async-dlq" }])).toBe(1);
    // Not a destination's failure, and not the other function's.
    expect(await stat("DestinationDeliveryFailures", "Sum", fn)).toBeUndefined();
    expect(await stat("DeadLetterErrors", "Sum", [{ Name: "FunctionName", Value: "async-fails" }])).toBeUndefined();
  });

  it("counts an alias's invocations under the alias and, with ExecutedVersion, the version it ran; a version's under the version", async () => {
    // "ExecutedVersion ... only applies to alias invocations" (Lambda Developer Guide, "Viewing
    // metrics"); on AWS, ListMetrics shows them as Resource NAME:alias + ExecutedVersion (aws/aws-cdk#14248).
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "aliased" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "aliased", Name: "live", FunctionVersion: Version }));
    await invoke({ id: 20 }, "aliased:live");
    await invoke({ id: 21, fail: true }, "aliased:live");
    await invoke({ id: 22 }, `aliased:${Version}`);
    const fn = { Name: "FunctionName", Value: "aliased" };
    const live = [fn, { Name: "Resource", Value: "aliased:live" }];
    const ran = [...live, { Name: "ExecutedVersion", Value: Version! }];
    await until(async () => (await stat("Invocations", "Sum", [fn])) === 3);
    expect(await stat("Invocations", "Sum", live)).toBe(2);
    expect(await stat("Invocations", "Sum", ran)).toBe(2);
    expect(await stat("Errors", "Sum", ran)).toBe(1);
    expect(await stat("Duration", "SampleCount", ran)).toBe(2);
    // The version's own Resource counts only the call that named it.
    expect(await stat("Invocations", "Sum", [fn, { Name: "Resource", Value: `aliased:${Version}` }])).toBe(1);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: [fn, { Name: "ExecutedVersion" }] }));
    expect(listed.Metrics!.map((m) => m.Dimensions)).toEqual([expect.arrayContaining(ran)]);
  });

  it("has SQS's queue gauges", async () => {
    const q = [{ Name: "QueueName", Value: "jobs" }];
    expect(await stat("ApproximateNumberOfMessagesVisible", "Maximum", q, "AWS/SQS")).toBe(3);
    expect(await stat("ApproximateAgeOfOldestMessage", "Maximum", q, "AWS/SQS")).toBeGreaterThanOrEqual(0);
  });

  it("answers GetMetricData MetricStat queries and ListMetrics", async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(startedAt.getTime() - 60_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          { Id: "throttles", MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: "Throttles", Dimensions: FN }, Period: 60, Stat: "Sum" } },
          { Id: "p90", MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: "Duration", Dimensions: FN }, Period: 60, Stat: "p90" }, Label: "Duration p90" },
        ],
      }),
    );
    const [throttles, p90] = out.MetricDataResults!;
    expect(throttles!.StatusCode).toBe("Complete");
    expect(throttles!.Values!.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(throttles!.Timestamps![0]).toBeInstanceOf(Date);
    expect(p90!.Label).toBe("Duration p90");
    const metrics = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", MetricName: "Throttles", Dimensions: [{ Name: "FunctionName" }] }));
    expect(metrics.Metrics!.map((m) => m.Dimensions)).toContainEqual(FN);
  });

  it("refuses what AWS refuses, with its errors", async () => {
    const base = { Namespace: "AWS/Lambda", MetricName: "Invocations", StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(), Statistics: ["Sum" as const] };
    await expect(cw.send(new GetMetricStatisticsCommand({ ...base, Period: 61 }))).rejects.toThrow("The parameter Period must be a multiple of 60.");
    await expect(cw.send(new GetMetricStatisticsCommand({ ...base, Period: 1, StartTime: new Date(Date.now() - 86_400_000) }))).rejects.toThrow(/exceeds the limit of 1,440/);
    await expect(
      cw.send(new GetMetricDataCommand({ StartTime: base.StartTime, EndTime: base.EndTime, MetricDataQueries: [{ Id: "e1", Expression: "SUM(METRICS())" }] })),
    ).rejects.toThrow(InvalidParameterValueException);
  });

  it.skipIf(!hasAwsCli)(`Debian's aws cloudwatch get-metric-statistics shows the Throttles graph's data${hasAwsCli ? "" : " (skipped: no aws CLI here)"}`, async () => {
    const env = awsClientEnv();
    const { stdout } = await run(
      AWS,
      [
        "cloudwatch", "get-metric-statistics", "--endpoint-url", t.endpoint, "--output", "json",
        "--namespace", "AWS/Lambda", "--metric-name", "Throttles", "--dimensions", "Name=FunctionName,Value=orders",
        "--statistics", "Sum", "Maximum", "--period", "60",
        "--start-time", new Date(startedAt.getTime() - 60_000).toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(),
      ],
      { env, timeout: 60_000 },
    );
    const out = JSON.parse(stdout) as { Label: string; Datapoints: { Sum: number; Maximum: number; Unit: string; Timestamp: string }[] };
    expect(out.Label).toBe("Throttles");
    expect(out.Datapoints.reduce((a, p) => a + p.Sum, 0)).toBeGreaterThanOrEqual(1);
    expect(out.Datapoints[0]!.Unit).toBe("Count");
    expect(Date.parse(out.Datapoints[0]!.Timestamp)).toBeGreaterThan(0);
  }, 90_000);
});

describe("CloudWatch metrics on service time", () => {
  it("samples SQS's gauges each minute of the Clock, and periods follow it", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const v = await startTestSimulator({ clock, sources: [sqsSource, cloudwatchMetricsSource] });
    const sqs = new SQSClient(v.clientConfig);
    const client = new CloudWatchClient(v.clientConfig);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "backlog" }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "old" }));
      await clock.advanceBy(5 * 60_000);
      const q = [{ Name: "QueueName", Value: "backlog" }];
      const perMinute = await client.send(
        new GetMetricStatisticsCommand({ Namespace: "AWS/SQS", MetricName: "ApproximateAgeOfOldestMessage", Dimensions: q, StartTime: new Date(Date.UTC(2026, 0, 1)), EndTime: new Date(clock.now()), Period: 60, Statistics: ["Maximum"] }),
      );
      expect(perMinute.Datapoints!.map((d) => [d.Timestamp!.toISOString(), d.Maximum, d.Unit])).toEqual([
        ["2026-01-01T00:01:00.000Z", 60, "Seconds"],
        ["2026-01-01T00:02:00.000Z", 120, "Seconds"],
        ["2026-01-01T00:03:00.000Z", 180, "Seconds"],
        ["2026-01-01T00:04:00.000Z", 240, "Seconds"],
      ]);
      const fiveMinutes = await client.send(
        new GetMetricStatisticsCommand({ Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: q, StartTime: new Date(Date.UTC(2026, 0, 1)), EndTime: new Date(clock.now() + 1), Period: 300, Statistics: ["SampleCount", "Average"] }),
      );
      expect(fiveMinutes.Datapoints!.map((d) => [d.Timestamp!.toISOString(), d.SampleCount, d.Average])).toEqual([["2026-01-01T00:00:00.000Z", 4, 1], ["2026-01-01T00:05:00.000Z", 1, 1]]);
    } finally {
      sqs.destroy();
      client.destroy();
      await v.close();
    }
  });
});

describe("SQS publishes metrics only for active queues", () => {
  // SQS developer guide, "Monitoring Amazon SQS queues using CloudWatch": a queue is active for up
  // to six hours if it contains any messages or if any action accesses it.
  it("an idle queue's gauges stop six hours after its last call, a queue holding messages keeps publishing, and a call wakes the idle one", async () => {
    const t0 = Date.UTC(2026, 0, 1);
    const clock = new VirtualClock(t0);
    const v = await startTestSimulator({ clock, sources: [sqsSource, cloudwatchMetricsSource] });
    const sqs = new SQSClient(v.clientConfig);
    const client = new CloudWatchClient(v.clientConfig);
    const hourly = async (queue: string) =>
      (
        await client.send(
          new GetMetricStatisticsCommand({
            Namespace: "AWS/SQS",
            MetricName: "ApproximateNumberOfMessagesVisible",
            Dimensions: [{ Name: "QueueName", Value: queue }],
            StartTime: new Date(t0),
            EndTime: new Date(clock.now() + 3_600_000),
            Period: 3600,
            Statistics: ["SampleCount", "Maximum"],
          }),
        )
      ).Datapoints!.map((d) => [d.Timestamp!.toISOString().slice(11, 16), d.SampleCount, d.Maximum]);
    try {
      const idle = (await sqs.send(new CreateQueueCommand({ QueueName: "idle" }))).QueueUrl!;
      const { QueueUrl: busy } = await sqs.send(new CreateQueueCommand({ QueueName: "busy" }));
      await sqs.send(new SendMessageCommand({ QueueUrl: busy, MessageBody: "waiting" }));
      await clock.advanceBy(10 * 3_600_000);
      // Sampled at each minute's start from 00:01; the last at 06:00, six hours after CreateQueue.
      expect(await hourly("idle")).toEqual([["00:00", 59, 0], ["01:00", 60, 0], ["02:00", 60, 0], ["03:00", 60, 0], ["04:00", 60, 0], ["05:00", 60, 0], ["06:00", 1, 0]]);
      const busyHours = await hourly("busy");
      expect(busyHours).toHaveLength(11); // 00:00 to 10:00 (the read samples the current minute)
      expect(busyHours.at(-2)).toEqual(["09:00", 60, 1]);
      // Any action accesses it: GetQueueAttributes wakes the idle queue's metrics.
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: idle, AttributeNames: ["All"] }));
      await clock.advanceBy(5 * 60_000);
      expect((await hourly("idle")).at(-1)).toEqual(["10:00", 5, 0]); // 10:01 to 10:05
    } finally {
      sqs.destroy();
      client.destroy();
      await v.close();
    }
  });
});

describe("IteratorAge", () => {
  it("is published for each batch a stream mapping hands to its function", async () => {
    const k = await startTestSimulator({
      functions: [{ functionName: "clicks", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 5 }],
      sources: [kinesisSource, cloudwatchMetricsSource],
    });
    const kinesis = new KinesisClient(k.clientConfig);
    const client = new CloudWatchClient(k.clientConfig);
    const functions = new LambdaClient(k.clientConfig);
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
      await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "k", Data: Buffer.from('{"id":1}') }));
      await functions.send(new CreateEventSourceMappingCommand({ FunctionName: "clicks", EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", StartingPosition: "TRIM_HORIZON" }));
      const age = () =>
        client.send(
          new GetMetricStatisticsCommand({
            Namespace: "AWS/Lambda",
            MetricName: "IteratorAge",
            Dimensions: [{ Name: "FunctionName", Value: "clicks" }],
            StartTime: new Date(Date.now() - 600_000),
            EndTime: new Date(Date.now() + 60_000),
            Period: 3600,
            Statistics: ["SampleCount", "Maximum"],
          }),
        );
      await until(async () => ((await age()).Datapoints ?? []).length > 0, 30_000);
      const [point] = (await age()).Datapoints!;
      expect(point!.SampleCount).toBeGreaterThanOrEqual(1);
      expect(point!.Maximum).toBeGreaterThanOrEqual(0);
      expect(point!.Unit).toBe("Milliseconds");
    } finally {
      kinesis.destroy();
      client.destroy();
      functions.destroy();
      await k.close();
    }
  }, 60_000);
});
