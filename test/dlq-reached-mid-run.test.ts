import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * A workshop's slow consumer at --time-scale 60: its 2 s of wall time are two service minutes, so
 * each message's 10 s visibility runs out while the function works on it, the message is received
 * again, and that receive is throttled (reserved concurrency 1: the one environment is busy with
 * it). The move to the DLQ must not say the function never ran with a message it ran with
 * (newuser12 N2-1: a throttled redelivery marked it so before the first run had settled).
 */
const CONFIG = `functions:
  slow: { runtime: nodejs24.x, handler: index.handler, codeUri: ./fn, timeout: 5, reservedConcurrency: 1 }
queues:
  work: { visibilityTimeout: 10, redrivePolicy: { deadLetterTargetArn: sqs:work-dlq, maxReceiveCount: 2 } }
  work-dlq: {}
eventSourceMappings:
  - { functionName: slow, eventSourceArn: sqs:work, batchSize: 1 }
`;

describe("a message moved to its DLQ while the function still runs with it", () => {
  it("is not said never to have reached the function", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-dlq-mid-run-"));
    mkdirSync(join(dir, "fn"));
    writeFileSync(join(dir, "fn", "index.js"), 'exports.handler = async (e) => { await new Promise((r) => setTimeout(r, 2000)); console.log("done", e.Records[0].body); };\n');
    writeFileSync(join(dir, "lambda-sim.yaml"), CONFIG);
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--time-scale", "60"]);
    const sqs = new SQSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "work" }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m1" }));
      await until(() => /done m1/.test(sim.output()) && /moved from work to DLQ/.test(sim.output()), 60_000);
      const moves = sim.output().split("\n").filter((l) => l.includes("moved from work to DLQ"));
      expect(moves.some((l) => l.includes("the function never ran with it"))).toBe(false);
    } finally {
      sqs.destroy();
      await sim.kill();
    }
  });
});
