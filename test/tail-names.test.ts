import type { ChildProcess } from "node:child_process";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterEach, describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";
import { startTail } from "./support/tail-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * `lambda-sim tail --function NAME` with the names a user has at hand: a template's logical id
 * (SAM's generated function names hold the stack's name), and a name that is no function, which
 * is said on stderr instead of printing nothing forever.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

const tail = (args: string[]) => startTail(args, children);

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => 'other';"
`;

describe("lambda-sim tail --function", () => {
  it("follows a function named by its template logical id, and says so", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory"]);
    const worker = generatedName(sim.output(), "WorkerFunction");
    const other = generatedName(sim.output(), "OtherFunction");
    const t = tail(["--endpoint", sim.endpoint, "--function", "WorkerFunction"]);
    // A CLI process takes seconds to start on a loaded machine.
    await until(() => t.err().includes("following"), 60_000);
    expect(t.err()).toContain(`WorkerFunction is the template's logical id of function ${worker}`);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      await lambda.send(new InvokeCommand({ FunctionName: other }));
      await lambda.send(new InvokeCommand({ FunctionName: worker, Payload: "{}" }));
      // Named as the template names it, without `:$LATEST` (its only version; newuser14 F14).
      await until(() => /invoked WorkerFunction [0-9a-f]{8}: /.test(t.out()), 30_000);
      expect(t.out()).not.toContain(other);
      expect(t.out()).not.toContain("OtherFunction");
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  });

  it("says on stderr when no function has the name, listing the ones there are, and keeps following", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory"]);
    const t = tail(["--endpoint", sim.endpoint, "--function", "ProcessOrderFunction"]);
    try {
      await until(() => t.err().includes("lambda-sim tail: following"), 60_000);
      expect(t.err()).toMatch(/no function named 'ProcessOrderFunction' \(the simulator has: shop-OtherFunction-\w+, shop-WorkerFunction-\w+, WorkerFunction, OtherFunction\); its events are shown if it is created later/);
      expect(t.child.exitCode).toBeNull();
    } finally {
      await sim.kill();
    }
  });
});

const SOURCES = `Transform: AWS::Serverless-2016-10-31
Resources:
  ShopBus:
    Type: AWS::Events::EventBus
    Properties:
      Name: shop-bus
  OrdersTopic:
    Type: AWS::SNS::Topic
  OrdersQueue:
    Type: AWS::SQS::Queue
`;

describe("lambda-sim tail --source", () => {
  it("takes a bus's or topic's template logical id, bare or after its prefix, says so, and follows it", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(SOURCES), "--in-memory"]);
    const topic = /topic (shop-OrdersTopic-\w+)/.exec(sim.output())![1]!;
    const bus = tail(["--endpoint", sim.endpoint, "--source", "ShopBus"]);
    const byTopic = tail(["--endpoint", sim.endpoint, "--source", "sns:OrdersTopic"]);
    const creds = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
    const events = new EventBridgeClient(creds);
    const sns = new SNSClient(creds);
    try {
      await until(() => bus.err().includes("following") && byTopic.err().includes("following"), 60_000);
      expect(bus.err()).toContain("ShopBus is the template's logical id of bus shop-bus");
      expect(byTopic.err()).toContain(`OrdersTopic is the template's logical id of topic ${topic}`);
      await events.send(new PutEventsCommand({ Entries: [{ EventBusName: "shop-bus", Source: "shop", DetailType: "order", Detail: "{}" }] }));
      await sns.send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:000000000000:${topic}`, Message: "hi" }));
      await until(() => bus.out().includes("events ShopBus event") && byTopic.out().includes("sns sns:OrdersTopic message"), 30_000);
      expect(bus.out()).not.toContain("sns ");
      expect(byTopic.out()).not.toContain("events ShopBus");
    } finally {
      events.destroy();
      sns.destroy();
      await sim.kill();
    }
  });

  it("says on stderr when no queue, stream, topic or bus has the name, listing those there are", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(SOURCES), "--in-memory"]);
    const t = tail(["--endpoint", sim.endpoint, "--source", "nosuchthing"]);
    const q = tail(["--endpoint", sim.endpoint, "--source", "sqs:OrdersQueu"]);
    try {
      await until(() => t.err().includes("lambda-sim tail: following") && q.err().includes("lambda-sim tail: following"), 60_000);
      expect(t.err()).toMatch(/no queue, stream, topic or bus named 'nosuchthing' \(the simulator has: shop-OrdersQueue-\w+, shop-OrdersTopic-\w+, default, shop-bus, ShopBus, OrdersTopic, OrdersQueue\); its events are shown if it is created later/);
      expect(q.err()).toMatch(/no queue named 'OrdersQueu' \(the simulator has: sqs:shop-OrdersQueue-\w+, OrdersQueue\)/);
      expect(t.child.exitCode).toBeNull();
    } finally {
      await sim.kill();
    }
  });
});
