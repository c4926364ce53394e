import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";

// Asynchronous invocation end to end (issue 5): a real server on a --time-scale clock, real Node
// functions, the AWS SDK; records read back from SQS queues.

const codeDir = fileURLToPath(new URL("./fixtures/functions/async/", import.meta.url));
const fails = { runtime: "nodejs24.x", handler: "index.alwaysFails", codeDir, timeout: 3 } as const;
const succeeds = { runtime: "nodejs24.x", handler: "index.succeeds", codeDir, timeout: 3 } as const;
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

let t: TestSimulator | undefined;
let lambda: LambdaClient;
let sqs: SQSClient;
let events: TelemetryRecorder;

afterEach(async () => {
  lambda?.destroy();
  sqs?.destroy();
  events?.dispose();
  await t?.close();
  t = undefined;
});

async function start(functions: FunctionDefinition[], timeScale: number, queues: string[]) {
  t = await startTestSimulator({ functions, sources: [sqsSource], timeScale });
  events = new TelemetryRecorder(t.sim.telemetry);
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  sqs = new SQSClient(t.clientConfig);
  for (const q of queues) await sqs.send(new CreateQueueCommand({ QueueName: q }));
}

/** Waits (wall time) for one message in `queue`; the service clock runs `timeScale`× faster. */
async function nextMessage(queue: string, ms = 15_000): Promise<Message> {
  const end = Date.now() + ms;
  const QueueUrl = `${t!.endpoint}/000000000000/${queue}`;
  while (Date.now() < end) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, MessageAttributeNames: ["All"] }));
    if (got.Messages?.length) return got.Messages[0]!;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no message in ${queue} after ${ms} ms; telemetry: ${JSON.stringify(events.events.filter((e) => e.type.startsWith("async.")))}`);
}

async function invokeEvent(functionName: string, payload: unknown): Promise<number | undefined> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload)) }));
  return out.StatusCode;
}

describe("asynchronous invocation", () => {
  it("retries an always-failing function twice, 1 and 2 minutes apart, with one request id, then records OnFailure", async () => {
    // 120×: the 1- and 2-minute delays take 0.5 and 1 wall seconds.
    await start([{ functionName: "flaky", ...fails }], 120, ["failed"]);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "flaky", DestinationConfig: { OnFailure: { Destination: queueArn("failed") } } }));
    expect(await invokeEvent("flaky", { order: 7 })).toBe(202);
    const record = JSON.parse((await nextMessage("failed")).Body!);

    const finished = events.of("invocation.finished");
    expect(finished).toHaveLength(3);
    const requestId = finished[0]!.requestId;
    expect(finished.every((f) => f.requestId === requestId && f.status === "error")).toBe(true);
    const scheduled = events.of("async.retry.scheduled");
    expect(scheduled.map((s) => s.consumesAttempt)).toEqual([true, true]);
    // Documented delays plus at most 10% jitter (service time).
    expect(scheduled[0]!.delayMs).toBeGreaterThanOrEqual(60_000);
    expect(scheduled[0]!.delayMs).toBeLessThanOrEqual(66_000);
    expect(scheduled[1]!.delayMs).toBeGreaterThanOrEqual(120_000);
    expect(scheduled[1]!.delayMs).toBeLessThanOrEqual(132_000);
    // Each retry started when it was due (a 250 ms wall slack is 30 s of service time here).
    const started = events.of("async.attempt.started");
    expect(started.map((s) => s.attempt)).toEqual([1, 2, 3]);
    for (const i of [0, 1]) {
      expect(started[i + 1]!.time).toBeGreaterThanOrEqual(scheduled[i]!.at);
      expect(started[i + 1]!.time - scheduled[i]!.at).toBeLessThan(30_000);
    }
    expect(events.of("async.given-up")).toMatchObject([{ requestId, condition: "RetriesExhausted", approximateInvokeCount: 3 }]);

    expect(Object.keys(record)).toEqual(["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"]);
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: { requestId, functionArn: `${ARN}:flaky:$LATEST`, condition: "RetriesExhausted", approximateInvokeCount: 3 },
      requestPayload: { order: 7 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: "Error", errorMessage: 'always fails: {"order":7}' },
    });
    expect(record.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(events.of("async.delivered")).toMatchObject([{ requestId, destination: "OnFailure", targetArn: queueArn("failed") }]);
  });

  it("records a success to OnSuccess, without functionError", async () => {
    await start([{ functionName: "fine", ...succeeds, eventInvokeConfig: { onSuccess: "sqs:done" } }], 600, ["done"]);
    expect(await invokeEvent("fine", { n: 1 })).toBe(202);
    const record = JSON.parse((await nextMessage("done")).Body!);
    expect(record.requestContext).toMatchObject({ functionArn: `${ARN}:fine:$LATEST`, condition: "Success", approximateInvokeCount: 1 });
    expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: "$LATEST" });
    expect(record.responsePayload).toEqual({ ok: true, got: { n: 1 } });
    expect(events.of("async.attempt.failed")).toEqual([]);
  });

  it("delivers to a Lambda destination as an Event invocation whose payload is the record", async () => {
    await start(
      [
        { functionName: "first", ...succeeds, eventInvokeConfig: { onSuccess: "lambda:second" } },
        { functionName: "second", ...succeeds, eventInvokeConfig: { onSuccess: "sqs:out" } },
      ],
      600,
      ["out"],
    );
    await invokeEvent("first", { step: 1 });
    const outer = JSON.parse((await nextMessage("out")).Body!);
    expect(outer.requestContext.functionArn).toBe(`${ARN}:second:$LATEST`);
    // second's request payload is first's invocation record.
    expect(outer.requestPayload).toMatchObject({ version: "1.0", requestContext: { functionArn: `${ARN}:first:$LATEST`, condition: "Success" }, requestPayload: { step: 1 } });
    expect(outer.responsePayload.got).toEqual(outer.requestPayload);
  });

  it("MaximumRetryAttempts 0: one attempt, then the DLQ gets the original event with RequestID, ErrorCode and ErrorMessage", async () => {
    await start([{ functionName: "once", ...fails, deadLetterTargetArn: "sqs:dlq", eventInvokeConfig: { maximumRetryAttempts: 0, onFailure: "sqs:failed" } }], 600, ["dlq", "failed"]);
    expect(await invokeEvent("once", { id: "a" })).toBe(202);
    const dead = await nextMessage("dlq");
    const record = JSON.parse((await nextMessage("failed")).Body!);
    const requestId = events.of("invocation.finished")[0]!.requestId;
    expect(dead.Body).toBe('{"id":"a"}');
    expect(dead.MessageAttributes).toEqual({
      RequestID: { DataType: "String", StringValue: requestId },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: 'always fails: {"id":"a"}' },
    });
    expect(record.requestContext).toMatchObject({ requestId, condition: "RetriesExhausted", approximateInvokeCount: 1 });
    expect(events.of("invocation.finished")).toHaveLength(1);
    expect(events.of("async.retry.scheduled")).toEqual([]);
  });

  it("MaximumEventAgeInSeconds 60: gives up after the first failure with EventAgeExceeded", async () => {
    await start([{ functionName: "young", ...fails }], 600, ["failed"]);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "young", MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: queueArn("failed") } } }));
    await invokeEvent("young", {});
    const record = JSON.parse((await nextMessage("failed")).Body!);
    expect(record.requestContext).toMatchObject({ condition: "EventAgeExceeded", approximateInvokeCount: 1 });
    // The last attempt's response is kept (aws-facts §5).
    expect(record.responseContext).toMatchObject({ statusCode: 200, functionError: "Unhandled" });
    expect(events.of("invocation.finished")).toHaveLength(1);
  });

  it("reserved concurrency 0: the event goes straight to OnFailure without running", async () => {
    await start([{ functionName: "off", ...succeeds, eventInvokeConfig: { onFailure: "sqs:failed" } }], 600, ["failed"]);
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "off", ReservedConcurrentExecutions: 0 }));
    expect(await invokeEvent("off", { x: 1 })).toBe(202);
    const record = JSON.parse((await nextMessage("failed")).Body!);
    expect(record.requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 0 });
    expect(record.requestPayload).toEqual({ x: 1 });
    expect(events.of("invocation.finished")).toEqual([]);
    expect(events.of("async.attempt.failed")).toMatchObject([{ outcome: { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", reservedConcurrency: 0 } }]);
  });

  it("reports a destination it cannot deliver to in telemetry", async () => {
    await start([{ functionName: "lost", ...succeeds, eventInvokeConfig: { onSuccess: "sqs:missing" } }], 600, []);
    await invokeEvent("lost", {});
    const end = Date.now() + 10_000;
    while (events.of("async.delivery-failed").length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(events.of("async.delivery-failed")).toMatchObject([{ destination: "OnSuccess", targetArn: queueArn("missing"), error: expect.stringContaining("does not exist") }]);
  });
});
