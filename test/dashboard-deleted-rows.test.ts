import { afterEach, describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, CreateFunctionCommand, DeleteEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { zipFiles } from "@lambda-sim/core/testing";
import { chromiumSkip, dashboardPages } from "./support/dashboard-page.ts";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * An open dashboard page drops the row of a queue or an event source mapping deleted meanwhile
 * (review17 R18): before, a workshop's page kept showing a mapping deleted a minute ago until
 * it was reloaded.
 */
const openPage = dashboardPages();
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  sim = undefined;
});

describe.skipIf(chromiumSkip !== undefined)(`the dashboard's event sources${chromiumSkip ? ` (${chromiumSkip})` : ""}`, () => {
  it("forget a deleted mapping and a deleted queue", { timeout: 60_000 }, async () => {
    sim = await startLambdaSim(["--in-memory"]);
    const config = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 };
    const lambda = new LambdaClient(config);
    const sqs = new SQSClient(config);
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: "worker", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => ({});\n" }]) } }));
      const kept = await sqs.send(new CreateQueueCommand({ QueueName: "kept" }));
      const gone = await sqs.send(new CreateQueueCommand({ QueueName: "gone" }));
      const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "worker", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:gone" }));
      const errors: string[] = [];
      const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
      const rows = () => page.locator("tr[data-queue], tr[data-mapping]").evaluateAll((trs) => trs.map((r) => r.getAttribute("data-queue") ?? "mapping " + r.getAttribute("data-mapping")));
      await until(async () => (await rows()).length === 3, 15_000);
      expect((await rows()).sort()).toEqual(["gone", "kept", `mapping ${UUID}`]);

      await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.QueueUrl }));
      await until(async () => (await rows()).length === 1, 15_000);
      expect(await rows()).toEqual(["kept"]);
      expect(kept.QueueUrl).toBeDefined();
      expect(errors).toEqual([]);
    } finally {
      lambda.destroy();
      sqs.destroy();
    }
  });
});
