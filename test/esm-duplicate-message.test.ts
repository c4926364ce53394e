import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CreateStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import { awsClientEnv } from "./support/aws-client-env.ts";
import { perTestSimulator } from "./support/per-test-simulator.ts";

/**
 * newuser8 T5: a second mapping of the same stream and function is refused with AWS's stream
 * wording, "The event source arn (...) and function (...) provided mapping already exists"
 * (CloudFormation/CDK captures; LocalStack's provider), which deploy tools grep for; a queue's
 * keeps SQS's "An event source mapping with SQS arn ... already exists" (aws-facts §6).
 */
const AWS = "/usr/bin/aws";
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const sims = perTestSimulator();

function aws(endpoint: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(AWS, ["--endpoint-url", endpoint, ...args], { env: awsClientEnv(), encoding: "utf8" }, (err, _stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stderr });
    });
  });
}

describe.skipIf(!existsSync(AWS))("a duplicate event source mapping (aws CLI)", () => {
  it("of a Kinesis stream: the stream wording", async () => {
    const t = await sims.start({ functions: [{ functionName: "fn", runtime: "nodejs24.x", handler: "index.echo", codeDir }], sources: [kinesisSource, sqsSource] });
    const kinesis = new KinesisClient(t.clientConfig);
    await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
    kinesis.destroy();
    const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
    const create = ["lambda", "create-event-source-mapping", "--function-name", "fn", "--event-source-arn", arn, "--starting-position", "LATEST"];
    expect((await aws(t.endpoint, create)).code).toBe(0);
    const again = await aws(t.endpoint, create);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(
      /ResourceConflictException.*The event source arn \(" arn:aws:kinesis:us-east-1:000000000000:stream\/clicks "\) and function \(" fn "\) provided mapping already exists\. Please update or delete the existing mapping with UUID [0-9a-f-]{36}/,
    );
  }, 60_000);

  it("of an SQS queue: SQS's wording", async () => {
    const t = await sims.start({ functions: [{ functionName: "fn", runtime: "nodejs24.x", handler: "index.echo", codeDir }], sources: [kinesisSource, sqsSource] });
    const sqs = new SQSClient(t.clientConfig);
    await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
    sqs.destroy();
    const create = ["lambda", "create-event-source-mapping", "--function-name", "fn", "--event-source-arn", "arn:aws:sqs:us-east-1:000000000000:jobs"];
    expect((await aws(t.endpoint, create)).code).toBe(0);
    const again = await aws(t.endpoint, create);
    expect(again.stderr).toMatch(/An event source mapping with SQS arn \(" arn:aws:sqs:us-east-1:000000000000:jobs "\) and function \(" fn "\) already exists/);
  }, 60_000);
});
