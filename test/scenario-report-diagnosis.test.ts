import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * A failed scenario's report diagnoses itself in a CI log (newuser9 P1-3, P2-8): each function's
 * error types with counts and its first error's message, the first record processed out of its
 * key's order with the two record ids, and the functions' output with `--logs` (said when left out).
 */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-report-"));
  const code = (name: string, text: string) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "index.mjs"), text);
  };
  code("broken", "export const handler = async (event => {\n");
  code("poison", 'class PoisonError extends Error { name = "PoisonError"; }\nexport const handler = async (event) => {\n  console.log("working on", JSON.stringify(event));\n  throw new PoisonError(`poison order ${event.n}`);\n};\n');
  // The classic FIFO partial-batch bug: message 3 fails on its first receive, and the batch goes
  // on with 6 and 9 of its group instead of stopping (AWS: return every message after the failure).
  code(
    "fifo",
    "export const handler = async (event) => {\n  const failed = event.Records.filter((r) => JSON.parse(r.body).n === 3 && r.attributes.ApproximateReceiveCount === '1');\n" +
      "  return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };\n};\n",
  );
  writeFileSync(
    join(dir, "scenario.yaml"),
    [
      "duration: 5m",
      "functions:",
      `  broken: { runtime: nodejs24.x, handler: index.handler, codeUri: ./broken, eventInvokeConfig: { maximumRetryAttempts: 0 } }`,
      `  poison: { runtime: nodejs24.x, handler: index.handler, codeUri: ./poison, eventInvokeConfig: { maximumRetryAttempts: 0 } }`,
      `  fifo: { runtime: nodejs24.x, handler: index.handler, codeUri: ./fifo }`,
      "queues:",
      "  orders.fifo: { fifoQueue: true, visibilityTimeout: 30 }",
      "eventSourceMappings:",
      "  - { functionName: fifo, eventSourceArn: sqs:orders.fifo, batchSize: 10, functionResponseTypes: [ReportBatchItemFailures] }",
      "traffic:",
      "  - send: { queue: orders.fifo, count: 12, messageGroupId: [g0, g1, g2], messageDeduplicationId: 'm{i}', body: '{\"n\": {i}}' }",
      "  - invoke: { function: broken, count: 2 }",
      "  - invoke: { function: poison, count: 2, payload: { n: '{i}' } }",
      "expect:",
      "  errors: { broken: 0, poison: 0 }",
      "  outOfOrderRecords: { orders.fifo: 0 }",
      "",
    ].join("\n"),
  );
  return join(dir, "scenario.yaml");
}

describe("lambda-sim run: a failed report says what failed", () => {
  it("names error types with counts, the first error's message, the first record out of order; --logs prints the functions' output", async () => {
    const file = project();
    const r = await runCli(["run", file]);
    expect(r.code, r.stderr).toBe(1);
    const out = r.stdout;
    expect(out).toMatch(/\n {4}errors: Runtime\.UserCodeSyntaxError ×2; first \(request [\w-]+\): Runtime\.UserCodeSyntaxError: .*SyntaxError.*\n/);
    expect(out).toMatch(/\n {4}errors: PoisonError ×2; first \(request [\w-]+\): PoisonError: poison order [01]\n/);
    // g0 holds 0, 3, 6, 9: 3 comes back after 6 and 9 were processed.
    expect(out).toMatch(/\n {4}first in orders\.fifo: group g0, message [\w-]+ processed after message [\w-]+, a later one of its group\n/);
    expect(out).toMatch(/\n {2}function output: \d+ log line\(s\) not shown here \(lambda-sim run --logs prints them\)\n/);
    expect(out).not.toContain("[poison]");

    const logged = await runCli(["run", file, "--logs"]);
    expect(logged.code).toBe(1);
    expect(logged.stdout).toMatch(/\[poison\] .*working on \{"n":[01]\}/);
    expect(logged.stdout).toMatch(/\[poison\] REPORT RequestId: /);
    expect(logged.stdout).not.toContain("function output:");
    // The logs come first, then the report.
    expect(logged.stdout.indexOf("[poison]")).toBeLessThan(logged.stdout.indexOf("what happened"));
  }, 180_000);
});
