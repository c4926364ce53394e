import { afterEach, describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, InvalidParameterValueException, LambdaClient, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { cloudwatchMetricsSource, sqsSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";

/**
 * Where a user sees the messages a throttled SQS mapping handed back to its queue (issue 15: five
 * messages went to the DLQ and nothing said they never reached the function). AWS's
 * GetEventSourceMapping has no field for it; AWS shows it in CloudWatch, in the mapping's
 * EventCount metrics when MetricsConfig asks for them (dimension EventSourceMappingUUID) and in
 * the function's Throttles. lambda-sim shows the same there, and counts them in /_sim/state.
 */
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** A function that is always throttled (reserved concurrency 0), a queue of 3 messages, and clients. */
async function throttledQueue() {
  t = await sims.start({
    functions: [{ functionName: "blocked", runtime: "model", handler: "x", codeDir: process.cwd(), memorySize: 128, timeout: 3, reservedConcurrency: 0, model: { durationMs: 5, coldStartMs: 5, errorProbability: 0, timeoutProbability: 0 } }],
    sources: [sqsSource, cloudwatchMetricsSource],
    timeScale: 100,
  });
  const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  const sqs = new SQSClient(t.clientConfig);
  const cw = new CloudWatchClient(t.clientConfig);
  clients.push(lambda, sqs, cw);
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: "jobs", Attributes: { VisibilityTimeout: "30" } }))).QueueUrl!;
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `job ${i}` })) }));
  return { lambda, cw, endpoint: t.endpoint };
}

async function sum(cw: CloudWatchClient, metric: string, uuid: string): Promise<number | undefined> {
  const r = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: "AWS/Lambda",
      MetricName: metric,
      Dimensions: [{ Name: "EventSourceMappingUUID", Value: uuid }],
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 3_600_000 * 48),
      Period: 86_400,
      Statistics: ["Sum"],
    }),
  );
  return r.Datapoints?.[0]?.Sum;
}

interface StateMapping {
  uuid: string;
  events: { polled: number; invoked: number; throttled: number; failed: number };
}

describe("a throttled SQS mapping", () => {
  it("shows the messages it returned to the queue in its EventCount metrics (MetricsConfig) and in /_sim/state", { timeout: 60_000 }, async () => {
    const { lambda, cw, endpoint } = await throttledQueue();
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "blocked", EventSourceArn: arn("jobs"), BatchSize: 10, MetricsConfig: { Metrics: ["EventCount"] } }));
    const uuid = created.UUID!;
    expect(created.MetricsConfig).toEqual({ Metrics: ["EventCount"] });
    // GetEventSourceMapping: the configuration as AWS returns it, and nothing AWS does not have.
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    expect(got.MetricsConfig).toEqual({ Metrics: ["EventCount"] });

    const state = async () => ((await (await fetch(`${endpoint}/_sim/state`)).json()) as { mappings: StateMapping[] }).mappings.find((m) => m.uuid === uuid)!;
    await until(async () => (await state()).events.throttled >= 3, 30_000);
    const s = await state();
    expect(s.events.invoked).toBe(0);
    expect(s.events.polled).toBe(s.events.throttled);

    // What a user opens on AWS: the mapping's metrics, by its UUID.
    await until(async () => ((await sum(cw, "PolledEventCount", uuid)) ?? 0) >= 3, 30_000);
    expect(await sum(cw, "FailedInvokeEventCount", uuid)).toBeGreaterThanOrEqual(3);
    expect(await sum(cw, "InvokedEventCount", uuid)).toBe(0);
    expect(await sum(cw, "DeletedEventCount", uuid)).toBe(0);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", Dimensions: [{ Name: "EventSourceMappingUUID", Value: uuid }] }));
    expect(new Set(listed.Metrics?.map((m) => m.MetricName))).toEqual(new Set(["PolledEventCount", "InvokedEventCount", "FailedInvokeEventCount", "DeletedEventCount"]));
  });

  it("publishes no EventCount metrics without MetricsConfig (opt-in, as on AWS), and takes only EventCount", { timeout: 60_000 }, async () => {
    const { lambda, cw, endpoint } = await throttledQueue();
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "blocked", EventSourceArn: arn("jobs"), BatchSize: 10 }));
    const uuid = created.UUID!;
    expect(created.MetricsConfig).toBeUndefined();
    await until(async () => ((await (await fetch(`${endpoint}/_sim/state`)).json()) as { mappings: StateMapping[] }).mappings[0]!.events.throttled >= 3, 30_000);
    expect(await sum(cw, "PolledEventCount", uuid)).toBeUndefined();
    // Kafka's metrics are refused for an SQS mapping; an empty list turns EventCount off again.
    await expect(lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, MetricsConfig: { Metrics: ["KafkaMetrics"] } }))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, MetricsConfig: { Metrics: ["EventCount"] } }));
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).MetricsConfig).toEqual({ Metrics: ["EventCount"] });
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, MetricsConfig: { Metrics: [] } }));
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).MetricsConfig).toBeUndefined();
  });
});
