import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvalidParameterValueException,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { sqsArn as arn, startSqsEsm } from "./support/sqs-esm-harness.ts";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const recorder = { functionName: "filtered", runtime: "nodejs24.x", handler: "index.sqsRecorder", codeDir, timeout: 3 } as const;
let t: TestSimulator | undefined;
let lambda: LambdaClient;
let sqs: SQSClient;


async function queueIsEmpty(url: string): Promise<boolean> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes!;
  return a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0";
}

/** The bodies of every record the function received, from its `EVENT {...}` log lines. */
function delivered(logs: TelemetryRecorder): string[][] {
  return logs
    .of("function.log")
    .filter((e) => e.text.includes("EVENT "))
    .map((e) => JSON.parse(e.text.slice(e.text.indexOf("EVENT ") + 6).split("\n")[0]!).Records.map((r: { body: string }) => r.body));
}

describe("SQS event source mapping with FilterCriteria (aws-facts §6)", () => {
  it("invokes with the matching messages only and deletes the others", async () => {
    ({ t, lambda, sqs } = await startSqsEsm([recorder]));
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "orders" }))).QueueUrl!;
    const bodies = ['{"kind":"order","total":120}', '{"kind":"order","total":5}', '{"kind":"refund","total":300}', "order", "plain text"];
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })) }));
    const logs = new TelemetryRecorder(t.sim.telemetry);
    const FilterCriteria = { Filters: [{ Pattern: '{"body":{"kind":["order"],"total":[{"numeric":[">",100]}]}}' }, { Pattern: '{"body":["order"]}' }] };
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "filtered", EventSourceArn: arn("orders"), FilterCriteria }));
    expect(created.FilterCriteria).toEqual(FilterCriteria);
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).FilterCriteria).toEqual(FilterCriteria);

    await until(() => queueIsEmpty(url));
    await until(async () => delivered(logs).flat().length === 2);
    expect(delivered(logs).flat().sort()).toEqual(["order", '{"kind":"order","total":120}']);
    // No invocation came with an empty batch.
    expect(delivered(logs).every((records) => records.length > 0)).toBe(true);
    expect(logs.of("invocation.finished").length).toBe(delivered(logs).length);
    logs.dispose();
  });

  it("walks a queue full of messages its filters drop a few receives a turn: other requests are answered meanwhile (review20 R20-10)", { timeout: 120_000 }, async () => {
    ({ t, lambda, sqs } = await startSqsEsm([recorder]));
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "noise" }))).QueueUrl!;
    const probe = (await sqs.send(new CreateQueueCommand({ QueueName: "probe" }))).QueueUrl!;
    for (let i = 0; i < 12_000; i += 10) await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `noise ${i + j}` })) }));
    // A prober sends back to back while the mapping drops every message.
    let probing = true;
    let worst = 0;
    const prober = (async () => {
      while (probing) {
        const t0 = performance.now();
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: probe, AttributeNames: ["ApproximateNumberOfMessages"] }));
        worst = Math.max(worst, performance.now() - t0);
      }
    })();
    const started = performance.now();
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "filtered", EventSourceArn: arn("noise"), BatchSize: 10, FilterCriteria: { Filters: [{ Pattern: '{"body":["never"]}' }] } }));
    await until(() => queueIsEmpty(url), 60_000);
    const walked = performance.now() - started;
    probing = false;
    await prober;
    // Walked in one turn, every request waited for the whole walk; a few receives a turn, one
    // waits for a few. A relative bound: the machine's speed and load do not matter.
    expect(worst, `worst ${worst.toFixed(1)} ms of a ${walked.toFixed(1)} ms walk`).toBeLessThan(walked / 2);
  });

  it("refuses an invalid pattern, and UpdateEventSourceMapping replaces or removes the filters", async () => {
    ({ t, lambda, sqs } = await startSqsEsm([recorder]));
    await sqs.send(new CreateQueueCommand({ QueueName: "q" }));
    const bad = await lambda
      .send(new CreateEventSourceMappingCommand({ FunctionName: "filtered", EventSourceArn: arn("q"), FilterCriteria: { Filters: [{ Pattern: '{"body":{"a":"x"}}' }] } }))
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidParameterValueException);
    expect((bad as Error).message).toBe("Invalid filter pattern definition.");

    const m = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "filtered", EventSourceArn: arn("q"), Enabled: false }));
    expect(m.FilterCriteria).toBeUndefined();
    const Filters = [{ Pattern: '{"body":{"a":["x"]}}' }];
    expect((await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, FilterCriteria: { Filters } }))).FilterCriteria).toEqual({ Filters });
    const badUpdate = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, FilterCriteria: { Filters: [{ Pattern: "not json" }] } })).catch((e: unknown) => e);
    expect(badUpdate).toBeInstanceOf(InvalidParameterValueException);
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).FilterCriteria).toEqual({ Filters });
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, FilterCriteria: { Filters: [] } }));
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).FilterCriteria).toBeUndefined();
  });
});
