import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { sqsArn as arn, startSqsEsm } from "./support/sqs-esm-harness.ts";
import { until } from "./support/until.ts";

/**
 * The classic SQS + Lambda trap (aws-facts §4 "What each caller sees when throttled", §6 Backoff):
 * the mapping polls with 5 lanes whatever the function's reserved concurrency, so with reserved
 * concurrency 2 the extra batches are throttled, stay in flight until their visibility timeout,
 * and each receive counts towards maxReceiveCount: messages the function never failed end in the
 * DLQ. ScalingConfig.MaximumConcurrency at or below the reserved concurrency is AWS's answer.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/sqs-consumers/", import.meta.url));
const TOTAL = 30;
let t: TestSimulator | undefined;
let lambda: LambdaClient;
let sqs: SQSClient;


async function visible(name: string): Promise<{ visible: number; inflight: number }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${t!.endpoint}/000000000000/${name}`, AttributeNames: ["All"] }))).Attributes!;
  return { visible: Number(a.ApproximateNumberOfMessages), inflight: Number(a.ApproximateNumberOfMessagesNotVisible) };
}

/** A queue of TOTAL messages (visibility 60 s, maxReceiveCount 2) and a 100 ms consumer with reserved concurrency 2. */
async function scenario(scalingConfig: { MaximumConcurrency: number } | undefined) {
  // 100x: the 60 s visibility timeout lasts 0.6 s of wall time; handlers run in wall time.
  ({ t, lambda, sqs } = await startSqsEsm([{ functionName: "slow", runtime: "nodejs24.x", handler: "index.slow", codeDir, timeout: 3, reservedConcurrency: 2 }], 100));
  await sqs.send(new CreateQueueCommand({ QueueName: "work-dlq" }));
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn("work-dlq"), maxReceiveCount: 2 });
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: "work", Attributes: { VisibilityTimeout: "60", RedrivePolicy } }))).QueueUrl!;
  for (let i = 0; i < TOTAL; i += 10) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `job ${i + j}` })) }));
  }
  // Two warm environments, so that cold starts do not eat into the visibility timeout.
  await Promise.all([1, 2].map(() => lambda.send(new InvokeCommand({ FunctionName: "slow", Payload: '{"Records":[]}' }))));
  const logs = new TelemetryRecorder(t.sim.telemetry);
  await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "slow", EventSourceArn: arn("work"), BatchSize: 1, ScalingConfig: scalingConfig }));
  // Done when the queue is empty: every message was deleted after processing or moved to the DLQ.
  await until(async () => {
    const work = await visible("work");
    return work.visible === 0 && work.inflight === 0;
  });
  // Distinct bodies: on a loaded machine a slow invocation may outlive the visibility timeout and
  // its message be processed twice (at least once, as on AWS).
  const bodies = logs.of("function.log").flatMap((e) => (e.text.includes("DONE ") ? (JSON.parse(e.text.slice(e.text.indexOf("DONE ") + 5).split("\n")[0]!) as string[]) : []));
  const result = {
    processed: new Set(bodies).size,
    dlq: (await visible("work-dlq")).visible,
    throttles: logs.of("invocation.throttled").length,
    functionErrors: logs.of("invocation.finished").filter((e) => e.status !== "success").length,
  };
  logs.dispose();
  return result;
}

describe("SQS mapping against low reserved concurrency (aws-facts §6)", () => {
  it("without MaximumConcurrency, throttled messages the function never failed drain into the DLQ", async () => {
    const r = await scenario(undefined);
    expect(r.throttles).toBeGreaterThan(0);
    expect(r.functionErrors).toBe(0);
    expect(r.dlq).toBeGreaterThan(0);
    expect(r.processed + r.dlq).toBeGreaterThanOrEqual(TOTAL);
  }, 30_000);

  it("with MaximumConcurrency at the reserved concurrency, nothing is throttled and nothing reaches the DLQ", async () => {
    const r = await scenario({ MaximumConcurrency: 2 });
    expect(r).toEqual({ processed: TOTAL, dlq: 0, throttles: 0, functionErrors: 0 });
  }, 30_000);
});
