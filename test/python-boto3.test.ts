import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { sqsSource } from "@lambda-sim/sources";
import { boto3Title, HAS_BOTO3 } from "./support/python.ts";

// boto3 is provided as AWS's runtimes provide it, when some python3 on this machine has it.
const title = boto3Title("boto3 inside a Python handler");

let t: TestSimulator;
let lambda: LambdaClient;
let sqs: SQSClient;

describe.skipIf(!HAS_BOTO3)(title, () => {
  beforeAll(async () => {
    t = await startTestSimulator({
      sources: [sqsSource],
      functions: [{ functionName: "sender", runtime: "python3.12", handler: "app.handler", codeDir: fileURLToPath(new URL("./fixtures/functions/python-boto3", import.meta.url)), timeout: 15 }],
    });
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
    sqs = new SQSClient(t.clientConfig);
  });

  afterAll(async () => {
    lambda?.destroy();
    sqs?.destroy();
    await t?.close();
  });

  it("reaches the simulator with no endpoint, region or credentials in the code", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "from-python" }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: "sender", Payload: Buffer.from(JSON.stringify({ queue: "from-python" })) }));
    const body = JSON.parse(Buffer.from(out.Payload!).toString("utf8"));
    expect(out.FunctionError, JSON.stringify(body)).toBeUndefined();
    expect(body.functions).toEqual(["sender"]);
    expect(body.region).toBe("us-east-1");
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[body.messageId, '{"from": "sender"}']]);
  });
});
