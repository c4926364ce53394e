import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser8 R1: a scenario's `send` reaches a FIFO queue (messageGroupId, messageDeduplicationId,
 * `{key}` the group), carries message attributes and a per-message delay; the README's FIFO line
 * works as written.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

function scenario(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-send-"));
  const file = join(dir, "send.yaml");
  writeFileSync(file, ["seed: 1", ...lines].join("\n"));
  return file;
}

describe("scenario send", () => {
  it("the README's FIFO step: every group in order, each message once", async () => {
    const readme = readFileSync(`${ROOT}README.md`, "utf8");
    const step = readme.split("\n").find((l) => l.includes("- send: { queue: orders.fifo"))!;
    expect(step).toBeDefined();
    const r = await runCli([
      "run",
      scenario([
        "duration: 5m",
        "functions:",
        "  orders: { runtime: model, model: { durationMs: 20 } }",
        "queues:",
        "  orders.fifo: { fifoQueue: true }",
        "eventSourceMappings:",
        "  - { functionName: orders, eventSourceArn: sqs:orders.fifo, batchSize: 2 }",
        "traffic:",
        step.replace(/#.*$/, ""),
        "expect:",
        "  outOfOrderRecords: { orders.fifo: 0 }",
        "  messages: { orders.fifo: 0 }",
      ]),
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("traffic: 12 messages to orders.fifo");
    expect(r.stdout).toContain("per-key order: 12 processed records checked, 0 out of order");
    expect(r.stdout).not.toContain("traffic failed");
  }, 60_000);

  it("a deduplication id repeated within 5 minutes is sent once (SQS FIFO deduplication)", async () => {
    const r = await runCli([
      "run",
      scenario([
        "duration: 1m",
        "queues:",
        "  q.fifo: { fifoQueue: true }",
        "traffic:",
        '  - send: { queue: q.fifo, count: 4, messageGroupId: "g{i}", messageDeduplicationId: same }',
        "expect:",
        "  messages: { q.fifo: 1 }",
      ]),
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ messages of q.fifo: 1");
  }, 60_000);

  it("attributes and a delay reach the function as SQS sends them", async () => {
    const r = await runCli([
      "run",
      scenario([
        "duration: 2m",
        "functions:",
        "  f: { runtime: model, model: { durationMs: 5 } }",
        "queues:",
        "  q: {}",
        "eventSourceMappings:",
        // Only the messages whose attribute matches reach the function (the others are deleted).
        '  - { functionName: f, eventSourceArn: sqs:q, batchSize: 1, filterCriteria: { filters: [{ pattern: \'{"messageAttributes": {"kind": {"stringValue": ["order"]}}}\' }] } }',
        "traffic:",
        "  - send: { queue: q, count: 2, attributes: { kind: order, n: 1 } }",
        "  - send: { queue: q, count: 3, attributes: { kind: refund } }",
        // Delayed past the end of the run: still in the queue, never invoked.
        "  - send: { queue: q, count: 4, attributes: { kind: order }, delaySeconds: 900 }",
        "expect:",
        "  invocations: { f: 2 }",
        "  messages: { q: 4 }",
      ]),
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ invocations of f: 2");
    expect(r.stdout).toContain("✓ messages of q: 4");
  }, 60_000);

  it("refuses a delay out of range with file:line", async () => {
    const r = await runCli(["run", scenario(["duration: 1m", "queues: { q: {} }", "traffic:", "  - send: { queue: q, delaySeconds: 901 }"])]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/send\.yaml:5 traffic\[0\]\.send\.delaySeconds: expected whole seconds 0-900/);
  }, 60_000);
});
