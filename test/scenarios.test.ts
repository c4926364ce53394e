import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runScenario } from "../packages/cli/src/scenario/scenario-runner.ts";
import { runCli } from "./support/lambda-sim-process.ts";
import { traceDecisions } from "./support/trace-decisions.ts";

const EXAMPLES = fileURLToPath(new URL("../examples/scenarios/", import.meta.url));
const cli = (args: string[]) => runCli(args);
const scratch = () => mkdtempSync(join(tmpdir(), "lambda-sim-scenario-"));

describe("lambda-sim run: the example scenarios", () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));
  it("has the three bugs of the README, each with its fix", () => {
    expect(files).toEqual(expect.arrayContaining(["sqs-reserved-concurrency-dlq.yaml", "sqs-reserved-concurrency-fixed.yaml", "kinesis-poison-record.yaml", "kinesis-poison-record-bisect.yaml", "async-retry-storm.yaml"]));
  });

  it.each(files)("%s meets its expectations", async (file) => {
    const r = await runScenario(join(EXAMPLES, file));
    expect(r.results.filter((e) => !e.ok), r.report).toEqual([]);
    expect(r.results.length).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
  });
});

describe("lambda-sim run: replay", () => {
  it("the same scenario and seed give a byte-identical trace; another seed a different one", async () => {
    const dir = scratch();
    const file = join(EXAMPLES, "async-retry-storm.yaml");
    await runScenario(file, { seed: "42", trace: join(dir, "a.jsonl") });
    await runScenario(file, { seed: "42", trace: join(dir, "b.jsonl") });
    await runScenario(file, { seed: "43", trace: join(dir, "c.jsonl") });
    const a = readFileSync(join(dir, "a.jsonl"));
    expect(a.length).toBeGreaterThan(100_000);
    expect(a.equals(readFileSync(join(dir, "b.jsonl")))).toBe(true);
    expect(a.equals(readFileSync(join(dir, "c.jsonl")))).toBe(false);
    const first = JSON.parse(a.toString().split("\n")[0]!);
    expect(first).toMatchObject({ type: expect.any(String), time: Date.UTC(2026, 0, 1) });
  });

  it("replays the SQS spike with its seed byte for byte", async () => {
    const dir = scratch();
    const file = join(EXAMPLES, "sqs-reserved-concurrency-dlq.yaml");
    await runScenario(file, { trace: join(dir, "a.jsonl") });
    await runScenario(file, { trace: join(dir, "b.jsonl") });
    expect(readFileSync(join(dir, "a.jsonl")).equals(readFileSync(join(dir, "b.jsonl")))).toBe(true);
  });
});

describe("lambda-sim run: the command", () => {
  it("prints the report and exits 1 when an expectation fails, naming it", async () => {
    const dir = scratch();
    const file = join(dir, "scenario.yaml");
    writeFileSync(
      file,
      [
        "duration: 5m",
        "functions:",
        "  f: { runtime: model, model: { durationMs: 100 } }",
        "faults:",
        "  - { kind: error, function: f, nth: [2, 4] }",
        "traffic:",
        "  - invoke: { function: f, count: 5, rate: 1 }",
        "expect:",
        "  invocations: { f: 7 }",
        "  errors: { f: 0 }",
      ].join("\n"),
    );
    const r = await cli(["run", file]);
    expect(r.code).toBe(1);
    // Five invocations and the async retries of the two that failed.
    expect(r.stdout).toContain("✓ invocations of f: 7 (expected = 7)");
    expect(r.stdout).toContain("✗ errors of f: 2 (expected = 0)");
    expect(r.stdout).toContain("FAIL: 1 of 2 expectation(s) not met");
  });

  it("reports a bad scenario file by key, with exit 1", async () => {
    const dir = scratch();
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "duration: soon\ntraffic:\n  - send: { queue: q, count: 0 }\n  - invoke: { function: f, count: 1e9 }\n");
    const r = await cli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:1 duration: expected a duration/);
    expect(r.stderr).toMatch(/bad\.yaml:3 traffic\[0\]\.send\.count: expected a whole number ≥ 1, got 0/);
    expect(r.stderr).toMatch(/bad\.yaml:4 traffic\[1\]\.invoke\.count: expected at most 1,000,000 per step, got 1000000000/);
  });

  it("refuses an expectation no run could meet: a negative count, a range whose min is above its max, an empty range", async () => {
    const dir = scratch();
    const file = join(dir, "never.yaml");
    writeFileSync(file, "duration: 1m\nfunctions:\n  orders: { runtime: model, model: { durationMs: 5 } }\nexpect:\n  errors: { orders: -1 }\n  throttles: { orders: { min: 5, max: 2 } }\n  retries: { orders: {} }\n");
    const r = await cli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/never\.yaml:5 expect\.errors\.orders: expected a number ≥ 0/);
    expect(r.stderr).toMatch(/never\.yaml:6 expect\.throttles\.orders: expected min ≤ max/);
    expect(r.stderr).toMatch(/never\.yaml:7 expect\.retries\.orders: expected min, max or both/);
  });

  it("refuses an expectation naming a function the architecture does not have, listing the ones it has", async () => {
    const dir = scratch();
    const file = join(dir, "typo.yaml");
    writeFileSync(file, "duration: 1m\nfunctions:\n  orders: { runtime: model, model: { durationMs: 5 } }\ntraffic: []\nexpect:\n  errors: { order: 0 }\n");
    const r = await cli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("expect.errors: no function named 'order' (the architecture has: orders)");
  });
  it("refuses misspelt names in traffic and faults when it loads, each with its line, before any traffic runs", async () => {
    const dir = scratch();
    const file = join(dir, "typos.yaml");
    writeFileSync(
      file,
      [
        "duration: 1m",
        "functions:",
        "  notify: { runtime: model, model: { durationMs: 5 } }",
        "queues:",
        "  jobs: {}",
        "buses:",
        "  audit: {}",
        "faults:",
        "  - { kind: error, function: notfy }",
        "  - { kind: error, source: 'sqs:job' }",
        "  - { kind: delivery-failure, target: 'events:adit' }",
        "  - { kind: delivery-failure, target: 'events:default' }",
        "traffic:",
        "  - send: { queue: jbos }",
        "  - invoke: { function: notify }",
        "  - put: { stream: clicks }",
      ].join("\n"),
    );
    const r = await cli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("scenario typos");
    expect(r.stderr.replace(/^lambda-sim: /, "").trim().split("\n")).toEqual([
      `${file}:9 faults[0].function: no function named 'notfy' (the architecture has: notify)`,
      `${file}:10 faults[1].source: no queue named 'job' (the architecture has: jobs)`,
      `${file}:11 faults[2].target: no bus named 'adit' (the architecture has: audit, default)`,
      `${file}:14 traffic[0].send.queue: no queue named 'jbos' (the architecture has: jobs)`,
      `${file}:16 traffic[2].put.stream: no stream named 'clicks' (the architecture has: none)`,
    ]);
  });
});

describe("lambda-sim run: a SAM template's logical ids", () => {
  // Cloned under another folder name, the stack name and so every generated name changes; the
  // logical ids stay. Both are accepted wherever a scenario names a function, queue or stream.
  const cloned = () => {
    const dir = scratch();
    cpSync(fileURLToPath(new URL("../examples/sam-app/", import.meta.url)), join(dir, "nu-project"), { recursive: true });
    return dir;
  };

  it("names functions, queues and streams by logical id in traffic, faults and expectations, and by their generated names too", async () => {
    const dir = cloned();
    const file = join(dir, "scenario.yaml");
    writeFileSync(
      file,
      [
        "duration: 2m",
        "architecture: nu-project/template.yaml",
        "faults:",
        "  - { kind: error, function: RecordClicksFunction, source: 'kinesis:ClicksStream', nth: [1] }",
        "traffic:",
        "  - send: { queue: OrdersQueue, count: 6, body: '{\"id\": {i}}' }",
        "  - put: { stream: ClicksStream, count: 4, data: { user: u, page: '/p{i}' } }",
        "expect:",
        "  invocations: { ProcessOrderFunction: { min: 2 }, RecordClicksFunction: { min: 1 } }",
        "  errors: { ProcessOrderFunction: 0, RecordClicksFunction: 1, nu-project-ProcessOrderFunction-FNJ67CSARBGI: 0 }",
        "  faultsFired: 1",
        "  messages: { OrdersQueue: 0, dev-orders-dlq: 0 }",
      ].join("\n"),
    );
    const r = await runScenario(file);
    expect(r.results.filter((e) => !e.ok), r.report).toEqual([]);
    expect(r.results.map((e) => e.what)).toContain("invocations of RecordClicksFunction");
    expect(r.report).toContain("6 messages to OrdersQueue");
    expect(r.ok, r.report).toBe(true);
  }, 60_000);

  it("refuses a logical id the template does not have, listing names and logical ids", async () => {
    const dir = cloned();
    const file = join(dir, "typo.yaml");
    writeFileSync(file, "duration: 1m\narchitecture: nu-project/template.yaml\nexpect:\n  errors: { ProcessOrdersFunction: 0 }\n");
    const r = await cli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/expect\.errors: no function named 'ProcessOrdersFunction' \(the architecture has: .*nu-project-ProcessOrderFunction-\w+.*ProcessOrderFunction/);
  }, 30_000);
  it("refuses a misspelt logical id in traffic and faults when it loads, with its line, listing names and logical ids", async () => {
    const dir = cloned();
    const file = join(dir, "typo.yaml");
    writeFileSync(file, ["duration: 1m", "architecture: nu-project/template.yaml", "faults:", "  - { kind: error, source: 'sqs:OrdersQeue' }", "traffic:", "  - send: { queue: OrdersQeue }", "  - invoke: { function: CreateOrderFunction }"].join("\n"));
    const r = await cli(["run", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/typo\.yaml:4 faults\[0\]\.source: no queue named 'OrdersQeue' \(the architecture has: dev-orders, .*OrdersQueue, OrdersDeadLetterQueue/);
    expect(r.stderr).toMatch(/typo\.yaml:6 traffic\[0\]\.send\.queue: no queue named 'OrdersQeue'/);
    expect(r.stderr).not.toContain("CreateOrderFunction");
  }, 30_000);
});

describe("lambda-sim run: an EventBridge bus destination by logical id", () => {
  it("fails one delivery to the bus a fault names as events:<logical id>, scoped to the function by its logical id", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "template.yaml"),
      [
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
        "  AuditBus:",
        "    Type: AWS::Events::EventBus",
        "    Properties: { Name: audit }",
        "  NotifyFunction:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        "      Runtime: nodejs24.x",
        "      Handler: index.handler",
        '      InlineCode: "exports.handler = async (e) => ({ ok: e.n });"',
        "      EventInvokeConfig:",
        "        MaximumRetryAttempts: 0",
        "        DestinationConfig:",
        "          OnSuccess: { Type: EventBridge, Destination: !GetAtt AuditBus.Arn }",
      ].join("\n"),
    );
    const file = join(dir, "scenario.yaml");
    writeFileSync(
      file,
      [
        "duration: 1m",
        "architecture: template.yaml",
        "faults:",
        "  - { kind: delivery-failure, function: NotifyFunction, target: 'events:AuditBus', nth: 1 }",
        "traffic:",
        "  - invoke: { function: NotifyFunction, count: 3 }",
        "expect:",
        "  invocations: { NotifyFunction: 3 }",
        "  delivered: { AuditBus: 2 }",
        "  faultsFired: 1",
      ].join("\n"),
    );
    const r = await runScenario(file);
    expect(r.results.filter((e) => !e.ok), r.report).toEqual([]);
    // By the logical id the scenario names it by, not its Name (newuser11 N2-3).
    expect(r.report).toContain("delivered: 2 to AuditBus");
  }, 60_000);
});

describe("lambda-sim run: real processes", () => {
  it("holds the virtual clock while real handlers run; a second run makes the same service decisions", async () => {
    const dir = scratch();
    const file = join(dir, "real.yaml");
    const code = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
    writeFileSync(
      file,
      [
        "seed: 5",
        "duration: 30m",
        "functions:",
        `  consumer: { runtime: nodejs24.x, handler: index.echo, codeUri: ${JSON.stringify(code)}, timeout: 5 }`,
        "queues:",
        "  work: { visibilityTimeout: 60, redrivePolicy: { deadLetterTargetArn: sqs:work-dlq, maxReceiveCount: 2 } }",
        "  work-dlq: {}",
        "eventSourceMappings:",
        "  - { functionName: consumer, eventSourceArn: sqs:work, batchSize: 1 }",
        "faults:",
        "  - { kind: error, source: sqs:work, payloadContains: poison }",
        "traffic:",
        "  - send: { queue: work, count: 4, rate: 0.0166667, body: 'job {i}' }",
        "  - send: { queue: work, count: 1, body: poison }",
        "expect:",
        "  invocations: { consumer: 6 }   # four jobs, the poison message twice",
        "  errors: { consumer: 2 }",
        "  messages: { work-dlq: 1, work: 0 }",
      ].join("\n"),
    );
    const a = await runScenario(file, { trace: join(dir, "a.jsonl") });
    expect(a.results.filter((e) => !e.ok), a.report).toEqual([]);
    await runScenario(file, { trace: join(dir, "b.jsonl") });
    expect(traceDecisions(join(dir, "a.jsonl"))).toEqual(traceDecisions(join(dir, "b.jsonl")));
  }, 120_000);
});
