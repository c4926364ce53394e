import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, InvalidParameterValueException, InvokeCommand, LambdaClient, ResourceConflictException, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";
import { sqsArn as arn, startSqsEsm } from "./support/sqs-esm-harness.ts";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
let t: TestSimulator | undefined;
let lambda: LambdaClient;
let sqs: SQSClient;


async function start(functions: FunctionDefinition[], timeScale = 1) {
  ({ t, lambda, sqs } = await startSqsEsm(functions, timeScale));
}


async function count(url: string): Promise<{ visible: number; inflight: number }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes!;
  return { visible: Number(a.ApproximateNumberOfMessages), inflight: Number(a.ApproximateNumberOfMessagesNotVisible) };
}

const recorder = { runtime: "nodejs24.x", handler: "index.sqsRecorder", codeDir, timeout: 3 } as const;

describe("SQS event source mapping", () => {
  it("delivers a batch as AWS's event and deletes it after success", async () => {
    await start([{ functionName: "consumer", ...recorder }]);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "in" }))).QueueUrl!;
    const logs = new TelemetryRecorder(t!.sim.telemetry);
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: arn("in"), BatchSize: 10 }));
    expect(created).toMatchObject({ State: "Creating", BatchSize: 10, MaximumBatchingWindowInSeconds: 0, EventSourceArn: arn("in"), StateTransitionReason: "USER_INITIATED" });
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State).toBe("Enabled");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "hello", MessageAttributes: { Author: { DataType: "String", StringValue: "John" } } }));
    await until(async () => logs.of("function.log").some((e) => e.text.includes("EVENT ")));
    await until(async () => (await count(url)).inflight === 0 && (await count(url)).visible === 0);
    const line = logs.of("function.log").find((e) => e.text.includes("EVENT "))!.text;
    const event = JSON.parse(line.slice(line.indexOf("EVENT ") + 6).split("\n")[0]!);
    const r = event.Records[0];
    expect(Object.keys(r)).toEqual(["messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfMessageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"]);
    expect(r).toMatchObject({ body: "hello", eventSource: "aws:sqs", eventSourceARN: arn("in"), awsRegion: "us-east-1", md5OfBody: "5d41402abc4b2a76b9719d911017c592" });
    expect(r.attributes).toMatchObject({ ApproximateReceiveCount: "1" });
    expect(r.messageAttributes).toEqual({ Author: { stringValue: "John", stringListValues: [], binaryListValues: [], dataType: "String" } });
    logs.dispose();
  });

  it("keeps only the failed records of a partial batch response, and redrives them to the DLQ", async () => {
    await start([{ functionName: "partial", ...recorder }], 100);
    await sqs.send(new CreateQueueCommand({ QueueName: "partial-dlq" }));
    const url = (
      await sqs.send(new CreateQueueCommand({ QueueName: "partial-in", Attributes: { VisibilityTimeout: "60", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("partial-dlq"), maxReceiveCount: 2 }) } }))
    ).QueueUrl!;
    for (const body of ["ok1", "fail", "ok2"]) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    // Handlers run in wall time: a warm environment keeps each invocation far inside the 0.6 s
    // (60 s at 100x) visibility timeout, where a cold start on a loaded machine may not.
    await lambda.send(new InvokeCommand({ FunctionName: "partial", Payload: '{"Records":[]}' }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "partial", EventSourceArn: arn("partial-in"), FunctionResponseTypes: ["ReportBatchItemFailures"] }));
    const dlq = `${t!.endpoint}/000000000000/partial-dlq`;
    await until(async () => (await count(dlq)).visible === 1);
    expect(await count(url)).toEqual({ visible: 0, inflight: 0 });
    const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq }));
    expect(moved.Messages?.[0]?.Body).toBe("fail");
  });

  it("with reserved concurrency 0, throttled messages wait out their visibility timeout and drain into the DLQ", async () => {
    await start([{ functionName: "blocked", ...recorder, reservedConcurrency: 0 }], 200);
    await sqs.send(new CreateQueueCommand({ QueueName: "blocked-dlq" }));
    const url = (
      await sqs.send(new CreateQueueCommand({ QueueName: "blocked-in", Attributes: { VisibilityTimeout: "10", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("blocked-dlq"), maxReceiveCount: 3 }) } }))
    ).QueueUrl!;
    const throttles = new TelemetryRecorder(t!.sim.telemetry);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "never runs" }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "blocked", EventSourceArn: arn("blocked-in") }));
    await until(async () => (await count(`${t!.endpoint}/000000000000/blocked-dlq`)).visible === 1);
    expect(throttles.of("invocation.throttled").length).toBeGreaterThanOrEqual(3);
    expect(throttles.of("invocation.finished")).toHaveLength(0);
    throttles.dispose();
  });

  it("refuses what AWS refuses", async () => {
    await start([{ functionName: "slow", ...recorder, timeout: 60 }, { functionName: "quick", ...recorder }]);
    await sqs.send(new CreateQueueCommand({ QueueName: "q" }));
    const tooSlow = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "slow", EventSourceArn: arn("q") })).catch((e: unknown) => e);
    expect(tooSlow).toBeInstanceOf(InvalidParameterValueException);
    expect((tooSlow as Error).message).toBe("Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds");
    const noWindow = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "quick", EventSourceArn: arn("q"), BatchSize: 50 })).catch((e: unknown) => e);
    expect((noWindow as Error).message).toBe("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    const first = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "quick", EventSourceArn: arn("q") }));
    const dup = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "quick", EventSourceArn: arn("q") })).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ResourceConflictException);
    expect((dup as Error).message).toContain(`Please update or delete the existing mapping with UUID ${first.UUID}`);
  });

  it("refuses the stream-only parameters (an OnFailure destination, retries, bisection) on an SQS mapping, on create and on update", async () => {
    await start([{ functionName: "quick", ...recorder }]);
    await sqs.send(new CreateQueueCommand({ QueueName: "q" }));
    await sqs.send(new CreateQueueCommand({ QueueName: "failed" }));
    const withDestination = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "quick", EventSourceArn: arn("q"), DestinationConfig: { OnFailure: { Destination: arn("failed") } } })).catch((e: unknown) => e);
    expect(withDestination).toBeInstanceOf(InvalidParameterValueException);
    expect((withDestination as Error).message).toBe("Unsupported DestinationConfig parameter for given event source mapping type.");
    for (const extra of [{ StartingPosition: "LATEST" as const }, { MaximumRetryAttempts: 2 }, { BisectBatchOnFunctionError: true }, { ParallelizationFactor: 2 }, { TumblingWindowInSeconds: 10 }, { MaximumRecordAgeInSeconds: 60 }]) {
      const refused = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "quick", EventSourceArn: arn("q"), ...extra })).catch((e: unknown) => e);
      expect(refused, JSON.stringify(extra)).toBeInstanceOf(InvalidParameterValueException);
    }
    // A source lambda-sim does not serve is refused as one, whatever its parameters (the ARN decides the mapping's kind first).
    const unserved = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "quick", EventSourceArn: "arn:aws:s3:::bucket", StartingPosition: "LATEST" })).catch((e: unknown) => e);
    expect((unserved as Error).message).toBe("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, or documentdb.");
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "quick", EventSourceArn: arn("q") }));
    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID, DestinationConfig: { OnFailure: { Destination: arn("failed") } } })).catch((e: unknown) => e);
    expect(updated).toBeInstanceOf(InvalidParameterValueException);
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).DestinationConfig?.OnFailure?.Destination).toBeUndefined();
  });
});

describe("event source mappings declared in lambda-sim.yaml", () => {
  it("are created at start with sqs:NAME resolved, and updated (not duplicated) on the next start", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { toMappingInput } = await import("@lambda-sim/core");
    const { ListEventSourceMappingsCommand } = await import("@aws-sdk/client-lambda");
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-esm-config-"));
    try {
      const options = (batchSize: number) => ({
        stateDir,
        functions: [{ functionName: "declared", ...recorder }],
        sources: [sqsSource],
        sourceConfig: { queues: { declared: {} } },
        eventSourceMappings: [toMappingInput({ functionName: "declared", eventSourceArn: "sqs:declared", batchSize }, "us-east-1", "000000000000")],
      });
      t = await startTestSimulator(options(5));
      lambda = new LambdaClient(t.clientConfig);
      sqs = new SQSClient(t.clientConfig);
      const logs = new TelemetryRecorder(t.sim.telemetry);
      await sqs.send(new SendMessageCommand({ QueueUrl: `${t.endpoint}/000000000000/declared`, MessageBody: "from config" }));
      await until(async () => logs.of("function.log").some((e) => e.text.includes("from config")));
      await t.close();
      lambda.destroy();
      t = await startTestSimulator(options(7));
      lambda = new LambdaClient(t.clientConfig);
      const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "declared" }));
      expect(listed.EventSourceMappings?.map((m) => [m.EventSourceArn, m.BatchSize])).toEqual([[arn("declared"), 7]]);
    } finally {
      await t?.close();
      t = undefined;
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
