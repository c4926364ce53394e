import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser11 N2-1: a report showing "worker: 0 errors, 6 throttles" and "jobs-dlq 20" never said
 * the 20 never reached worker: every receive was a throttled batch, which counts towards
 * maxReceiveCount (aws-facts §4). The report now links them per source queue, says a loop-stopped
 * message as such, and gives the throttles' reasons (the reservation's, an injected fault's).
 */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-dlq-report-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const SPIKE = [
  "seed: 1",
  "duration: 5m",
  "functions:",
  "  worker: { runtime: model, model: { durationMs: 8000 }, timeout: 10, reservedConcurrency: 2 }",
  "  notify: { runtime: model, model: { durationMs: 10 } }",
  "queues:",
  "  jobs: { visibilityTimeout: 10, redrivePolicy: { deadLetterTargetArn: sqs:jobs-dlq, maxReceiveCount: 2 } }",
  "  jobs-dlq: {}",
  "eventSourceMappings:",
  "  - { functionName: worker, eventSourceArn: sqs:jobs, batchSize: 10 }",
  "faults:",
  "  - { kind: throttle, function: notify, nth: 1 }",
  "  - { kind: throttle, function: notify, nth: 2, reason: CallerRateLimitExceeded }",
  "  - { kind: throttle, function: notify, nth: 3, reason: CallerRateLimitExceeded }",
  "traffic:",
  "  - invoke: { function: notify, count: 2 }",
  "  - send: { queue: jobs, count: 60 }",
  "expect:",
  "  errors: { worker: 0 }",
  "  messages: { jobs-dlq: 0 }",
].join("\n");

const LOOPER = `
const { SQSClient, SendMessageCommand, GetQueueUrlCommand } = require("@aws-sdk/client-sqs");
const sqs = new SQSClient({});
exports.handler = async (event) => {
  for (const r of event.Records) {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "loop" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: r.body }));
  }
};
`;

const LOOP = [
  "seed: 1",
  "duration: 5m",
  "functions:",
  "  looper: { runtime: nodejs24.x, handler: index.handler, codeUri: ./fn, timeout: 10 }",
  "queues:",
  "  loop: { visibilityTimeout: 10, redrivePolicy: { deadLetterTargetArn: sqs:loop-dlq, maxReceiveCount: 1 } }",
  "  loop-dlq: {}",
  "eventSourceMappings:",
  "  - { functionName: looper, eventSourceArn: sqs:loop, batchSize: 1 }",
  "traffic:",
  "  - send: { queue: loop, count: 1 }",
].join("\n");

const whatHappened = (report: string) => report.slice(report.indexOf("what happened\n"), report.indexOf("\ntimeline"));

describe("lambda-sim run: the report links a DLQ's messages to why they went there", () => {
  it("says the messages moved by throttled receives never reached the function, with the throttles' reasons", async () => {
    const r = await runCli(["run", join(project({ "s.yaml": SPIKE }), "s.yaml")]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const lines = whatHappened(r.stdout).split("\n");
    expect(lines).toContain("  jobs → jobs-dlq: 20 moved after 2 receives; 20 never reached worker (every receive a throttled batch)");
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}worker: 4 invocations, 0 errors, 6 throttles \(ReservedFunctionConcurrentInvocationLimitExceeded\), /));
    // Injected throttles, by their reasons, most first.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}notify: \d+ invocations, 0 errors, 3 throttles \(CallerRateLimitExceeded ×2, ConcurrentInvocationLimitExceeded ×1\), /));
    // Beside the queue counts the colleague compares.
    expect(lines.findIndex((l) => l.startsWith("  jobs → "))).toBe(lines.findIndex((l) => l.startsWith("  left in queues: ")) - 1);
    expect(r.stdout).toContain("✗ messages of jobs-dlq: 20 (expected = 0)");
  }, 60_000);

  it("says a message stopped in a recursive loop as such", async () => {
    const dir = project({ "s.yaml": LOOP, "fn/index.js": LOOPER });
    const r = await runCli(["run", join(dir, "s.yaml")]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = whatHappened(r.stdout).split("\n");
    expect(lines).toContain("  loop → loop-dlq: 1 moved after 1 receive; 1 stopped in a recursive loop (its chain had invoked looper 16 times)");
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}looper: 16 invocations, 0 errors, 0 throttles, .*1 invocation\(s\) stopped in a recursive loop$/));
  }, 60_000);
});
