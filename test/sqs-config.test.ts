import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sqsSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { loadConfig } from "../packages/cli/src/config/load-config.ts";

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "lambda-sim-queues-")), "lambda-sim.yaml");
  writeFileSync(path, text);
  return path;
}

describe("queues declared in lambda-sim.yaml", () => {
  it("creates them with their attributes and a redrive policy written as sqs:NAME", async () => {
    const config = await loadConfig(
      file("queues:\n  orders:\n    visibilityTimeout: 60\n    redrivePolicy: { deadLetterTargetArn: sqs:orders-dlq, maxReceiveCount: 3 }\n  orders-dlq:\n"),
      [sqsSource],
    );
    t = await sims.start({ sources: [sqsSource], sourceConfig: config.sources });
    const sqs = new SQSClient(t.clientConfig);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${t.endpoint}/000000000000/orders`, AttributeNames: ["All"] }));
    expect(attrs.Attributes).toMatchObject({
      VisibilityTimeout: "60",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:orders-dlq", maxReceiveCount: 3 }),
    });
    sqs.destroy();
  });

  it("names the file, line and key of a bad queue setting", async () => {
    const path = file("queues:\n  orders:\n    visibilityTimeout: 50000\n");
    await expect(loadConfig(path, [sqsSource])).rejects.toThrow(`${path}:3 queues.orders.visibilityTimeout: expected a whole number of seconds between 0 and 43200, got 50000`);
  });
});

describe("eventSourceMappings in lambda-sim.yaml", () => {
  it("takes filterCriteria patterns as JSON strings or as YAML objects", async () => {
    const path = file(
      [
        "functions:",
        "  f: { runtime: nodejs24.x, handler: index.handler, codeUri: . }",
        "queues:",
        "  orders:",
        "eventSourceMappings:",
        "  - functionName: f",
        "    eventSourceArn: sqs:orders",
        "    filterCriteria:",
        "      filters:",
        `        - pattern: '{"body":{"kind":["order"]}}'`,
        "        - pattern: { body: { total: [{ numeric: ['>', 100] }] } }",
        "",
      ].join("\n"),
    );
    const config = await loadConfig(path, [sqsSource]);
    expect(config.eventSourceMappings[0]?.FilterCriteria).toEqual({
      Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }, { Pattern: '{"body":{"total":[{"numeric":[">",100]}]}}' }],
    });
  });
});

describe("/_sim/queues/NAME/messages", () => {
  it("shows messages without touching visibility or receive counts", async () => {
    t = await sims.start({ sources: [sqsSource], sourceConfig: { queues: { q: {} } } });
    const sqs = new SQSClient(t.clientConfig);
    const url = `${t.endpoint}/000000000000/q`;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "peek" }));
    const shown = await (await fetch(`${t.endpoint}/_sim/queues/q/messages`)).json();
    expect(shown).toEqual([expect.objectContaining({ body: "peek", visible: true, receiveCount: 0 })]);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    expect(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("1");
    sqs.destroy();
  });
});

describe("the SQS target (for async destinations and dead-letter queues)", () => {
  it("delivers a record with its message attributes to a queue by ARN", async () => {
    t = await sims.start({ sources: [sqsSource], sourceConfig: { queues: { failures: {} } } });
    await t.sim.targets.deliver("arn:aws:sqs:us-east-1:000000000000:failures", '{"event":1}', {
      RequestID: { DataType: "String", StringValue: "req-1" },
      ErrorCode: { DataType: "Number", StringValue: "200" },
    });
    const sqs = new SQSClient(t.clientConfig);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${t.endpoint}/000000000000/failures`, MessageAttributeNames: ["All"] }));
    expect(got.Messages?.[0]).toMatchObject({
      Body: '{"event":1}',
      MessageAttributes: { RequestID: { DataType: "String", StringValue: "req-1" }, ErrorCode: { DataType: "Number", StringValue: "200" } },
    });
    await expect(t.sim.targets.deliver("arn:aws:sqs:us-east-1:000000000000:missing", "{}")).rejects.toThrow("does not exist");
    await expect(t.sim.targets.deliver("arn:aws:sns:us-east-1:000000000000:topic", "{}")).rejects.toThrow("no target");
    sqs.destroy();
  });
});
