import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteFunctionConcurrencyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * A throttled SQS batch is tried again while its messages are in flight: "If the invocation fails
 * due to throttling, Lambda ... continues to retry the message until the message's timestamp
 * exceeds your queue's visibility timeout" (services-sqs-errorhandling), which is why AWS asks for a
 * visibility timeout of six times the function's timeout (services-sqs-configure). A retry only
 * starts while it would end within the visibility timeout: with the two equal, there is none.
 */
const credentials = { accessKeyId: "x", secretAccessKey: "x" };

async function run(visibilityTimeout: number) {
  const dir = mkdtempSync(join(tmpdir(), "sqs-throttle-retry-"));
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    ["functions:", "  worker: { runtime: model, handler: x, codeUri: ., timeout: 10, reservedConcurrency: 0, model: { durationMs: 100 } }", "queues:", `  jobs: { visibilityTimeout: ${visibilityTimeout} }`, "eventSourceMappings:", "  - { functionName: worker, eventSourceArn: sqs:jobs, batchSize: 1 }", ""].join("\n"),
  );
  const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--clock", "virtual"]);
  const sqs = new SQSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
  const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
  const QueueUrl = `${sim.endpoint}/000000000000/jobs`;
  const advance = (seconds: number) => fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds }) }).then((r) => expect(r.status).toBe(200));
  const counts = async () => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes!;
    return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible)];
  };
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "job" }));
  // Throttled (reserved concurrency 0); the reservation is lifted two seconds of service time later.
  await until(async () => (await counts())[1] === 1);
  await advance(2);
  await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "worker" }));
  // Seven seconds after the receive: within either queue's visibility timeout.
  await advance(5);
  const after = await counts();
  for (const c of [sqs, lambda]) c.destroy();
  await sim.kill();
  return after;
}

describe("a throttled SQS batch", () => {
  it("is tried again, backing off, while its visibility timeout leaves room: the message is processed without coming back", { timeout: 60_000 }, async () => {
    expect(await run(60)).toEqual([0, 0]);
  });

  it("is handed back at once when the visibility timeout equals the function's timeout: the message stays in flight until it ends", { timeout: 60_000 }, async () => {
    expect(await run(10)).toEqual([0, 1]);
  });
});
