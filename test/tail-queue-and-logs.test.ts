import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";

/**
 * `lambda-sim tail` as a user follows one queue and one function's logs: a message moved to the
 * queue's DLQ concerns both queues (the walkthrough's `--source sqs:jobs` never showed one), and
 * every line of a multi-line log record carries its time and `[function]`.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});
const tail = (args: string[]) => startTail(args, children);
const credentials = { accessKeyId: "x", secretAccessKey: "x" };

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "tail-queue-logs-"));
  // A multi-line console.log is one record (the Node runtime folds it with \r, as on AWS).
  writeFileSync(join(dir, "index.mjs"), `export const handler = async () => { console.log("first line\\nsecond line\\n  third, indented"); return "done"; };\n`);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      "  talk: { runtime: nodejs24.x, handler: index.handler, codeUri: . }",
      "queues:",
      "  jobs: { visibilityTimeout: 0, redrivePolicy: { deadLetterTargetArn: sqs:jobs-dlq, maxReceiveCount: 1 } }",
      "  jobs-dlq: {}",
      "  other: {}",
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

describe("lambda-sim tail following a queue and a function's logs", () => {
  it("shows a queue's message moving to its DLQ under either queue, and prefixes every line of a log record", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory"]);
    const byQueue = tail(["--endpoint", sim.endpoint, "--source", "sqs:jobs"]);
    const byDlq = tail(["--endpoint", sim.endpoint, "--source", "jobs-dlq"]);
    const byOther = tail(["--endpoint", sim.endpoint, "--source", "sqs:other"]);
    const logs = tail(["--endpoint", sim.endpoint, "--function", "talk", "--logs"]);
    // A CLI process takes seconds to start on a loaded machine.
    await until(() => [byQueue, byDlq, byOther, logs].every((x) => x.err().includes("following")), 60_000);

    const sqs = new SQSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "jobs" }));
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "poison" }));
    // Received once (maxReceiveCount 1), back at once (visibility 0): the next receive moves it.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    // Message ids by their first 8 characters, as the page's list shows them (newuser14 F14).
    const line = `message ${sent.MessageId!.slice(0, 8)} moved from jobs to DLQ jobs-dlq: received 1 time (maxReceiveCount 1)`;
    await until(() => byQueue.out().includes(line) && byDlq.out().includes(line), 30_000);

    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    await lambda.send(new InvokeCommand({ FunctionName: "talk" }));
    await until(() => logs.out().includes("third, indented"), 30_000);
    const logLines = logs.out().split("\n").filter((l) => /line|indented/.test(l) && !l.includes("invoked"));
    expect(logLines).toHaveLength(3);
    for (const l of logLines) expect(l).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[talk\] /);
    expect(logLines.map((l) => l.replace(/^\S+ \[talk\] /, "").replace(/^\S+\t\S+\tINFO\t/, ""))).toEqual(["first line", "second line", "  third, indented"]);
    expect(byOther.out()).toBe("");
    sqs.destroy();
    lambda.destroy();
  });
});
