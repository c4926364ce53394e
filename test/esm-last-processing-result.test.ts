import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";
import { until } from "./support/until.ts";

/**
 * LastProcessingResult, read as someone debugging a stuck shard from the CLI reads it: "No records
 * processed" until a batch ran, then what the last invocation came to (`OK`, `PROBLEM: Function
 * call failed`), across a restart. SQS mappings carry none, as AWS's answers for them do not.
 */
const kinesisCode = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
const nodeCode = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const functions: FunctionDefinition[] = [
  { functionName: "consumer", runtime: "nodejs24.x", handler: "index.recorder", codeDir: kinesisCode },
  { functionName: "worker", runtime: "nodejs24.x", handler: "index.echo", codeDir: nodeCode },
];
let t: TestSimulator | undefined;
let clients: { destroy(): void }[] = [];

afterEach(async () => {
  for (const c of clients) c.destroy();
  clients = [];
  await t?.close();
  t = undefined;
});

async function start(stateDir?: string) {
  t = await startTestSimulator({ functions, sources: [sqsSource, kinesisSource], stateDir });
  const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  const kinesis = new KinesisClient(t.clientConfig);
  const sqs = new SQSClient(t.clientConfig);
  clients.push(lambda, kinesis, sqs);
  return { lambda, kinesis, sqs };
}

describe("LastProcessingResult", () => {
  it("a Kinesis mapping reports its last invocation: OK, then PROBLEM: Function call failed, kept across a restart, then OK again", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-esm-result-"));
    try {
      let { lambda, kinesis } = await start(stateDir);
      await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
      const { UUID } = await lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", StartingPosition: "TRIM_HORIZON", MaximumRetryAttempts: 0 }),
      );
      const result = async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).LastProcessingResult;
      expect(await result()).toBe("No records processed");

      await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "k", Data: Buffer.from("hello") }));
      await until(async () => (await result()) === "OK");
      await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "k", Data: Buffer.from("poison") }));
      await until(async () => (await result()) === "PROBLEM: Function call failed");
      const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "consumer" }));
      expect(listed.EventSourceMappings?.map((m) => m.LastProcessingResult)).toEqual(["PROBLEM: Function call failed"]);

      await t!.close();
      ({ lambda, kinesis } = await start(stateDir));
      expect(await result()).toBe("PROBLEM: Function call failed");
      await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "k", Data: Buffer.from("world") }));
      await until(async () => (await result()) === "OK");
    } finally {
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
    }
  });

  it("an SQS mapping has none, before and after its batches, as on AWS", async () => {
    const { lambda, sqs } = await start();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "worker", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:jobs" }));
    expect(created.LastProcessingResult).toBeUndefined();
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "job" }));
    await until(async () => {
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).Attributes!;
      return a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0";
    });
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).LastProcessingResult).toBeUndefined();
  });
});
