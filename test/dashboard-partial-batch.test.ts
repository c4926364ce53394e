import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { chromiumSkip, dashboardPages, shows } from "./support/dashboard-page.ts";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";

/**
 * A partial batch failure (ReportBatchItemFailures) is a success for Lambda, but its failed records
 * go back to the queue: the invocation list says both on the row (newuser14 F5), not `success` alone.
 */
const openPage = dashboardPages();
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  sim = undefined;
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-partial-"));
  writeFileSync(join(dir, "index.mjs"), "export const handler = async (event) => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) });\n");
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      "  consumer: { runtime: nodejs24.x, handler: index.handler, codeUri: . }",
      "queues:",
      "  orders: { visibilityTimeout: 30 }",
      "eventSourceMappings:",
      "  - { functionName: consumer, eventSourceArn: sqs:orders, batchSize: 1, functionResponseTypes: [ReportBatchItemFailures] }",
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

describe.skipIf(chromiumSkip !== undefined)(`a partial batch failure on the dashboard${chromiumSkip ? ` (${chromiumSkip})` : ""}`, () => {
  it("marks the row of an invocation whose batch failed in part beside its success", { timeout: 90_000 }, async () => {
    sim = await startLambdaSim(["--config", project(), "--in-memory"]);
    const sqs = new SQSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      const errors: string[] = [];
      const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
      await shows(page, "#status", /live/);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"poison":true}' }));
      await shows(page, "#invocations tr.invocation td.status", /^success\s*partial: 1 of 1 failed$/);
      expect(await page.locator("#invocations small.batch").first().getAttribute("title")).toMatch(/^ReportBatchItemFailures: the function reported 1 of the batch's 1 record\(s\) failed; they go back to the queue/);
      expect(errors).toEqual([]);
    } finally {
      sqs.destroy();
    }
  });
});
