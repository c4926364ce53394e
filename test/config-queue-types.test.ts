import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * walk40 F3 and F6: a standard queue started with a FIFO dead-letter queue (its messages then sat
 * in the FIFO queue with no group), and a FIFO queue subscribed to a standard topic failed the
 * start naming no line, with "Invalid parameter:" twice. AWS refuses both; the start names each
 * at its file, line and key path, all in one start.
 */
describe("a lambda-sim.yaml joining FIFO and standard resources", () => {
  it("refuses the start with one line per mismatch: each queue's dead-letter queue of the other type, and a FIFO queue on a standard topic", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-queue-types-"));
    mkdirSync(join(dir, "fn"));
    writeFileSync(join(dir, "fn", "index.js"), "exports.handler = async () => ({});\n");
    const config = join(dir, "lambda-sim.yaml");
    writeFileSync(
      config,
      [
        "functions:",
        "  worker: { runtime: nodejs22.x, handler: index.handler, codeUri: ./fn }",
        "queues:",
        "  std: { redrivePolicy: { deadLetterTargetArn: sqs:dlq.fifo, maxReceiveCount: 3 } }",
        "  dlq.fifo: { fifoQueue: true }",
        '  jobs.fifo: { fifoQueue: true, redrivePolicy: { deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq", maxReceiveCount: 3 } }',
        "  dlq: {}",
        "topics:",
        "  news:",
        "    subscriptions:",
        "      - { protocol: sqs, endpoint: sqs:dlq }",
        "      - { protocol: sqs, endpoint: sqs:dlq.fifo }",
        "",
      ].join("\n"),
    );
    const run = await runCli(["start", "--port", "0", "--config", config, "--state", join(dir, "state")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      [
        `lambda-sim: ${config}:4 queues.std.redrivePolicy.deadLetterTargetArn: Dead-letter queue must be same type of queue as the source: sqs:dlq.fifo is a FIFO queue, std a standard one`,
        `${config}:6 queues["jobs.fifo"].redrivePolicy.deadLetterTargetArn: Dead-letter queue must be same type of queue as the source: arn:aws:sqs:us-east-1:000000000000:dlq is a standard queue, jobs.fifo a FIFO one`,
        `${config}:12 topics.news.subscriptions[1].endpoint: FIFO SQS Queues can not be subscribed to standard SNS topics: sqs:dlq.fifo is a FIFO queue, news a standard topic`,
        "",
      ].join("\n"),
    );
  });
});
