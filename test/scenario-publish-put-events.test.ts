import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../packages/cli/src/scenario/scenario-runner.ts";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser4 D: a scenario drives an SNS- or EventBridge-glued architecture through its topic and
 * its bus (`publish:`, `putEvents:` traffic steps), as it does a queue or a stream.
 */
const scratch = () => mkdtempSync(join(tmpdir(), "lambda-sim-publish-"));
function write(lines: string[]): string {
  const file = join(scratch(), "fan-out.yaml");
  writeFileSync(file, lines.join("\n"));
  return file;
}

const FAN_OUT = [
  "seed: 3",
  "duration: 10m",
  "functions:",
  // Fails every time: two async retries (1 min, then 2 min later), then the DLQ.
  "  notify: { runtime: model, model: { durationMs: 20, errorProbability: 1 }, eventInvokeConfig: { maximumRetryAttempts: 2 }, deadLetterConfig: { targetArn: sqs:notify-dlq } }",
  "  audit: { runtime: model, model: { durationMs: 5 } }",
  "  copy: { runtime: model, model: { durationMs: 5 } }",
  "queues:",
  "  notify-dlq: {}",
  // An SQS subscriber's messages are SNS envelopes, whose MD5 reaches the trace: it must replay too.
  "  orders-copy: {}",
  "topics:",
  "  orders:",
  "    subscriptions:",
  "      - { protocol: lambda, endpoint: lambda:notify, filterPolicy: { kind: [order] } }",
  "      - { protocol: sqs, endpoint: sqs:orders-copy }",
  "buses:",
  "  shop:",
  "    rules:",
  "      placed:",
  "        eventPattern: { source: [shop], detail-type: [OrderPlaced], detail: { total: [{ numeric: ['>', 100] }] } }",
  "        targets: [{ arn: lambda:audit }]",
  "eventSourceMappings:",
  "  - { functionName: copy, eventSourceArn: sqs:orders-copy }",
  "traffic:",
  "  - publish: { topic: orders, count: 5, rate: 1, message: '{\"order\": {i}}', subject: New order, attributes: { kind: order, n: 1 } }",
  "  - publish: { topic: orders, count: 3, attributes: { kind: [refund] } }   # filtered out",
  "  - putEvents: { bus: shop, source: shop, detailType: OrderPlaced, count: 4, rate: 2, detail: { id: '{i}', total: 250 } }",
  "  - putEvents: { bus: shop, source: shop, detailType: OrderPlaced, count: 2, detail: { total: 5 } }   # no match",
];
const EXPECT = [
  "expect:",
  "  invocations: { notify: 15, audit: 4 }",
  "  errors: { notify: 15, audit: 0 }",
  "  retries: { notify: 10 }",
  "  givenUp: { notify: 5 }",
  "  delivered: { notify-dlq: 5 }",
  "  messages: { notify-dlq: 5 }",
];

describe("lambda-sim run: publish and putEvents traffic", () => {
  it("a topic fanning out to a failing function with a DLQ and a bus rule to a function: retries, DLQ, expectations met", async () => {
    const r = await runScenario(write([...FAN_OUT, ...EXPECT]));
    expect(r.results.filter((e) => !e.ok), r.report).toEqual([]);
    expect(r.ok, r.report).toBe(true);
    expect(r.report).toContain("traffic: 8 messages published to orders, 6 events put on shop");
    expect(r.report).not.toContain("traffic failed");
  }, 60_000);

  it("replays byte for byte with the same seed", async () => {
    const file = write([...FAN_OUT, ...EXPECT]);
    const dir = scratch();
    await runScenario(file, { trace: join(dir, "a.jsonl") });
    await runScenario(file, { trace: join(dir, "b.jsonl") });
    const a = readFileSync(join(dir, "a.jsonl"));
    expect(a.length).toBeGreaterThan(1000);
    expect(a.equals(readFileSync(join(dir, "b.jsonl")))).toBe(true);
  }, 60_000);

  it("reports what SNS or EventBridge refused as a traffic failure, and the run fails", async () => {
    const r = await runScenario(write([...FAN_OUT.slice(0, FAN_OUT.indexOf("traffic:")), "traffic:", "  - putEvents: { bus: shop, source: shop, detailType: x, detail: 'not json' }"]));
    expect(r.ok).toBe(false);
    expect(r.report).toMatch(/traffic failed: putEvents on shop: 1 of 1 refused: MalformedDetail/);
  }, 60_000);

  it("refuses a step missing its source, an unknown key and a misspelt topic or bus, each with its line", async () => {
    const head = FAN_OUT.slice(0, FAN_OUT.indexOf("traffic:"));
    const bad = write([...head, "traffic:", "  - putEvents: { detailType: x }", "  - publish: { topic: orders, cuont: 2 }", "  - pubish: { topic: orders }"]);
    const r = await runCli(["run", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.replace(/^lambda-sim: /, "").trim().split("\n")).toEqual([
      `${bad}:${head.length + 2} traffic[0].putEvents.source: expected a string, but it is missing`,
      `${bad}:${head.length + 3} traffic[1].publish.cuont: unknown key (did you mean 'count'?)`,
      `${bad}:${head.length + 4} traffic[2]: expected a traffic step: send, put, publish, putEvents, invoke, http or wait`,
      `${bad}:${head.length + 4} traffic[2].pubish: unknown key (did you mean 'publish'?)`,
    ]);
    const typos = write([...head, "traffic:", "  - publish: { topic: ordres }", "  - putEvents: { bus: shpo, source: shop, detailType: x }"]);
    const t = await runCli(["run", typos]);
    expect(t.code).toBe(1);
    expect(t.stderr.replace(/^lambda-sim: /, "").trim().split("\n")).toEqual([
      `${typos}:${head.length + 2} traffic[0].publish.topic: no topic named 'ordres' (the architecture has: orders)`,
      `${typos}:${head.length + 3} traffic[1].putEvents.bus: no bus named 'shpo' (the architecture has: shop, default)`,
    ]);
  }, 60_000);

  it("names a template's topic and bus by logical id", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "template.yaml"),
      [
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
        "  OrdersTopic: { Type: AWS::SNS::Topic }",
        "  ShopBus: { Type: AWS::Events::EventBus, Properties: { Name: shop } }",
        "  NotifyFunction:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        "      Runtime: nodejs24.x",
        "      Handler: index.handler",
        '      InlineCode: "exports.handler = async () => ({});"',
        "      Events:",
        "        Orders: { Type: SNS, Properties: { Topic: !Ref OrdersTopic } }",
        "        Placed: { Type: EventBridgeRule, Properties: { EventBusName: !Ref ShopBus, Pattern: { source: [shop] } } }",
      ].join("\n"),
    );
    const file = join(dir, "scenario.yaml");
    writeFileSync(
      file,
      [
        "duration: 1m",
        "architecture: template.yaml",
        "traffic:",
        "  - publish: { topic: OrdersTopic, count: 2 }",
        "  - putEvents: { bus: ShopBus, source: shop, detailType: OrderPlaced, count: 3 }",
        "expect:",
        "  invocations: { NotifyFunction: 5 }",
        "  errors: { NotifyFunction: 0 }",
      ].join("\n"),
    );
    const r = await runScenario(file);
    expect(r.results.filter((e) => !e.ok), r.report).toEqual([]);
    expect(r.report).toContain("traffic: 2 messages published to OrdersTopic, 3 events put on ShopBus");
  }, 60_000);
});
