import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipFiles } from "@lambda-sim/core/testing";
import { apiGatewaySource, createSchedulesSource, kinesisSource, snsSource, sqsSource, eventsSource } from "@lambda-sim/sources";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "./load-template.ts";
import { loadTemplateWithOverlay, parseParameterOverrides } from "./start-config.ts";

const sources = [sqsSource, kinesisSource, createSchedulesSource(), snsSource, apiGatewaySource, eventsSource];

/** A project folder named `shop` with a template and a src/ folder of code. */
function project(template: string, files: Record<string, string | Buffer> = {}): { dir: string; file: string } {
  const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-template-test-")), "shop");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src", "app.mjs"), "export const handler = async () => ({});\n");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const file = join(dir, "template.yaml");
  writeFileSync(file, template);
  return { dir, file };
}

function load(template: string, opts: { overrides?: Record<string, string>; files?: Record<string, string | Buffer> } = {}) {
  const { dir, file } = project(template, opts.files);
  return loadTemplate(file, { sources, parameterOverrides: opts.overrides, endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
}

async function errorOf(template: string, opts: { overrides?: Record<string, string>; files?: Record<string, string | Buffer> } = {}): Promise<string> {
  try {
    await load(template, opts);
  } catch (e) {
    return (e as Error).message.replaceAll(/\/\S*\/shop\//g, "");
  }
  throw new Error("expected the template to be refused");
}

const HEADER = "Transform: AWS::Serverless-2016-10-31\n";

describe("loadTemplate", () => {
  it("maps a SAM SQS consumer onto a function, a queue with its redrive policy, and a mapping", async () => {
    const config = await load(`${HEADER}
Globals:
  Function:
    Runtime: nodejs24.x
    Timeout: 10
    Environment: { Variables: { STAGE: dev, SHARED: "1" } }
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy: { deadLetterTargetArn: !GetAtt OrdersDlq.Arn, maxReceiveCount: 3 }
  OrdersDlq: { Type: AWS::SQS::Queue, Properties: { QueueName: orders-dlq } }
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: consumer
      CodeUri: src/
      Handler: app.handler
      MemorySize: 512
      ReservedConcurrentExecutions: 5
      RecursiveLoop: Allow
      Environment: { Variables: { STAGE: prod, QUEUE_URL: !Ref Orders } }
      Events:
        Queue:
          Type: SQS
          Properties: { Queue: !GetAtt Orders.Arn, BatchSize: 7, MaximumBatchingWindowInSeconds: 2, FunctionResponseTypes: [ReportBatchItemFailures], ScalingConfig: { MaximumConcurrency: 4 } }
Outputs:
  QueueUrl: { Value: !Ref Orders }
`);
    const fn = config.functions[0]!;
    expect(fn).toMatchObject({ functionName: "consumer", runtime: "nodejs24.x", handler: "app.handler", memorySize: 512, timeout: 10, reservedConcurrency: 5, recursiveLoop: "Allow" });
    expect(fn.codeDir).toMatch(/\/shop\/src$/);
    // Globals' variables merged under the function's own, which win.
    expect(fn.environment).toEqual({ STAGE: "prod", SHARED: "1", QUEUE_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:3001\/000000000000\/shop-Orders-[A-Z0-9]{12}$/) });
    const queueName = fn.environment!.QUEUE_URL!.split("/").at(-1)!;
    expect(config.sources.queues).toEqual({ [queueName]: { visibilityTimeout: 60, redrivePolicy: { deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:orders-dlq", maxReceiveCount: 3 } }, "orders-dlq": {} });
    expect(config.eventSourceMappings).toEqual([
      expect.objectContaining({ FunctionName: "consumer", EventSourceArn: `arn:aws:sqs:us-east-1:000000000000:${queueName}`, BatchSize: 7, MaximumBatchingWindowInSeconds: 2, FunctionResponseTypes: ["ReportBatchItemFailures"], ScalingConfig: { MaximumConcurrency: 4 } }),
    ]);
    expect(config.template.lines.join("\n")).toMatch(/Queue +mapping sqs:shop-Orders-\w+ → consumer \(batch 7, partial batch responses\)/);
    expect(config.template.lines).toContain(`  output QueueUrl: ${fn.environment!.QUEUE_URL}`);
  });

  it("maps FunctionUrlConfig onto functionUrl:, served under the id !GetAtt <Fn>Url.FunctionUrl gives", async () => {
    const config = await load(`${HEADER}
Resources:
  Web:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: web
      Runtime: nodejs24.x
      CodeUri: src/
      Handler: app.handler
      FunctionUrlConfig: { AuthType: AWS_IAM, InvokeMode: RESPONSE_STREAM, Cors: { AllowOrigins: ["*"], MaxAge: 60 } }
Outputs:
  Url: { Value: !GetAtt WebUrl.FunctionUrl }
`);
    const fn = config.functions[0]!;
    expect(fn.functionUrl).toEqual({ authType: "AWS_IAM", invokeMode: "RESPONSE_STREAM", cors: { AllowOrigins: ["*"], MaxAge: 60 }, urlId: expect.stringMatching(/^[a-f0-9]{32}$/) });
    expect(config.template.lines).toContain(`  output Url: http://${fn.functionUrl!.urlId}.lambda-url.us-east-1.localhost:3001/`);
  });

  it("maps Kinesis events, ScheduleV2 schedules and Schedule rules", async () => {
    const config = await load(`${HEADER}
Resources:
  Clicks: { Type: AWS::Kinesis::Stream, Properties: { Name: clicks, ShardCount: 2, RetentionPeriodHours: 48 } }
  Failed: { Type: AWS::SQS::Queue, Properties: { QueueName: failed } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: fn
      Runtime: nodejs22.x
      Handler: app.handler
      InlineCode: "exports.handler = async () => 1;"
      Events:
        Stream:
          Type: Kinesis
          Properties: { Stream: !GetAtt Clicks.Arn, StartingPosition: LATEST, BatchSize: 50, ParallelizationFactor: 2, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Type: SQS, Destination: !GetAtt Failed.Arn } } }
        Nightly:
          Type: ScheduleV2
          Properties: { ScheduleExpression: "cron(0 3 * * ? *)", ScheduleExpressionTimezone: Europe/Paris, Input: '{"a":1}', RetryPolicy: { MaximumRetryAttempts: 1 } }
        Hourly:
          Type: Schedule
          Properties: { Schedule: rate(1 hour), Name: hourly, Input: '{"b":2}', Enabled: false }
`);
    expect(readFileSync(join(config.functions[0]!.codeDir, "index.js"), "utf8")).toBe("exports.handler = async () => 1;");
    expect(config.sources.streams).toEqual({ clicks: { shardCount: 2, retentionPeriodHours: 48 } });
    expect(config.eventSourceMappings[0]).toMatchObject({ EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks", StartingPosition: "LATEST", BatchSize: 50, ParallelizationFactor: 2, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failed" } } });
    const schedules = config.sources.schedules as Record<string, { scheduleExpression: string; target: { arn: string; input: string } }>;
    const [name, schedule] = Object.entries(schedules)[0]!;
    expect(name).toMatch(/^shop-FnNightly-[A-Z0-9]{12}$/);
    expect(schedule).toMatchObject({ scheduleExpression: "cron(0 3 * * ? *)", scheduleExpressionTimezone: "Europe/Paris", target: { arn: "arn:aws:lambda:us-east-1:000000000000:function:fn", input: '{"a":1}', retryPolicy: { maximumRetryAttempts: 1 } } });
    expect(config.template.actions).toEqual([
      { kind: "rule", logicalId: "Fn.Hourly", name: "hourly", rule: { ScheduleExpression: "rate(1 hour)", State: "DISABLED" }, targets: [{ Id: "FnHourlyLambdaTarget", Arn: "arn:aws:lambda:us-east-1:000000000000:function:fn", Input: '{"b":2}' }] },
    ]);
  });

  it("says a subscription's bad filter policy at the AWS::SNS::Subscription's line, declared before its topic or after", async () => {
    for (const order of [["Sub", "T"], ["T", "Sub"]]) {
      const parts: Record<string, string> = {
        Sub: "  Sub:\n    Type: AWS::SNS::Subscription\n    Properties: { TopicArn: !Ref T, Protocol: sqs, Endpoint: !GetAtt Q.Arn, FilterPolicy: { total: [ { numric: [1] } ] } }\n",
        T: "  T:\n    Type: AWS::SNS::Topic\n    Properties: { Subscription: [ { Protocol: sqs, Endpoint: !GetAtt Q.Arn } ] }\n",
      };
      const template = `Resources:\n  Q: { Type: AWS::SQS::Queue }\n${order.map((k) => parts[k]).join("")}`;
      const line = order[0] === "Sub" ? 5 : 8;
      expect(await errorOf(template)).toBe(`template.yaml:${line} Resources.Sub.Properties.FilterPolicy: expected a filter policy SNS accepts (Unrecognized match type numric)`);
    }
  });

  it("says a SAM SNS event's bad filter policy at the event's own key (review23 M6: it was blamed on the topic)", async () => {
    const template =
      "Transform: AWS::Serverless-2016-10-31\nResources:\n  T: { Type: AWS::SNS::Topic }\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs24.x\n      Handler: app.handler\n      CodeUri: src/\n" +
      "      Events:\n        Alerts:\n          Type: SNS\n          Properties: { Topic: !Ref T, FilterPolicy: { total: [ { numric: [1] } ] } }\n";
    expect(await errorOf(template)).toBe("template.yaml:13 Resources.Fn.Properties.Events.Alerts.Properties.FilterPolicy: expected a filter policy SNS accepts (Unrecognized match type numric)");
  });

  it("lists a rule on a bus named by its ARN by the bus's name, and a disabled rule as disabled", async () => {
    const config = await load(
      "Resources:\n  Bus: { Type: AWS::Events::EventBus, Properties: { Name: shop-bus } }\n  Q: { Type: AWS::SQS::Queue }\n" +
        "  Off:\n    Type: AWS::Events::Rule\n    Properties: { EventBusName: !GetAtt Bus.Arn, State: DISABLED, EventPattern: { source: [shop] }, Targets: [{ Id: q, Arn: !GetAtt Q.Arn }] }\n",
    );
    expect(config.template!.lines.join("\n")).toMatch(/Off +EventBridge rule \S+ \(DISABLED\): pattern on shop-bus → sqs:/);
  });

  it("maps SNS events, AWS::SNS::Topic and AWS::SNS::Subscription onto topics with their subscriptions", async () => {
    const config = await load(`${HEADER}
Resources:
  Notify:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: notify
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      Events:
        Orders: { Type: SNS, Properties: { Topic: !Ref Orders, FilterPolicy: { total: [{ numeric: [">", 100] }] } } }
  Audit: { Type: AWS::SQS::Queue, Properties: { QueueName: audit } }
  AuditSub: { Type: AWS::SNS::Subscription, Properties: { TopicArn: !Ref Orders, Protocol: sqs, Endpoint: !GetAtt Audit.Arn, RawMessageDelivery: true } }
  Orders: { Type: AWS::SNS::Topic, Properties: { TopicName: orders, DisplayName: Orders } }
  Ledger: { Type: AWS::SNS::Topic, Properties: { FifoTopic: true } }
`);
    expect(config.sources.topics).toMatchObject({
      orders: {
        displayName: "Orders",
        subscriptions: [
          { protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1:000000000000:function:notify", filterPolicy: { total: [{ numeric: [">", 100] }] } },
          { protocol: "sqs", endpoint: "arn:aws:sqs:us-east-1:000000000000:audit", rawMessageDelivery: true },
        ],
      },
    });
    expect(Object.keys(config.sources.topics as object).find((n) => n !== "orders")).toMatch(/^shop-Ledger-[A-Z0-9]{12}\.fifo$/);
  });

  it("maps plain CloudFormation: Lambda::Function, EventSourceMapping, Events::Rule, Scheduler::Schedule, and unpacks a zip", async () => {
    const zip = await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 'zipped';" }]);
    const config = await load(
      `
Parameters: { Batch: { Type: Number, Default: 3 } }
Resources:
  Queue: { Type: AWS::SQS::Queue, Properties: { QueueName: jobs.fifo, FifoQueue: true, ContentBasedDeduplication: true } }
  Worker: { Type: AWS::Lambda::Function, Properties: { FunctionName: worker, Runtime: nodejs24.x, Handler: index.handler, Code: fn.zip, Role: !GetAtt WorkerRole.Arn, Timeout: 30 } }
  WorkerRole: { Type: AWS::IAM::Role, Properties: { AssumeRolePolicyDocument: {} } }
  Mapping: { Type: AWS::Lambda::EventSourceMapping, Properties: { FunctionName: !Ref Worker, EventSourceArn: !GetAtt Queue.Arn, BatchSize: !Ref Batch } }
  Tick: { Type: AWS::Events::Rule, Properties: { ScheduleExpression: rate(5 minutes), Targets: [{ Id: w, Arn: !GetAtt Worker.Arn }] } }
  Later: { Type: AWS::Scheduler::Schedule, Properties: { ScheduleExpression: "at(2030-01-01T00:00:00)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: !GetAtt Queue.Arn, RoleArn: !GetAtt WorkerRole.Arn, Input: hi } } }
  Permission: { Type: AWS::Lambda::Permission, Properties: { FunctionName: !Ref Worker, Action: lambda:InvokeFunction, Principal: events.amazonaws.com } }
  Table: { Type: AWS::DynamoDB::Table, Properties: {} }
  Topic: { Type: AWS::SNS::Topic, Properties: { Subscription: [{ Protocol: lambda, Endpoint: !GetAtt Worker.Arn }] } }
`,
      { files: { "fn.zip": zip } },
    );
    expect(readFileSync(join(config.functions[0]!.codeDir, "index.mjs"), "utf8")).toContain("zipped");
    expect(config.functions[0]).toMatchObject({ functionName: "worker", role: "arn:aws:iam::000000000000:role/shop-WorkerRole-" + config.functions[0]!.role!.split("-").at(-1), timeout: 30 });
    expect(config.sources.queues).toEqual({ "jobs.fifo": { fifoQueue: true, contentBasedDeduplication: true } });
    expect(config.eventSourceMappings).toEqual([expect.objectContaining({ FunctionName: "worker", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:jobs.fifo", BatchSize: 3 })]);
    expect(Object.values(config.sources.schedules as object)).toEqual([expect.objectContaining({ scheduleExpression: "at(2030-01-01T00:00:00)", target: { arn: "arn:aws:sqs:us-east-1:000000000000:jobs.fifo", input: "hi", roleArn: config.functions[0]!.role } })]);
    expect(config.template.actions).toEqual([expect.objectContaining({ kind: "rule", name: expect.stringMatching(/^shop-Tick-/), targets: [{ Id: "w", Arn: "arn:aws:lambda:us-east-1:000000000000:function:worker" }] })]);
    const lines = config.template.lines.join("\n");
    expect(lines).toContain("not simulated (yet): Table (AWS::DynamoDB::Table)");
    expect(Object.values(config.sources.topics as object)).toEqual([{ subscriptions: [{ protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1:000000000000:function:worker" }] }]);
    expect(lines).toContain("IAM roles, policies and permissions are accepted and ignored (lambda-sim checks no permissions): WorkerRole, Permission");
  });

  it("routes Api events, subscribes SNS events, and skips resources whose condition is false", async () => {
    const config = await load(`${HEADER}
Parameters: { Stage: { Type: String, Default: dev } }
Conditions: { IsProd: !Equals [!Ref Stage, prod] }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      Events:
        Get: { Type: Api, Properties: { Path: /, Method: get } }
        Http: { Type: HttpApi }
        Topic: { Type: SNS, Properties: { Topic: arn:aws:sns:us-east-1:000000000000:t } }
  ProdOnly: { Type: AWS::SQS::Queue, Condition: IsProd }
`);
    expect(config.functions.map((f) => f.functionName)).toEqual([expect.stringMatching(/^shop-Fn-[A-Z0-9]{12}$/)]);
    const lines = config.template.lines.join("\n");
    expect(lines).toMatch(/Fn\.Get +REST API ServerlessRestApi: GET \/ → shop-Fn-/);
    expect(lines).not.toContain("not simulated (yet): Fn.");
    expect(lines).toMatch(/ProdOnly +not created: condition IsProd is false/);
    expect(config.sources.queues).toEqual({});
  });

  it("turns EventBridgeRule and CloudWatchEvent events, AWS::Events::EventBus and pattern rules into buses, rules and targets", async () => {
    const config = await load(`${HEADER}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: fn
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      Events:
        Placed: { Type: EventBridgeRule, Properties: { RuleName: placed, EventBusName: !Ref Orders, Pattern: { source: [shop] }, InputPath: $.detail } }
        Legacy: { Type: CloudWatchEvent, Properties: { Pattern: { source: [aws.ec2] }, Input: '{"legacy":true}' } }
  Audit: { Type: AWS::SQS::Queue, Properties: { QueueName: audit } }
  AllOrders:
    Type: AWS::Events::Rule
    Properties:
      Name: all-orders
      EventBusName: !GetAtt Orders.Name
      EventPattern: { source: [{ prefix: sh }] }
      Targets: [{ Id: audit, Arn: !GetAtt Audit.Arn, InputTransformer: { InputPathsMap: { id: $.id }, InputTemplate: '"<id>"' } }]
  Orders: { Type: AWS::Events::EventBus, Properties: { Name: orders } }
`);
    expect(config.template.actions).toEqual([
      { kind: "event-bus", logicalId: "Orders", name: "orders" },
      { kind: "rule", logicalId: "Fn.Placed", name: "placed", rule: { EventPattern: '{"source":["shop"]}', EventBusName: "orders", State: "ENABLED" }, targets: [{ Id: "FnPlacedLambdaTarget", Arn: "arn:aws:lambda:us-east-1:000000000000:function:fn", InputPath: "$.detail" }] },
      // CloudWatchEvent is EventBridgeRule's older name (SAM): the same rule, on the default bus.
      { kind: "rule", logicalId: "Fn.Legacy", name: expect.stringMatching(/^shop-FnLegacy-[A-Z0-9]{12}$/), rule: { EventPattern: '{"source":["aws.ec2"]}', State: "ENABLED" }, targets: [{ Id: "FnLegacyLambdaTarget", Arn: "arn:aws:lambda:us-east-1:000000000000:function:fn", Input: '{"legacy":true}' }] },
      { kind: "rule", logicalId: "AllOrders", name: "all-orders", rule: { EventPattern: '{"source":[{"prefix":"sh"}]}', EventBusName: "orders", State: "ENABLED" }, targets: [{ Id: "audit", Arn: "arn:aws:sqs:us-east-1:000000000000:audit", InputTransformer: { InputPathsMap: { id: "$.id" }, InputTemplate: '"<id>"' } }] },
    ]);
  });

  it("reports errors one per line with the file, line and the template's key path", async () => {
    const message = await errorOf(`${HEADER}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs24.x
      Environment: { Variables: { Q: !Ref Nothing } }
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs24.x
      CodeUri: missing/
`);
    expect(message.split("\n")).toEqual([
      "template.yaml:9 Resources.Fn.Properties.Environment.Variables.Q.Ref: !Ref Nothing: no parameter, pseudo parameter or resource is named Nothing",
      "template.yaml:15 Resources.Other.Properties.CodeUri: directory not found: missing",
    ]);
  });

  it("reports a function with neither CodeUri nor InlineCode at its CodeUri", async () => {
    expect(await errorOf(`${HEADER}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs24.x
`)).toBe("template.yaml:6 Resources.Fn.Properties.CodeUri: expected CodeUri (a folder or a zip file beside the template) or InlineCode, but it is missing");
  });

  it("reports values the config schema refuses at the template's property", async () => {
    const message = await errorOf(`${HEADER}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: java21
      MemorySize: 64
      Events:
        Q: { Type: SQS, Properties: { Queue: arn:aws:sqs:us-east-1:000000000000:q, FunctionResponseTypes: [Partial] } }
`);
    expect(message.split("\n")).toEqual([
      expect.stringMatching(/^template\.yaml:9 Resources\.Fn\.Properties\.Runtime: expected one of nodejs22\.x, .*, got 'java21'$/),
      "template.yaml:10 Resources.Fn.Properties.MemorySize: expected an integer between 128 and 10240, got 64",
      "template.yaml:12 Resources.Fn.Properties.Events.Q.Properties.FunctionResponseTypes[0]: expected ReportBatchItemFailures, got 'Partial'",
    ]);
  });

  it("reports a template that does not parse, a cycle, a bad parameter and ImportValue", async () => {
    expect(await errorOf("Resources:\n  A: [unclosed\n")).toMatch(/^template\.yaml:\d+ invalid YAML: /);
    expect(await errorOf(`
Resources:
  A: { Type: AWS::SQS::Queue, Properties: { Tags: [{ Key: b, Value: !GetAtt B.Arn }] } }
  B: { Type: AWS::SQS::Queue, Properties: { Tags: [{ Key: a, Value: !Ref A }] } }
`)).toBe("template.yaml:3 Resources.A.Properties.Tags[0].Value.Fn::GetAtt: circular dependency between resources: A → B → A");
    // The line is the reference's, not the resource's.
    expect(await errorOf(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      Environment:
        Variables:
          QUEUE: !Sub "\${Jobs}"
  Jobs:
    Type: AWS::SQS::Queue
    DependsOn: [Fn]
`)).toBe("template.yaml:11 Resources.Fn.Properties.Environment.Variables.QUEUE.Fn::Sub: circular dependency between resources: Fn → Jobs → Fn");
    expect(await errorOf("Parameters: { Stage: { Type: String, AllowedValues: [dev, prod] } }\nResources: {}\n", { overrides: { Stage: "qa" } })).toBe("template.yaml:1 Parameters.Stage: parameter Stage: expected one of dev, prod, got 'qa'");
    expect(await errorOf("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: { RedrivePolicy: '{oops' }\n")).toBe("template.yaml:4 Resources.Q.Properties.RedrivePolicy: expected a map or its JSON text");
    expect(await errorOf("Parameters: { Stage: { Type: String } }\nResources: {}\n")).toBe("template.yaml:1 Parameters.Stage: parameter Stage has no value: give it a Default, or pass --parameter-overrides Stage=VALUE (a scenario: parameters: { Stage: VALUE })");
    expect(await errorOf("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !ImportValue shared\n")).toBe(
      "template.yaml:5 Resources.Q.Properties.QueueName.Fn::ImportValue: Fn::ImportValue is not supported: lambda-sim runs one template, with no other stack exporting values (use a parameter)",
    );
  });

  it("combines with a lambda-sim.yaml beside it: its settings apply, its entries win on a name both declare", async () => {
    const { dir, file } = project(`${HEADER}
Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { FunctionName: orders, CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x, Environment: { Variables: { REGION: !Ref AWS::Region } } } }
  Audit: { Type: AWS::Serverless::Function, Properties: { FunctionName: audit, CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x } }
  Q: { Type: AWS::SQS::Queue, Properties: { QueueName: orders, VisibilityTimeout: 10 } }
`);
    writeFileSync(join(dir, "lambda-sim.yaml"), "region: eu-central-1\naccount: { concurrentExecutions: 20 }\nfunctions:\n  audit: { runtime: model, model: { durationMs: 5 } }\nqueues:\n  orders: { visibilityTimeout: 90 }\n  extra:\n");
    const config = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
    expect(config.region).toBe("eu-central-1");
    expect(config.account.concurrentExecutions).toBe(20);
    expect(config.functions.map((f) => [f.functionName, f.runtime])).toEqual([["orders", "nodejs24.x"], ["audit", "model"]]);
    expect(config.functions[0]!.environment).toEqual({ REGION: "eu-central-1" });
    expect(config.sources.queues).toEqual({ orders: { visibilityTimeout: 90 }, extra: {} });
  });

  it("takes an overlay function keyed by a template function's logical id for that function (newuser9 P2-11)", async () => {
    const { dir, file } = project(`${HEADER}
Resources:
  WorkerFunction: { Type: AWS::Serverless::Function, Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x } }
  Jobs: { Type: AWS::SQS::Queue }
`);
    writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  WorkerFunction: { runtime: model, model: { durationMs: 5 } }\nqueues:\n  extra:\neventSourceMappings:\n  - { functionName: WorkerFunction, eventSourceArn: sqs:extra }\n");
    const config = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
    // One function: the template's, as the overlay declares it, under the stack's name for it.
    expect(config.functions.map((f) => [f.functionName, f.runtime])).toEqual([[expect.stringMatching(/-WorkerFunction-[A-Z0-9]{12}$/), "model"]]);
    expect(config.eventSourceMappings.map((m) => m.FunctionName)).toEqual([config.functions[0]!.functionName]);
  });

  it("lets the overlay's mappings, destinations, DLQs, subscriptions and schedules name the template's resources, by logical id too (review18 R18-6)", async () => {
    const { dir, file } = project(`${HEADER}
Resources:
  WorkerFunction: { Type: AWS::Serverless::Function, Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x } }
  Jobs: { Type: AWS::SQS::Queue }
  Failed: { Type: AWS::SQS::Queue, Properties: { QueueName: failed } }
  Alerts: { Type: AWS::SNS::Topic }
`);
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      [
        "functions:",
        "  audit: { runtime: model, model: { durationMs: 5 }, eventInvokeConfig: { destinationConfig: { onFailure: { destination: sqs:Failed } } } }",
        "queues:",
        "  extra: { redrivePolicy: { deadLetterTargetArn: sqs:Jobs, maxReceiveCount: 3 } }",
        "topics:",
        "  more: { subscriptions: [{ protocol: lambda, endpoint: lambda:WorkerFunction }] }",
        "eventSourceMappings:",
        "  - { functionName: WorkerFunction, eventSourceArn: sqs:Jobs, batchSize: 5 }",
        "  - { functionName: audit, eventSourceArn: sqs:failed }",
        "schedules:",
        "  nightly: { scheduleExpression: rate(1 day), target: { arn: lambda:WorkerFunction } }",
        "buses:",
        "  default:",
        "    rules:",
        "      orders: { eventPattern: { source: [shop] }, targets: [{ arn: lambda:WorkerFunction, deadLetterConfig: { arn: sqs:Jobs } }] }",
        "",
      ].join("\n"),
    );
    const config = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
    const worker = config.template!.names.WorkerFunction!.name;
    const jobs = config.template!.names.Jobs!.name;
    // One start-up line says what the overlay added (newuser11 N1-2).
    expect(config.template!.lines).toContain("  lambda-sim.yaml adds: function audit, queue extra, topic more, schedule nightly, rule orders on the default bus, 2 mapping(s)");
    // A rule's target and its DLQ too (review21 R21-5).
    expect((config.sources as Record<string, any>).buses.default.rules.orders.targets[0]).toMatchObject({ arn: `lambda:${worker}`, deadLetterConfig: { arn: `sqs:${jobs}` } });
    expect(worker).toMatch(/-WorkerFunction-[A-Z0-9]{12}$/);
    expect(config.eventSourceMappings.map((m) => [m.FunctionName, m.EventSourceArn])).toEqual([
      [worker, expect.stringContaining(`:${jobs}`)],
      ["audit", expect.stringContaining(":failed")],
    ]);
    expect(config.functions.find((f) => f.functionName === "audit")!.eventInvokeConfig?.onFailure).toBe("sqs:failed");
    const sections = config.sources as Record<string, Record<string, any>>;
    expect(sections.queues!.extra.redrivePolicy.deadLetterTargetArn).toBe(`sqs:${jobs}`);
    expect(sections.topics!.more.subscriptions[0].endpoint).toBe(`lambda:${worker}`);
    expect(sections.schedules!.nightly.target.arn).toBe(`lambda:${worker}`);
  });

  it("refuses an overlay reference that names nothing in either file, at its line, with the template's names among the suggestions", async () => {
    const { dir, file } = project(`${HEADER}
Resources:
  WorkerFunction: { Type: AWS::Serverless::Function, Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x } }
  Jobs: { Type: AWS::SQS::Queue }
`);
    writeFileSync(join(dir, "lambda-sim.yaml"), "eventSourceMappings:\n  - { functionName: WorkerFunctoin, eventSourceArn: sqs:Jobs }\n  - { functionName: WorkerFunction, eventSourceArn: sqs:Jbos }\n");
    const error = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") }).then(() => undefined, (e: Error) => e.message);
    const overlay = join(dir, "lambda-sim.yaml");
    expect(error).toBe(
      [
        `${overlay}:2 eventSourceMappings[0].functionName: WorkerFunctoin names no function declared under functions: or in the template: (did you mean 'WorkerFunction'?)`,
        `${overlay}:3 eventSourceMappings[1].eventSourceArn: sqs:Jbos names no queue declared under queues: or in the template: (did you mean 'sqs:Jobs'?)`,
      ].join("\n"),
    );
  });

  it("takes an overlay queue or function keyed by a logical id for the template's, and its references to them follow (review19 R19-3, R19-6)", async () => {
    const { dir, file } = project(`${HEADER}
Resources:
  WorkerFunction: { Type: AWS::Serverless::Function, Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x } }
  JobsQueue: { Type: AWS::SQS::Queue, Properties: { VisibilityTimeout: 30 } }
`);
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      [
        "functions:",
        "  WorkerFunction: { runtime: model, model: { durationMs: 5 } }",
        "queues:",
        "  JobsQueue: { visibilityTimeout: 90 }",
        "eventSourceMappings:",
        "  - { functionName: WorkerFunction, eventSourceArn: sqs:JobsQueue }",
        "schedules:",
        "  tick: { scheduleExpression: rate(1 hour), target: { arn: lambda:WorkerFunction } }",
        "",
      ].join("\n"),
    );
    const config = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
    const worker = config.template!.names.WorkerFunction!.name;
    const jobs = config.template!.names.JobsQueue!.name;
    const queues = config.sources.queues as Record<string, { visibilityTimeout?: number }>;
    // One queue, the template's, as the overlay declares it.
    expect(Object.keys(queues)).toEqual([jobs]);
    expect(queues[jobs]!.visibilityTimeout).toBe(90);
    expect(config.functions.map((f) => [f.functionName, f.runtime])).toEqual([[worker, "model"]]);
    expect(config.eventSourceMappings.map((m) => [m.FunctionName, m.EventSourceArn])).toEqual([[worker, expect.stringContaining(`:${jobs}`)]]);
    expect((config.sources.schedules as Record<string, { target: { arn: string } }>).tick!.target.arn).toBe(`lambda:${worker}`);
  });

  it("refuses an overlay that keys one template resource twice, by logical id and by name (review21 R21-6)", async () => {
    const template = `${HEADER}
Resources:
  JobsQueue: { Type: AWS::SQS::Queue }
`;
    const first = project(template);
    const jobs = (await loadTemplateWithOverlay(first.file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(first.dir, ".state") })).template!.names.JobsQueue!.name;
    const { dir, file } = project(template);
    const overlay = join(dir, "lambda-sim.yaml");
    writeFileSync(overlay, ["queues:", "  JobsQueue: { visibilityTimeout: 90 }", `  ${jobs}: { visibilityTimeout: 60 }`, ""].join("\n"));
    const refused = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") }).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(refused).toBe(`${overlay}:3 queues.${jobs}: names the same template queue as JobsQueue (${overlay}:2): ${jobs}; keep one`);
  });

  it("takes an overlay schedule keyed by a template schedule's logical id, bare or after its group, for that schedule (newuser11 N1-6)", async () => {
    const template = `${HEADER}
Resources:
  Reports: { Type: AWS::Scheduler::ScheduleGroup, Properties: { Name: reports } }
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      Events:
        Nightly: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 hour), GroupName: reports } }
  Hourly: { Type: AWS::Scheduler::Schedule, Properties: { ScheduleExpression: rate(1 hour), FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: !GetAtt WorkerFunction.Arn, RoleArn: arn:aws:iam::000000000000:role/r } } }
`;
    const { dir, file } = project(template);
    writeFileSync(join(dir, "lambda-sim.yaml"), ["schedules:", "  WorkerFunctionNightly: { scheduleExpression: rate(7 minutes), target: { arn: lambda:WorkerFunction } }", "  Hourly: { scheduleExpression: rate(2 hours), target: { arn: lambda:WorkerFunction } }", ""].join("\n"));
    const config = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
    const schedules = config.sources.schedules as Record<string, { scheduleExpression: string }>;
    // Two schedules, the template's, as the overlay sets them: none added beside them.
    expect(Object.keys(schedules)).toHaveLength(2);
    const nightly = Object.keys(schedules).find((k) => k.startsWith("reports/"))!;
    expect(nightly).toMatch(/^reports\/shop-WorkerFunctionNightly-\w+$/);
    expect(schedules[nightly]!.scheduleExpression).toBe("rate(7 minutes)");
    const hourly = Object.keys(schedules).find((k) => !k.startsWith("reports/"))!;
    expect(hourly).toMatch(/^shop-Hourly-\w+$/);
    expect(schedules[hourly]!.scheduleExpression).toBe("rate(2 hours)");
    // Said at start, where the template's lines show its own (newuser12 N1-7).
    expect(config.template!.lines).toContain(`  schedule ${hourly}: as lambda-sim.yaml declares it`);
    // Keyed after the group, the same.
    writeFileSync(join(dir, "lambda-sim.yaml"), ["schedules:", "  reports/WorkerFunctionNightly: { scheduleExpression: rate(9 minutes), target: { arn: lambda:WorkerFunction } }", ""].join("\n"));
    const again = (await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") })).sources.schedules as Record<string, { scheduleExpression: string }>;
    expect(again[nightly]!.scheduleExpression).toBe("rate(9 minutes)");
    expect(Object.keys(again)).toHaveLength(2);
    // A SAM Type: Schedule event is an EventBridge rule: keyed by its logical id, refused (review22 R22-9).
    writeFileSync(file, template.replace("Nightly: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 hour), GroupName: reports } }", "Nightly: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 hour), GroupName: reports } }\n        Ticker: { Type: Schedule, Properties: { Schedule: rate(5 minutes) } }"));
    writeFileSync(join(dir, "lambda-sim.yaml"), ["schedules:", "  WorkerFunctionTicker: { scheduleExpression: rate(9 minutes), target: { arn: lambda:WorkerFunction } }", ""].join("\n"));
    const refused = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") }).then(() => "", (e: Error) => e.message);
    expect(refused).toMatch(/lambda-sim\.yaml:2 schedules\.WorkerFunctionTicker: WorkerFunctionTicker is the template's scheduled EventBridge rule shop-WorkerFunctionTicker-\w+ \(SAM Type: Schedule\), not a Scheduler schedule/);
  });

  it("says that an overlay mapping for the template's function and queue sets that mapping's settings (newuser11 N1-11)", async () => {
    const { dir, file } = project(`${HEADER}
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x, Events: { Jobs: { Type: SQS, Properties: { Queue: !GetAtt JobsQueue.Arn, BatchSize: 5 } } } }
  JobsQueue: { Type: AWS::SQS::Queue }
`);
    const overlay = join(dir, "lambda-sim.yaml");
    writeFileSync(overlay, ["eventSourceMappings:", "  - { functionName: WorkerFunction, eventSourceArn: sqs:JobsQueue, batchSize: 2 }", ""].join("\n"));
    const config = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
    const worker = config.template!.names.WorkerFunction!.name;
    const jobs = config.template!.names.JobsQueue!.name;
    expect(config.template!.lines).toContain(`  mapping ${worker} <- ${jobs}: the template's, with ${overlay}:2 eventSourceMappings[0]'s settings over its own`);
  });

  it("defers the overlay's mappings and schedules on a template alias until the alias exists (review19 R19-4)", async () => {
    const { dir, file } = project(`${HEADER}
Resources:
  WorkerFunction: { Type: AWS::Serverless::Function, Properties: { FunctionName: worker, CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x, AutoPublishAlias: live } }
  Jobs: { Type: AWS::SQS::Queue, Properties: { QueueName: jobs } }
`);
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      "eventSourceMappings:\n  - { functionName: 'WorkerFunction:live', eventSourceArn: sqs:Jobs }\nschedules:\n  tick: { scheduleExpression: rate(1 hour), target: { arn: 'lambda:worker:live' } }\n",
    );
    const config = await loadTemplateWithOverlay(file, undefined, sources, { endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
    expect(config.eventSourceMappings).toEqual([]);
    expect(config.sources.schedules).toEqual({});
    const actions = config.template!.actions;
    const publish = actions.findIndex((a) => a.kind === "publish-alias");
    const mapping = actions.findIndex((a) => a.kind === "mapping");
    const schedule = actions.findIndex((a) => a.kind === "schedule");
    expect(publish).toBeGreaterThanOrEqual(0);
    expect(mapping).toBeGreaterThan(publish);
    expect(schedule).toBeGreaterThan(publish);
    expect(actions[mapping]).toMatchObject({ place: `${join(dir, "lambda-sim.yaml")}:2 eventSourceMappings[0]`, input: { FunctionName: "worker:live" } });
  });

  it("lists a rule's refused pattern and a mapping's refused parameters with the schema's problems (newuser13 N13-3)", async () => {
    const message = await errorOf(`${HEADER}
Resources:
  Clicks: { Type: AWS::Kinesis::Stream, Properties: { ShardCount: 1 } }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      MemorySize: 64
      Events:
        Stream: { Type: Kinesis, Properties: { Stream: !GetAtt Clicks.Arn, StartingPosition: LATEST, TumblingWindowInSeconds: 901, BatchSize: 0 } }
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: { source: [{ prefix: 5 }] }
`);
    expect(message.split("\n")).toEqual([
      "template.yaml:11 Resources.Worker.Properties.MemorySize: expected an integer between 128 and 10240, got 64",
      "template.yaml:13 Resources.Worker.Properties.Events.Stream.Properties: 1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
      "template.yaml:13 Resources.Worker.Properties.Events.Stream.Properties: 1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900",
      "template.yaml:17 Resources.Nightly.Properties.EventPattern: InvalidEventPatternException: Event pattern is not valid. Reason: prefix match pattern must be a string",
    ]);
  });

  it("parses --parameter-overrides as SAM CLI spells them", () => {
    expect(parseParameterOverrides(["Stage=prod Size=3", "ParameterKey=Name,ParameterValue=a-b", 'Msg="hello world"'])).toEqual({ Stage: "prod", Size: "3", Name: "a-b", Msg: "hello world" });
  });
});
