import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sqsSource } from "@lambda-sim/sources";
import { VirtualClock } from "@lambda-sim/core";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { awsClientEnv } from "./support/aws-client-env.ts";
import { loadConfig } from "../packages/cli/src/config/load-config.ts";

/**
 * fuzz19 F5: "You must wait 60 seconds after deleting a queue before you can create another with
 * the same name" (aws-facts §7), on both SQS protocols, in service time; `sqs:` in lambda-sim.yaml
 * sets the wait (0: off).
 */
const run = promisify(execFile);
const DEBIAN_PYTHON = "/usr/bin/python3";
const debianBoto3 = existsSync(DEBIAN_PYTHON) && spawnSync(DEBIAN_PYTHON, ["-c", "import boto3"], { stdio: "ignore" }).status === 0;
const MESSAGE = "You must wait 60 seconds after deleting a queue before you can create another with the same name.";

/** boto3 1.26 (the query protocol): create, delete, create again; the second create's error code and message. */
const BOTO3 = `
import json, os, boto3, botocore
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
url = sqs.create_queue(QueueName="q-query")["QueueUrl"]
sqs.delete_queue(QueueUrl=url)
try:
    sqs.create_queue(QueueName="q-query")
    print(json.dumps({"created": True}))
except botocore.exceptions.ClientError as e:
    print(json.dumps({"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}))
`;

const sims = perTestSimulator();

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "lambda-sim-sqs-settings-")), "lambda-sim.yaml");
  writeFileSync(path, text);
  return path;
}

describe("CreateQueue right after DeleteQueue of the same name (QueueDeletedRecently)", () => {
  it("is refused for 60 s of service time over the JSON protocol, then allowed; other names are not held", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 1));
    clock.startRunningDue();
    const t = await sims.start({ clock, sources: [sqsSource] });
    const sqs = new SQSClient({ ...t.clientConfig, maxAttempts: 1 });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      const refused = await sqs.send(new CreateQueueCommand({ QueueName: "orders" })).catch((e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number }; $response?: { headers: Record<string, string> } });
      expect(refused).toMatchObject({ name: "QueueDeletedRecently", message: MESSAGE, $metadata: { httpStatusCode: 400 } });
      expect((refused as { $response?: { headers: Record<string, string> } }).$response?.headers["x-amzn-query-error"]).toBe("AWS.SimpleQueueService.QueueDeletedRecently;Sender");
      await sqs.send(new CreateQueueCommand({ QueueName: "other" }));
      await clock.advanceBy(59_000);
      await expect(sqs.send(new CreateQueueCommand({ QueueName: "orders" }))).rejects.toMatchObject({ name: "QueueDeletedRecently" });
      await clock.advanceBy(1_000);
      expect((await sqs.send(new CreateQueueCommand({ QueueName: "orders" }))).QueueUrl).toBe(QueueUrl);
    } finally {
      sqs.destroy();
    }
  });

  it.skipIf(!debianBoto3)(`is refused over the query protocol with the legacy code (boto3 1.26)${debianBoto3 ? "" : " (skipped: no boto3 in /usr/bin/python3)"}`, async () => {
    const t = await sims.start({ sources: [sqsSource] });
    const { stdout } = await run(DEBIAN_PYTHON, ["-c", BOTO3], { env: awsClientEnv(t.endpoint, "/usr/bin:/bin"), timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ code: "AWS.SimpleQueueService.QueueDeletedRecently", message: MESSAGE, status: 400 });
  }, 40_000);

  it("is off with sqs: { deletedQueueCooldownSeconds: 0 } in lambda-sim.yaml, and a bad value names its line", async () => {
    const config = await loadConfig(file("sqs:\n  deletedQueueCooldownSeconds: 0\nqueues:\n  fixture: {}\n"), [sqsSource]);
    const t = await sims.start({ sources: [sqsSource], sourceConfig: config.sources });
    const sqs = new SQSClient({ ...t.clientConfig, maxAttempts: 1 });
    try {
      const QueueUrl = `${t.endpoint}/000000000000/fixture`;
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      expect((await sqs.send(new CreateQueueCommand({ QueueName: "fixture" }))).QueueUrl).toBe(QueueUrl);
    } finally {
      sqs.destroy();
    }
    const bad = file("sqs:\n  deletedQueueCooldownSeconds: -1\n");
    await expect(loadConfig(bad, [sqsSource])).rejects.toThrow(`${bad}:2 sqs.deletedQueueCooldownSeconds: expected a whole number of seconds between 0 and 3600, got -1`);
  });
});
