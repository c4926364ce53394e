import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";
import { until } from "./support/until.ts";

/**
 * `POST /_sim/faults` with the names a user has at hand (newuser2 N4): a template's logical id
 * is resolved as `lambda-sim tail --function` and scenarios resolve it, and a name the simulator
 * does not have is refused with a 404 naming it and listing the names it has, rather than a fault
 * that counts `matched: 0` forever.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
  WorkQueue:
    Type: AWS::SQS::Queue
`;

async function listed(endpoint: string): Promise<unknown[]> {
  return ((await (await fetch(`${endpoint}/_sim/faults`)).json()) as { faults: unknown[] }).faults;
}

async function post(endpoint: string, body: unknown): Promise<{ status: number; errorType: string | null; json: any }> {
  const res = await fetch(`${endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, errorType: res.headers.get("x-amzn-errortype"), json: await res.json() };
}

describe("POST /_sim/faults: names", () => {
  it("takes a template's logical ids and refuses names the simulator does not have, listing those it has", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory"]);
    const worker = generatedName(sim.output(), "WorkerFunction");
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
    try {
      // A typo: 404, as Lambda answers for a function it does not have, naming what there is.
      const typo = await post(sim.endpoint, { kind: "error", function: "no-such-fn", errorType: "Boom" });
      expect(typo.status).toBe(404);
      expect(typo.errorType).toBe("ResourceNotFoundException");
      expect(typo.json.code).toBe("ResourceNotFoundException");
      expect(typo.json.message).toContain("Function not found: no-such-fn");
      expect(typo.json.message).toContain(worker);
      expect(typo.json.message).toContain("WorkerFunction");
      const queueTypo = await post(sim.endpoint, { kind: "error", function: "WorkerFunction", source: "sqs:WorkQueu" });
      expect(queueTypo.status).toBe(404);
      expect(queueTypo.json.message).toMatch(/fault\.source: Queue not found: WorkQueu \(the simulator has: shop-WorkQueue-\w+, WorkQueue\)/);
      // A list with one bad name adds none of it.
      const list = await post(sim.endpoint, [{ kind: "latency", function: "WorkerFunction", ms: 5 }, { kind: "error", function: "WorkerFunctoin" }]);
      expect(list.status).toBe(404);
      expect(list.json.message).toContain("faults[1].function: Function not found: WorkerFunctoin");
      expect(await listed(sim.endpoint)).toEqual([]);

      // The logical id resolves to the function it became, and the fault fires on it.
      const added = await post(sim.endpoint, { kind: "error", function: "WorkerFunction", errorType: "Boom" });
      expect(added.status).toBe(200);
      expect(added.json).toMatchObject({ kind: "error", function: worker, errorType: "Boom" });
      const out = await lambda.send(new InvokeCommand({ FunctionName: worker, Payload: "{}" }));
      expect(out.FunctionError).toBe("Unhandled");
      expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: "Boom" });
      expect(await listed(sim.endpoint)).toEqual([expect.objectContaining({ function: worker, matched: 1, fired: 1 })]);

      // A queue by its logical id too; an ARN is taken as written, warned about when it names no function yet.
      const bySource = await post(sim.endpoint, { kind: "error", source: "sqs:WorkQueue" });
      expect(bySource.status).toBe(200);
      expect(bySource.json.source).toMatch(/^sqs:shop-WorkQueue-\w+$/);
      const later = await post(sim.endpoint, { kind: "throttle", function: "arn:aws:lambda:us-east-1:000000000000:function:created-later" });
      expect(later.status).toBe(200);
      expect(later.json.warning).toContain("no function named 'created-later' yet");
      // Unscoped is allowed, and said (newuser14 F8: forgetting `function` in a demo broke the API too).
      const everywhere = await post(sim.endpoint, { kind: "error", times: 1 });
      expect(everywhere.status).toBe(200);
      expect(everywhere.json.warning).toBe("no function, source, mapping or payloadContains: the fault applies to every invocation of every function");
      expect(bySource.json.warning).toBeUndefined();
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  });

  it("fails `lambda-sim start` whose lambda-sim.yaml has faults naming a function, queue, stream, topic or bus it does not declare, each at its file:line", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-fault-names-"));
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(
      file,
      [
        "functions:",
        "  orders: { runtime: model, model: { durationMs: 10 } }",
        "queues:",
        "  jobs:",
        "streams:",
        "  clicks: { shardCount: 1 }",
        "topics:",
        "  alerts: {}",
        "faults:",
        "  - { kind: error, function: order }",
        "  - { kind: error, source: sqs:job }",
        "  - { kind: timeout, source: kinesis:click }",
        "  - { kind: delivery-failure, target: sns:alert }",
        "  - { kind: delivery-failure, target: events:ops }",
        "  - { kind: crash, source: sns:alerts }",
        "",
      ].join("\n"),
    );
    // Refused when it starts (were it to listen instead, the helper kills it after the test).
    const refused = await startLambdaSim(["--in-memory", "--config", file]).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(refused.replaceAll(file, "FILE")).toContain(
      [
        "FILE:10 faults[0].function: order names no function declared under functions: (did you mean 'orders'?)",
        "FILE:11 faults[1].source: sqs:job names no queue declared under queues: (did you mean 'sqs:jobs'?)",
        "FILE:12 faults[2].source: kinesis:click names no stream declared under streams: (did you mean 'kinesis:clicks'?)",
        "FILE:13 faults[3].target: sns:alert names no topic declared under topics: (did you mean 'sns:alerts'?)",
        "FILE:14 faults[4].target: events:ops names no bus declared under buses:",
        "FILE:15 faults[5].source: expected sqs:NAME, kinesis:NAME or an ARN, got sns:alerts",
      ].join("\n"),
    );
  });
  it("starts a template whose lambda-sim.yaml has faults naming the template's function and queue by logical id, and they fire; a misspelt one fails at its file:line", { timeout: 120_000 }, async () => {
    const template = writeStackTemplate(`Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
      Events:
        Jobs: { Type: SQS, Properties: { Queue: !GetAtt JobsQueue.Arn, BatchSize: 1 } }
  JobsQueue:
    Type: AWS::SQS::Queue
    Properties: { QueueName: jobs }
`);
    const beside = join(template, "..", "lambda-sim.yaml");
    const faults = (fn: string) => ["faults:", "  - { kind: error, source: sqs:JobsQueue, errorType: FromQueue }", `  - { kind: error, function: ${fn}, errorType: Boom }`, ""].join("\n");
    writeFileSync(beside, faults("OrdersFunctoin"));
    const refused = await startLambdaSim(["--template", template, "--in-memory"]).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(refused.replaceAll(beside, "FILE")).toMatch(/FILE:3 faults\[1\]\.function: no function named 'OrdersFunctoin' \(the architecture has: shop-OrdersFunction-\w+, OrdersFunction\)/);

    writeFileSync(beside, faults("OrdersFunction"));
    const sim = await startLambdaSim(["--template", template, "--in-memory"]);
    const orders = generatedName(sim.output(), "OrdersFunction");
    const credentials = { accessKeyId: "x", secretAccessKey: "x" };
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    const sqs = new SQSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: orders, Payload: "{}" }));
      expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: "Boom" });
      // The first matching fault fires: a delivery from the queue meets the source's.
      await sqs.send(new SendMessageCommand({ QueueUrl: `${sim.endpoint}/000000000000/jobs`, MessageBody: "job" }));
      await until(async () => ((await listed(sim.endpoint)) as { source?: string; fired: number }[]).some((f) => f.source === "sqs:jobs" && f.fired > 0));
      expect(await listed(sim.endpoint)).toContainEqual(expect.objectContaining({ function: orders, errorType: "Boom" }));
    } finally {
      lambda.destroy();
      sqs.destroy();
      await sim.kill();
    }
  });

  it("refuses a fault scoped to a mapping UUID no mapping has, listing the mappings there are", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-fault-mapping-"));
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(file, ["functions:", "  orders: { runtime: model, model: { durationMs: 10 } }", "queues:", "  jobs:", "eventSourceMappings:", "  - { functionName: orders, eventSourceArn: sqs:jobs }", ""].join("\n"));
    const sim = await startLambdaSim(["--in-memory", "--config", file]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "orders" }));
    const uuid = EventSourceMappings![0]!.UUID!;
    const bad = await post(sim.endpoint, { kind: "error", mapping: "nope" });
    expect(bad.status).toBe(404);
    expect(bad.errorType).toBe("ResourceNotFoundException");
    expect(bad.json.message).toBe(`fault.mapping: Event source mapping not found: nope (the simulator has: ${uuid})`);
    expect((await post(sim.endpoint, { kind: "error", mapping: uuid })).status).toBe(200);
    await sim.kill();
  });
});
