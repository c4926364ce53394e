import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";

/**
 * Issue 13: `deadLetterTargetArn` written as the simulator's own ARN of a queue nobody made
 * started without a word, and the poison message was received again and again. Such an ARN
 * must name a queue the file declares or one created through the API on an earlier run.
 */
describe("a config reference written as the simulator's own ARN", () => {
  const DLQ_ARN = "arn:aws:sqs:us-east-1:000000000000:job-dlq";

  function project(redrive: boolean): { dir: string; config: string } {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-arn-refs-"));
    mkdirSync(join(dir, "fn"));
    writeFileSync(join(dir, "fn", "index.js"), "exports.handler = async () => ({});\n");
    const config = join(dir, "lambda-sim.yaml");
    const jobs = redrive ? `\n    redrivePolicy: { deadLetterTargetArn: "${DLQ_ARN}", maxReceiveCount: 3 }` : " {}";
    writeFileSync(config, `functions:\n  worker: { runtime: nodejs22.x, handler: index.handler, codeUri: ./fn }\nqueues:\n  jobs:${jobs}\n  jobs-dlq: {}\n`);
    return { dir, config };
  }

  it("refuses the start with file, line, key path and a did-you-mean when it names nothing", async () => {
    const { dir, config } = project(true);
    const run = await runCli(["start", "--port", "0", "--config", config, "--state", join(dir, "state")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `lambda-sim: ${config}:5 queues.jobs.redrivePolicy.deadLetterTargetArn: ${DLQ_ARN} names no queue declared under queues: or created through the API (did you mean 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq'?)\n`,
    );
  });

  it("starts when the queue was created through the API on an earlier run of the same state", async () => {
    const without = project(false);
    const state = join(without.dir, "state");
    const first = await startLambdaSim(["--config", without.config, "--state", state]);
    const credentials = { accessKeyId: "test", secretAccessKey: "test" };
    const before = new SQSClient({ endpoint: first.endpoint, region: "us-east-1", credentials });
    await before.send(new CreateQueueCommand({ QueueName: "job-dlq" }));
    before.destroy();
    await first.kill();
    const second = await startLambdaSim(["--config", project(true).config, "--state", state]);
    const sqs = new SQSClient({ endpoint: second.endpoint, region: "us-east-1", credentials });
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${second.endpoint}/000000000000/jobs`, AttributeNames: ["RedrivePolicy"] }));
    expect(JSON.parse(attrs.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: DLQ_ARN, maxReceiveCount: 3 });
    sqs.destroy();
  });
});
