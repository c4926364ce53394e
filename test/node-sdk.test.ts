import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { sqsSource } from "@lambda-sim/sources";

// The handlers live outside the repository, where no node_modules above them has the SDK: what
// they import must come from the runtime, as on AWS.
let code: string;
let t: TestSimulator;
let lambda: LambdaClient;
let sqs: SQSClient;

describe("the AWS SDK for JavaScript v3 provided to Node.js handlers", () => {
  beforeAll(async () => {
    code = mkdtempSync(join(tmpdir(), "lambda-sim-node-sdk-"));
    cpSync(fileURLToPath(new URL("./fixtures/functions/node-sdk", import.meta.url)), code, { recursive: true });
    t = await startTestSimulator({
      sources: [sqsSource],
      functions: [
        { functionName: "esm", runtime: "nodejs24.x", handler: "esm.handler", codeDir: code, timeout: 10 },
        { functionName: "cjs", runtime: "nodejs22.x", handler: "cjs.handler", codeDir: code, timeout: 10 },
      ],
    });
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
    sqs = new SQSClient(t.clientConfig);
  });

  afterAll(async () => {
    lambda?.destroy();
    sqs?.destroy();
    await t?.close();
    rmSync(code, { recursive: true, force: true });
  });

  async function invoke(name: string, payload: unknown) {
    const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
    const body = JSON.parse(Buffer.from(out.Payload!).toString("utf8"));
    expect(out.FunctionError, JSON.stringify(body)).toBeUndefined();
    return body;
  }

  it("lets an ES module handler import the clients of every service lambda-sim serves, and nothing else", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "from-esm" }));
    const body = await invoke("esm", { queue: "from-esm" });
    expect(body.functions).toEqual(["cjs", "esm"]);
    expect(body.clients).toEqual(["CloudWatchClient", "CloudWatchLogsClient", "EventBridgeClient", "KinesisClient", "SchedulerClient", "SNSClient", "STSClient"]);
    expect(body.other).toBe("ERR_MODULE_NOT_FOUND");
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[body.MessageId, "from esm"]]);
  });

  it("lets a CommonJS handler require them", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "from-cjs" }));
    const body = await invoke("cjs", { queue: "from-cjs" });
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => m.MessageId)).toEqual([body.MessageId]);
  });
});
