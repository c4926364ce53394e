import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateAliasCommand, CreateEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient, PublishVersionCommand, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";

/**
 * A stream mapping runs the version or alias its FunctionName names ($LATEST when unqualified),
 * its FunctionArn says which, and its OnFailure record's responseContext names the version that
 * ran; a delivery-failure fault scoped with `qualifier` picks those records as it picks invocations.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
const FN_ARN = "arn:aws:lambda:us-east-1:000000000000:function:clicks";
const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

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

async function start() {
  t = await startTestSimulator({ functions: [{ functionName: "clicks", runtime: "nodejs24.x", handler: "index.recorder", codeDir, timeout: 3 }], sources: [sqsSource, kinesisSource], timeScale: 100 });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  kinesis = new KinesisClient(t.clientConfig);
  sqs = new SQSClient(t.clientConfig);
  logs = new TelemetryRecorder(t.sim.telemetry);
  await sqs.send(new CreateQueueCommand({ QueueName: "failed" }));
  await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
}

async function addFault(body: unknown): Promise<void> {
  const res = await fetch(`${t!.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

async function faultCounts(): Promise<{ matched: number; fired: number }[]> {
  return ((await (await fetch(`${t!.endpoint}/_sim/faults`)).json()) as { faults: { matched: number; fired: number }[] }).faults;
}

/** A mapping of `functionName` that gives a poison record up at once to the `failed` queue. */
async function failingMapping(functionName: string): Promise<string> {
  const m = await lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn("clicks"), StartingPosition: "TRIM_HORIZON", MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: queueArn("failed") } } }),
  );
  await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "u", Data: Buffer.from("poison") }));
  return m.UUID!;
}

async function onFailureRecord(): Promise<any> {
  let body: string | undefined;
  await until(async () => {
    body = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${t!.endpoint}/000000000000/failed`, WaitTimeSeconds: 0 }))).Messages?.[0]?.Body;
    return body !== undefined;
  });
  return JSON.parse(body!);
}

describe("a stream mapping's function version", () => {
  it("unqualified, runs $LATEST: a delivery-failure fault scoped to $LATEST fails its OnFailure record", async () => {
    await start();
    await addFault({ kind: "delivery-failure", function: "clicks", qualifier: "$LATEST", target: "sqs:failed" });
    await failingMapping("clicks");
    await until(() => logs!.of("simulator.warning").some((w) => w.message.includes("could not deliver 1 record(s) of shardId-000000000000")));
    expect(logs!.of("simulator.warning").map((w) => w.message)).toContainEqual(expect.stringContaining("injected delivery failure"));
    expect(await faultCounts()).toMatchObject([{ matched: 1, fired: 1 }]);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${t!.endpoint}/000000000000/failed`, WaitTimeSeconds: 0 }))).Messages).toBeUndefined();
  });

  it("on a version, runs that version, says so in FunctionArn and in the record's executedVersion; a $LATEST fault leaves it alone", async () => {
    await start();
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "clicks" }));
    expect(Version).toBe("1");
    await addFault({ kind: "delivery-failure", function: "clicks", qualifier: "$LATEST", target: "sqs:failed" });
    const uuid = await failingMapping(`${FN_ARN}:1`);
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).FunctionArn).toBe(`${FN_ARN}:1`);
    const record = await onFailureRecord();
    // The function ARN of the record stays unqualified (aws-facts §8.2).
    expect(record).toMatchObject({ requestContext: { functionArn: FN_ARN, condition: "RetryAttemptsExhausted" }, responseContext: { statusCode: 200, executedVersion: "1", functionError: "Unhandled" } });
    expect(await faultCounts()).toMatchObject([{ matched: 0, fired: 0 }]);
    expect(logs!.of("invocation.finished").map((e) => e.version)).toEqual(["1"]);
  });

  it("on an alias, runs the alias's version: a fault scoped to the alias fails its records", async () => {
    await start();
    await lambda.send(new PublishVersionCommand({ FunctionName: "clicks" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "clicks", Name: "live", FunctionVersion: "1" }));
    await addFault({ kind: "delivery-failure", function: "clicks", qualifier: "live", target: "sqs:failed" });
    const uuid = await failingMapping("clicks:live");
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).FunctionArn).toBe(`${FN_ARN}:live`);
    await until(async () => (await faultCounts())[0]!.fired === 1);
    expect(logs!.of("invocation.finished").map((e) => e.version)).toEqual(["1"]);
  });

  it("refuses a version or alias the function does not have, as AWS does", async () => {
    await start();
    const refused = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "clicks:nope", EventSourceArn: streamArn("clicks"), StartingPosition: "LATEST" })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ResourceNotFoundException);
    expect((refused as Error).message).toBe(`Function not found: ${FN_ARN}:nope`);
  });
});
