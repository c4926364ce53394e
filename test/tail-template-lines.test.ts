import type { ChildProcess } from "node:child_process";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { PurgeQueueCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * newuser14 F14 and F23, from a SAM template as a workshop runs one: tail names what the template
 * created by its logical id (as the page does), leaves `:$LATEST` out beside a function with no
 * other version, writes a schedule's delivery as `lambda:NAME`, keeps its lines within 100
 * columns, and says when a queue fills and drains; `--long` keeps the generated names.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersQueue:
    Type: AWS::SQS::Queue
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
  TickFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => 'tick';"
      Events:
        Every5:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
`;

describe("lambda-sim tail beside a template's page", () => {
  it("names resources by logical id in lines that fit 100 columns, and says when a queue fills and drains", { timeout: 180_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory"]);
    const worker = generatedName(sim.output(), "WorkerFunction");
    const queue = /queue \S+\/(shop-OrdersQueue-\w+)/.exec(sim.output())![1]!;
    const short = startTail(["--endpoint", sim.endpoint], children);
    const long = startTail(["--endpoint", sim.endpoint, "--long"], children);
    await until(() => short.err().includes("following") && long.err().includes("following"), 60_000);

    const creds = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
    const sqs = new SQSClient(creds);
    const lambda = new LambdaClient(creds);
    try {
      const QueueUrl = `${sim.endpoint}/000000000000/${queue}`;
      for (let i = 0; i < 12; i += 6) await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 6 }, (_, j) => ({ Id: `m${j}`, MessageBody: `order ${i + j}` })) }));
      await until(() => short.out().includes("queue OrdersQueue filling: 12 messages, past 10 (12 visible), oldest "), 30_000);
      await until(() => long.out().includes(`queue ${queue} filling: 12 messages, past 10 (12 visible)`), 30_000);
      // The page's view has the queue's ApproximateAgeOfOldestMessage beside its counts.
      const state = (await (await fetch(`${sim.endpoint}/_sim/state`)).json()) as { queues: { name: string; visible: number; ageOfOldestMessageSeconds: number }[] };
      expect(state.queues.find((q) => q.name === queue)).toMatchObject({ visible: 12, ageOfOldestMessageSeconds: expect.any(Number) });
      await sqs.send(new PurgeQueueCommand({ QueueUrl }));
      await until(() => short.out().includes("queue OrdersQueue drained: 0 messages, under 10 (0 visible)"), 30_000);

      await lambda.send(new InvokeCommand({ FunctionName: worker, Payload: "{}" }));
      await until(() => /invoked WorkerFunction [0-9a-f]{8}: [\d.]+ ms \(billed \d+\)/.test(short.out()), 60_000);
      await until(() => long.out().includes(`invoked ${worker}:$LATEST request `), 30_000);

      // SAM's Schedule event is an EventBridge rule: fired by its logical id, delivered to the function.
      const fired = await fetch(`${sim.endpoint}/_sim/schedules/TickFunctionEvery5/fire`, { method: "POST" });
      expect(fired.status, await fired.text()).toBeLessThan(300);
      await until(() => /schedule TickFunctionEvery5: delivered to lambda:TickFunction \(request [0-9a-f]{8}\)/.test(short.out()), 60_000);
      await until(() => /schedule shop-TickFunctionEvery5-\w+ target \w+: delivered to lambda:shop-TickFunction-\w+ \(request [0-9a-f-]{36}\)/.test(long.out()), 30_000);
      await until(() => short.out().includes("invoked TickFunction "), 60_000);

      const lines = short.out().trim().split("\n");
      expect(short.out()).not.toContain("shop-");
      expect(short.out()).not.toContain("$LATEST");
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(100);
    } finally {
      sqs.destroy();
      lambda.destroy();
      await sim.kill();
    }
  });
});
