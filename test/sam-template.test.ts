import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DeleteFunctionCommand, GetAliasCommand, GetFunctionConfigurationCommand, GetFunctionEventInvokeConfigCommand, InvokeCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * A template in the shape of AWS's SAM examples (an SQS consumer with partial batch responses and a
 * DLQ through the queue's RedrivePolicy, Globals, parameters), run with `lambda-sim start --template`
 * and checked with the SDK as a user would.
 */
const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: dev }
  ConsumerBatchSize: { Type: Number, Default: 10 }
Globals:
  Function:
    Runtime: nodejs24.x
    Timeout: 3
    Environment: { Variables: { STAGE: !Ref Stage } }
Resources:
  OrdersQueue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "\${Stage}-orders"
      VisibilityTimeout: 3
      RedrivePolicy: { deadLetterTargetArn: !GetAtt OrdersDLQ.Arn, maxReceiveCount: 2 }
  OrdersDLQ:
    Type: AWS::SQS::Queue
    Properties: { QueueName: !Sub "\${Stage}-orders-dlq" }
  ConsumerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      AutoPublishAlias: live
      Environment: { Variables: { QUEUE_URL: !Ref OrdersQueue } }
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt OrdersQueue.Arn
            BatchSize: !Ref ConsumerBatchSize
            FunctionResponseTypes: [ReportBatchItemFailures]
  ReportRole:
    Type: AWS::IAM::Role
    Properties: { AssumeRolePolicyDocument: {} }
Outputs:
  Queue: { Value: !Ref OrdersQueue }
`;

const APP = `export const handler = async (event) => {
  const ids = event.Records.map((r) => JSON.parse(r.body).id);
  console.log("batch " + process.env.STAGE + " " + ids.length + " " + ids.join(","));
  return { batchItemFailures: event.Records.filter((r) => JSON.parse(r.body).poison).map((r) => ({ itemIdentifier: r.messageId })) };
};
`;

function samProject(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-sam-")), "shop");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src", "app.mjs"), APP);
  writeFileSync(join(dir, "template.yaml"), TEMPLATE);
  return dir;
}

describe("lambda-sim start --template", () => {
  it("delivers a message sent to the template's queue to the template's function, through its mapping, batch size and DLQ", async () => {
    const dir = samProject();
    const sim = await startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory", "--time-scale", "3", "--parameter-overrides", "Stage=test ConsumerBatchSize=3"]);
    const client = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
    const sqs = new SQSClient(client);
    const lambda = new LambdaClient(client);
    try {
      // What the template became, as the start-up lines say it.
      expect(sim.output()).toMatch(/OrdersQueue +queue http:\/\/127\.0\.0\.1:\d+\/000000000000\/test-orders \(dead-letter queue sqs:test-orders-dlq after 2 receives\)/);
      expect(sim.output()).toMatch(/ConsumerFunction\.Orders +mapping sqs:test-orders → shop-ConsumerFunction-[A-Z0-9]{12}:live \(batch 3, partial batch responses\)/);
      expect(sim.output()).toContain("IAM roles, policies and permissions are accepted and ignored (lambda-sim checks no permissions): ReportRole");
      const functionName = /function (shop-ConsumerFunction-[A-Z0-9]{12})/.exec(sim.output())![1]!;

      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "test-orders" }));
      const [mapping] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }))).EventSourceMappings!;
      // AutoPublishAlias: the mapping invokes the alias (SAM points every event source at it).
      expect(mapping).toMatchObject({ EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:test-orders", FunctionArn: expect.stringMatching(/:function:shop-ConsumerFunction-[A-Z0-9]{12}:live$/), BatchSize: 3, FunctionResponseTypes: ["ReportBatchItemFailures"] });
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      expect(config.Environment?.Variables).toEqual({ STAGE: "test", QUEUE_URL: QueueUrl });
      // AutoPublishAlias: a version and its alias exist once the simulator listens.
      expect(await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: "live" }))).toMatchObject({ Name: "live", FunctionVersion: "1" });

      const entries = [1, 2, 3, 4, 5, 6].map((id) => ({ Id: `m${id}`, MessageBody: JSON.stringify({ id, poison: id === 4 }) }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
      // The poison order is returned alone (partial batch response) until the redrive policy moves it.
      const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: "test-orders-dlq" }))).QueueUrl!;
      let dead: string[] = [];
      await until(async () => {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
        dead = (got.Messages ?? []).map((m) => m.Body!);
        return dead.length > 0;
      }, 20_000);
      expect(dead).toEqual([JSON.stringify({ id: 4, poison: true })]);
      const batches = [...sim.output().matchAll(/batch test (\d+) ([\d,]+)/g)].map((m) => ({ size: Number(m[1]), ids: m[2]!.split(",").map(Number) }));
      expect(Math.max(...batches.map((b) => b.size))).toBeLessThanOrEqual(3);
      expect(new Set(batches.flatMap((b) => b.ids))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
      expect(batches.filter((b) => b.ids.includes(4))).toHaveLength(2);

      // The alias invokes the published version, like any other.
      const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Qualifier: "live", Payload: JSON.stringify({ Records: [] }) }));
      expect(out.ExecutedVersion).toBe("1");
    } finally {
      sqs.destroy();
      lambda.destroy();
      await sim.kill();
    }
  }, 40_000);

  it("applies plain CloudFormation resources through the simulator's APIs: rule and targets, schedule, version, alias, event invoke config", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-cfn-")), "billing");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "template.json"),
      JSON.stringify({
        Resources: {
          Failed: { Type: "AWS::SQS::Queue", Properties: { QueueName: "billing-failed" } },
          Fn: { Type: "AWS::Lambda::Function", Properties: { FunctionName: "bill", Runtime: "nodejs24.x", Handler: "index.handler", Code: { ZipFile: "exports.handler = async (e) => e;" } } },
          V1: { Type: "AWS::Lambda::Version", Properties: { FunctionName: { Ref: "Fn" } } },
          Live: { Type: "AWS::Lambda::Alias", Properties: { FunctionName: { Ref: "Fn" }, Name: "live", FunctionVersion: { "Fn::GetAtt": ["V1", "Version"] } } },
          Async: { Type: "AWS::Lambda::EventInvokeConfig", Properties: { FunctionName: { Ref: "Fn" }, Qualifier: "$LATEST", MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["Failed", "Arn"] } } } } },
          Tick: { Type: "AWS::Events::Rule", Properties: { Name: "tick", ScheduleExpression: "rate(5 minutes)", Targets: [{ Id: "bill", Arn: { "Fn::GetAtt": ["Fn", "Arn"] }, Input: '{"tick":true}' }] } },
          Monthly: { Type: "AWS::Scheduler::Schedule", Properties: { Name: "monthly", ScheduleExpression: "cron(0 0 1 * ? *)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: { "Fn::GetAtt": ["Fn", "Arn"] }, RoleArn: "arn:aws:iam::000000000000:role/r" } } },
        },
      }),
    );
    const sim = await startLambdaSim(["--template", join(dir, "template.json"), "--in-memory"]);
    const client = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
    const lambda = new LambdaClient(client);
    const events = new EventBridgeClient(client);
    const scheduler = new SchedulerClient(client);
    try {
      expect(await events.send(new DescribeRuleCommand({ Name: "tick" }))).toMatchObject({ ScheduleExpression: "rate(5 minutes)", State: "ENABLED" });
      expect((await events.send(new ListTargetsByRuleCommand({ Rule: "tick" }))).Targets).toEqual([{ Id: "bill", Arn: "arn:aws:lambda:us-east-1:000000000000:function:bill", Input: '{"tick":true}' }]);
      expect(await scheduler.send(new GetScheduleCommand({ Name: "monthly" }))).toMatchObject({ ScheduleExpression: "cron(0 0 1 * ? *)", Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:bill" } });
      expect(await lambda.send(new GetAliasCommand({ FunctionName: "bill", Name: "live" }))).toMatchObject({ FunctionVersion: "1" });
      expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "bill" }))).toMatchObject({ MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:billing-failed" } } });
      const out = await lambda.send(new InvokeCommand({ FunctionName: "bill", Qualifier: "live", Payload: '{"n":1}' }));
      expect(Buffer.from(out.Payload!).toString()).toBe('{"n":1}');
    } finally {
      lambda.destroy();
      events.destroy();
      scheduler.destroy();
      await sim.kill();
    }
  }, 30_000);

  it("makes the queues SAM makes: a topic's SqsSubscription queue mapped to the function, a rule's DeadLetterConfig { Type: SQS } queue", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-sam-queues-")), "shop");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "src", "app.mjs"), 'export const handler = async (event) => { for (const r of event.Records) console.log("got " + r.eventSource + " " + JSON.parse(r.body).Message); };\n');
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Orders: { Type: AWS::SNS::Topic, Properties: { TopicName: orders } }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: worker
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      Events:
        Placed: { Type: SNS, Properties: { Topic: !Ref Orders, SqsSubscription: true } }
  Audit:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: audit
      InlineCode: "exports.handler = async () => 1;"
      Handler: index.handler
      Runtime: nodejs24.x
      Events:
        Shipped: { Type: EventBridgeRule, Properties: { RuleName: shipped, Pattern: { source: [shop] }, DeadLetterConfig: { Type: SQS } } }
Outputs:
  Dlq: { Value: !Ref AuditShippedQueue }
`;
    writeFileSync(join(dir, "template.yaml"), template);
    const sim = await startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory"]);
    const client = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
    const sns = new SNSClient(client);
    const sqs = new SQSClient(client);
    const lambda = new LambdaClient(client);
    const events = new EventBridgeClient(client);
    try {
      expect(sim.output()).toMatch(/WorkerPlacedQueue +queue http:\/\/127\.0\.0\.1:\d+\/000000000000\/shop-WorkerPlacedQueue-[A-Z0-9]{12} \(created by SAM for Worker\.Placed\)/);
      expect(sim.output()).toMatch(/Worker\.Placed +subscription orders → sqs:shop-WorkerPlacedQueue-[A-Z0-9]{12} \(WorkerPlacedQueue\) → worker \(batch 10\)/);
      // SNS → the queue (the SNS envelope as the message body) → the function, through an SQS mapping.
      await sns.send(new PublishCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:orders", Message: "order-1" }));
      await until(() => sim.output().includes("got aws:sqs order-1"), 20_000);
      const [mapping] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "worker" }))).EventSourceMappings!;
      expect(mapping).toMatchObject({ EventSourceArn: expect.stringMatching(/:shop-WorkerPlacedQueue-[A-Z0-9]{12}$/), BatchSize: 10, State: "Enabled" });

      // The rule's target has the queue SAM made as its dead-letter queue: a delivery to a function
      // that no longer exists lands there (EventBridge does not retry a missing target).
      const dlqUrl = /output Dlq: (\S+)/.exec(sim.output())![1]!;
      const dlqArn = `arn:aws:sqs:us-east-1:000000000000:${dlqUrl.split("/").at(-1)}`;
      expect((await events.send(new ListTargetsByRuleCommand({ Rule: "shipped" }))).Targets).toEqual([expect.objectContaining({ Id: "AuditShippedLambdaTarget", DeadLetterConfig: { Arn: dlqArn } })]);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: "audit" }));
      await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "Shipped", Detail: '{"id":7}' }] }));
      let dead: { body?: string; code?: string }[] = [];
      await until(async () => {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MessageAttributeNames: ["All"] }));
        dead = (got.Messages ?? []).map((m) => ({ body: m.Body, code: m.MessageAttributes?.ERROR_CODE?.StringValue }));
        return dead.length > 0;
      }, 20_000);
      expect(dead).toEqual([{ body: expect.stringContaining('"detail":{"id":7}'), code: "RESOURCE_NOT_FOUND" }]);
    } finally {
      sns.destroy();
      sqs.destroy();
      lambda.destroy();
      events.destroy();
      await sim.kill();
    }
  }, 40_000);

  it("builds a TypeScript function with esbuild as sam build does (Metadata BuildMethod: esbuild), and names the file and line of a build error", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-ts-")), "typed");
    mkdirSync(join(dir, "hello", "lib"), { recursive: true });
    writeFileSync(join(dir, "hello", "lib", "greet.ts"), "export const greet = (name: string): string => `Hello, ${name}`;\n");
    writeFileSync(join(dir, "hello", "app.ts"), 'import { greet } from "./lib/greet";\ninterface Event { name: string }\nexport const handler = async (event: Event) => ({ message: greet(event.name) });\n');
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: hello-ts, CodeUri: hello/, Handler: app.handler, Runtime: nodejs22.x }
    Metadata:
      BuildMethod: esbuild
      BuildProperties: { Minify: false, Target: es2022, EntryPoints: [app.ts] }
`;
    writeFileSync(join(dir, "template.yaml"), template);
    const sim = await startLambdaSim(["--template", join(dir, "template.yaml"), "--state", join(dir, ".lambda-sim")]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      expect(sim.output()).toMatch(/HelloFunction +function hello-ts \(nodejs22\.x, app\.handler, built with esbuild\)/);
      const out = await lambda.send(new InvokeCommand({ FunctionName: "hello-ts", Payload: '{"name":"Ada"}' }));
      expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ message: "Hello, Ada" });
    } finally {
      lambda.destroy();
      await sim.kill();
    }
    writeFileSync(join(dir, "hello", "lib", "greet.ts"), "// greetings\nexport const greet = (name: string): string => name +;\n");
    await expect(startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory"])).rejects.toThrow(`lambda-sim: ${join(dir, "hello", "lib", "greet.ts")}:2 Resources.HelloFunction (esbuild): Unexpected ";"`);
  }, 30_000);

  it("names the template's event when the simulator refuses its mapping (visibility timeout shorter than the function's timeout)", async () => {
    const dir = samProject();
    writeFileSync(join(dir, "template.yaml"), TEMPLATE.replace("VisibilityTimeout: 3", "VisibilityTimeout: 2"));
    await expect(startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory"])).rejects.toThrow(
      `lambda-sim: ${join(dir, "template.yaml")}:31 Resources.ConsumerFunction.Properties.Events.Orders.Properties: Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds`,
    );
  });

  it("refuses a template with a !Ref to nothing, naming the file, line and property", async () => {
    const dir = samProject();
    writeFileSync(join(dir, "template.yaml"), TEMPLATE.replace("QUEUE_URL: !Ref OrdersQueue", "QUEUE_URL: !Ref OrderQueue"));
    await expect(startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory"])).rejects.toThrow(
      `lambda-sim: ${join(dir, "template.yaml")}:27 Resources.ConsumerFunction.Properties.Environment.Variables.QUEUE_URL.Ref: !Ref OrderQueue: no parameter, pseudo parameter or resource is named OrderQueue`,
    );
  });
});
