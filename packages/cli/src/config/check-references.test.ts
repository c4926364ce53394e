import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSimError } from "@lambda-sim/core";
import { apiGatewaySource, eventsSource, kinesisSource, schedulesSource, sqsSource } from "@lambda-sim/sources";
import { loadConfig } from "./load-config.ts";
import { arnReferenceProblems } from "./arn-references.ts";

const SOURCES = [sqsSource, kinesisSource, schedulesSource, eventsSource, apiGatewaySource];

/** loadConfig's ERR_CONFIG message for `text`, the file's path written FILE; "" when it loads. */
async function problems(text: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-refs-"));
  mkdirSync(join(dir, "fn"));
  const file = join(dir, "lambda-sim.yaml");
  writeFileSync(file, text);
  return loadConfig(file, SOURCES).then(
    () => "",
    (e: unknown) => {
      if (!isSimError(e) || e.code !== "ERR_CONFIG") throw e;
      return e.message.replaceAll(file, "FILE");
    },
  );
}

const FN = (name: string, extra = "") => `  ${name}:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\n${extra}`;

describe("config references", () => {
  it("a redrive target naming an undeclared queue is one line with file, line, key path and did-you-mean", async () => {
    const text = ["queues:", "  jobs:", "    redrivePolicy: { deadLetterTargetArn: sqs:job-dlq, maxReceiveCount: 3 }", "  jobs-dlq:", ""].join("\n");
    expect(await problems(text)).toBe("FILE:3 queues.jobs.redrivePolicy.deadLetterTargetArn: sqs:job-dlq names no queue declared under queues: (did you mean 'sqs:jobs-dlq'?)");
  });

  it("API routes and authorizers naming undeclared functions report where", async () => {
    const text = ["functions:", FN("orders"), "apis:", "  shop:", "    routes:", '      "GET /orders": order', '      "POST /orders": { functionName: orders, authorizer: auth }', "    authorizers:", "      auth: { functionName: checker }", ""].join("\n");
    expect((await problems(text)).split("\n")).toEqual([
      `FILE:10 apis.shop.routes["GET /orders"]: order names no function declared under functions: (did you mean 'orders'?)`,
      "FILE:13 apis.shop.authorizers.auth.functionName: checker names no function declared under functions:",
    ]);
  });

  it("a route naming an authorizer its API does not declare reports where, with the API's authorizers, instead of crashing the start", async () => {
    const text = ["functions:", FN("orders"), "apis:", "  shop:", "    routes:", '      "POST /orders": { functionName: orders, authorizer: tokn }', '      "GET /orders": { functionName: orders, authorizer: NONE }', "    authorizers:", "      token: { functionName: orders }", ""].join("\n");
    expect(await problems(text)).toBe(`FILE:10 apis.shop.routes["POST /orders"].authorizer: no authorizer 'tokn' in this API's authorizers (it has: token; NONE for no authorizer)`);
  });

  it("a mapping naming a misspelt function, and one reading an undeclared stream, report where", async () => {
    const text = [
      "functions:",
      FN("worker"),
      "streams:",
      "  clicks: { shardCount: 1 }",
      "eventSourceMappings:",
      "  - functionName: wroker",
      "    eventSourceArn: kinesis:click",
      "    startingPosition: LATEST",
      "",
    ].join("\n");
    expect((await problems(text)).split("\n")).toEqual([
      "FILE:10 eventSourceMappings[0].functionName: wroker names no function declared under functions: (did you mean 'worker'?)",
      "FILE:11 eventSourceMappings[0].eventSourceArn: kinesis:click names no stream declared under streams: (did you mean 'kinesis:clicks'?)",
    ]);
  });

  it("checks DLQs, destinations, mapping destinations and schedule targets, all at once", async () => {
    const text = [
      "functions:",
      FN("worker", "    deadLetterConfig: { targetArn: sqs:dead }\n    eventInvokeConfig:\n      destinationConfig:\n        onSuccess: { destination: lambda:nobody }\n        onFailure: { destination: sqs:failed }\n"),
      "queues:",
      "  failed:",
      "schedules:",
      "  nightly:",
      '    scheduleExpression: "rate(1 day)"',
      "    target: { arn: lambda:workr, deadLetterConfig: { arn: sqs:faild } }",
      "",
    ].join("\n");
    expect((await problems(text)).split("\n")).toEqual([
      "FILE:6 functions.worker.deadLetterConfig.targetArn: sqs:dead names no queue declared under queues:",
      "FILE:9 functions.worker.eventInvokeConfig.destinationConfig.onSuccess.destination: lambda:nobody names no function declared under functions:",
      "FILE:17 schedules.nightly.target.arn: lambda:workr names no function declared under functions: (did you mean 'lambda:worker'?)",
      "FILE:17 schedules.nightly.target.deadLetterConfig.arn: sqs:faild names no queue declared under queues: (did you mean 'sqs:failed'?)",
    ]);
  });

  it("a destination on an EventBridge bus is events:NAME of a bus under buses: (or the default bus); a DLQ cannot be one", async () => {
    const dest = (success: string, failure: string) => `    deadLetterConfig: { targetArn: events:audit }\n    eventInvokeConfig:\n      destinationConfig:\n        onSuccess: { destination: ${success} }\n        onFailure: { destination: ${failure} }\n`;
    const text = ["buses:", "  audit: {}", "functions:", FN("worker", dest("events:default", "events:audt")), ""].join("\n");
    expect((await problems(text)).split("\n")).toEqual([
      "FILE:8 functions.worker.deadLetterConfig.targetArn: expected sqs:NAME, sns:NAME or an ARN, got events:audit",
      "FILE:12 functions.worker.eventInvokeConfig.destinationConfig.onFailure.destination: events:audt names no bus declared under buses: (did you mean 'events:audit'?)",
    ]);
    expect(await problems(["buses:", "  audit: {}", "functions:", FN("worker", dest("events:default", "events:audit")).replace(/ *deadLetterConfig.*\n/, ""), ""].join("\n"))).toBe("");
  });

  it("an EventBridge rule's targets and their DLQs name declared resources (review21 R21-5)", async () => {
    const text = [
      "functions:",
      FN("worker"),
      "queues:",
      "  audit-dlq: {}",
      "buses:",
      "  shop:",
      "    rules:",
      "      orders:",
      '        eventPattern: { source: ["shop"] }',
      "        targets:",
      "          - { arn: lambda:worker }",
      "          - { arn: lambda:workr, deadLetterConfig: { arn: sqs:audit-dq } }",
      "          - { arn: sqs:audit-dlq }",
      "",
    ].join("\n");
    expect((await problems(text)).split("\n")).toEqual([
      "FILE:16 buses.shop.rules.orders.targets[1].arn: lambda:workr names no function declared under functions: (did you mean 'lambda:worker'?)",
      "FILE:16 buses.shop.rules.orders.targets[1].deadLetterConfig.arn: sqs:audit-dq names no queue declared under queues: (did you mean 'sqs:audit-dlq'?)",
    ]);
  });

  it("takes declared names (with qualifiers) and full ARNs, which can name what the API created", async () => {
    const text = [
      "functions:",
      FN("worker", "    deadLetterConfig: { targetArn: arn:aws:sqs:us-east-1:000000000000:made-by-api }\n"),
      "queues:",
      "  jobs: { redrivePolicy: { deadLetterTargetArn: sqs:jobs-dlq, maxReceiveCount: 2 } }",
      "  jobs-dlq:",
      "eventSourceMappings:",
      "  - { functionName: 'worker:live', eventSourceArn: sqs:jobs }",
      "",
    ].join("\n");
    expect(await problems(text)).toBe("");
  });

  it("a full ARN of its own account and region names something declared or created through the API; another account's is taken as written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-refs-"));
    mkdirSync(join(dir, "fn"));
    const file = join(dir, "lambda-sim.yaml");
    const text = [
      "functions:",
      FN("worker", "    deadLetterConfig: { targetArn: arn:aws:sqs:us-east-1:000000000000:made-by-api }\n    eventInvokeConfig: { destinationConfig: { onSuccess: { destination: arn:aws:sqs:eu-west-1:111111111111:elsewhere } } }\n"),
      "queues:",
      "  jobs: { redrivePolicy: { deadLetterTargetArn: arn:aws:sqs:us-east-1:000000000000:job-dlq, maxReceiveCount: 2 } }",
      "  jobs-dlq:",
      "eventSourceMappings:",
      "  - { functionName: arn:aws:lambda:us-east-1:000000000000:function:worker:live, eventSourceArn: arn:aws:sqs:us-east-1:000000000000:jobs }",
      "",
    ].join("\n");
    writeFileSync(file, text);
    const config = await loadConfig(file, SOURCES);
    // What the state holds (the simulator asks once it is open: core's state-names.ts).
    const state = (queues: string[]) => (kind: string) => (kind === "queue" ? queues : kind === "function" ? ["worker"] : []);
    expect(arnReferenceProblems(config.arnReferences ?? [], state([])).map((l) => l.replaceAll(file, "FILE"))).toEqual([
      "FILE:6 functions.worker.deadLetterConfig.targetArn: arn:aws:sqs:us-east-1:000000000000:made-by-api names no queue declared under queues: or created through the API",
      "FILE:10 queues.jobs.redrivePolicy.deadLetterTargetArn: arn:aws:sqs:us-east-1:000000000000:job-dlq names no queue declared under queues: or created through the API (did you mean 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq'?)",
    ]);
    expect(arnReferenceProblems(config.arnReferences ?? [], state(["made-by-api", "job-dlq"]))).toEqual([]);
  });
});
