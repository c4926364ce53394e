import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * A misspelt queue, stream or destination in a scenario's `expect:` (messages, outOfOrderRecords,
 * delivered, failedRecords) is refused when the scenario loads, at its line, with a "did you
 * mean", as a misspelt function is (newuser9 P2-3): unchecked, `messages: { orders-dql: 0 }`
 * passed for ever and a CI guard could never fail.
 */
const scratch = () => mkdtempSync(join(tmpdir(), "lambda-sim-expect-names-"));

const ARCHITECTURE = [
  "duration: 1m",
  "functions:",
  "  orders: { runtime: model, model: { durationMs: 5 }, eventInvokeConfig: { destinationConfig: { onFailure: { destination: sqs:orders-failed } } } }",
  "  notify: { runtime: model, model: { durationMs: 5 }, eventInvokeConfig: { destinationConfig: { onFailure: { destination: 'arn:aws:sqs:us-east-1:000000000000:elsewhere' } } } }",
  "queues:",
  "  orders: {}",
  "  orders-dlq: {}",
  "  orders-failed: {}",
  "streams:",
  "  clicks: {}",
  "traffic:",
  "  - invoke: { function: orders }",
];

describe("lambda-sim run: names in expect: beyond functions", () => {
  it("refuses a queue, stream or target the architecture lacks, each at its line with a did-you-mean, before anything runs", async () => {
    const file = join(scratch(), "typos.yaml");
    writeFileSync(file, [...ARCHITECTURE, "expect:", "  messages: { orders-dql: 0 }", "  outOfOrderRecords: { clikcs: 0 }", "  delivered: { orders-faild: 0 }", "  failedRecords: { nosuch: 0 }", ""].join("\n"));
    const r = await runCli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("scenario typos");
    expect(r.stderr.replace(/^lambda-sim: /, "").trim().split("\n")).toEqual([
      `${file}:14 expect.messages: no queue named 'orders-dql' (did you mean 'orders-dlq'?) (the architecture has: orders, orders-dlq, orders-failed)`,
      `${file}:15 expect.outOfOrderRecords: no stream or queue named 'clikcs' (did you mean 'clicks'?) (the architecture has: clicks, orders, orders-dlq, orders-failed)`,
      `${file}:16 expect.delivered: no queue, function, topic or bus named 'orders-faild' (did you mean 'orders-failed'?) (the architecture has: orders, orders-dlq, orders-failed, notify, default)`,
      `${file}:17 expect.failedRecords: no queue named 'nosuch' (the architecture has: orders, orders-dlq, orders-failed)`,
    ]);
  });

  // newuser13 N13-11: `failedRecords: { clicks: 0 }` (the stream) passed for ever: failed records are counted per queue.
  it("refuses a name of another kind than the expectation counts, though the traffic names it", async () => {
    const file = join(scratch(), "kinds.yaml");
    writeFileSync(file, [...ARCHITECTURE, "  - put: { stream: clicks }", "expect:", "  failedRecords: { clicks: 0 }", "  messages: { clicks: 0 }", ""].join("\n"));
    const r = await runCli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stderr.replace(/^lambda-sim: /, "").trim().split("\n")).toEqual([
      `${file}:15 expect.failedRecords: no queue named 'clicks' (the architecture has: orders, orders-dlq, orders-failed)`,
      `${file}:16 expect.messages: no queue named 'clicks' (the architecture has: orders, orders-dlq, orders-failed)`,
    ]);
  });

  it("takes the names the architecture has, and a destination an ARN names, and runs", async () => {
    const file = join(scratch(), "right.yaml");
    writeFileSync(file, [...ARCHITECTURE, "expect:", "  messages: { orders-dlq: 0 }", "  outOfOrderRecords: { clicks: 0 }", "  delivered: { orders-failed: 0, elsewhere: 0 }", "  failedRecords: { orders-failed: 0 }", ""].join("\n"));
    const r = await runCli(["run", file]);
    expect(r.stderr).toBe("");
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("PASS: 5 expectation(s) met");
  });

  it("checks a template's logical ids too: OrdersQueu is refused with OrdersQueue as the near miss", async () => {
    const dir = scratch();
    cpSync(fileURLToPath(new URL("../examples/sam-app/", import.meta.url)), join(dir, "sam-app"), { recursive: true });
    const file = join(dir, "bad.yaml");
    writeFileSync(file, ["duration: 1m", "architecture: sam-app/template.yaml", "traffic: []", "expect:", "  messages: { OrdersQueu: 0, OrdersDeadLetterQueue: 0 }", ""].join("\n"));
    const r = await runCli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file}:5 expect\\.messages: no queue named 'OrdersQueu' \\(did you mean 'OrdersQueue'\\?\\) \\(the architecture has: dev-orders, .*OrdersQueue`));
    expect(r.stderr).not.toContain("OrdersDeadLetterQueue'");
  }, 60_000);
});
