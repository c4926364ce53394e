import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { GetAliasCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * `GET /_sim/template` (walkthrough F7): besides `names` (functions, queues, streams, topics and
 * buses, as before), every logical id lambda-sim created something for, with what a test needs to
 * reach it (an API's id and base address, a Function URL, a layer version ARN, an alias and its
 * version, rules, subscriptions, mappings, schedules), and the template's Outputs resolved: no
 * scraping the start banner for an address.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  ItemsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => ({ statusCode: 200, body: 'items' });"
      AutoPublishAlias: live
      Layers: [!Ref SharedLayer]
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        Get:
          Type: HttpApi
          Properties: { Path: /items, Method: get }
        Rest:
          Type: Api
          Properties: { Path: /rest, Method: get, RestApiId: !Ref MyApi }
        Sub:
          Type: SNS
          Properties: { Topic: !Ref OrdersTopic }
        Rule:
          Type: EventBridgeRule
          Properties: { EventBusName: !Ref ShopBus, Pattern: { source: [shop] } }
        Clicks:
          Type: Kinesis
          Properties: { Stream: !GetAtt ClicksStream.Arn, StartingPosition: LATEST }
  MyApi:
    Type: AWS::Serverless::Api
    Properties: { StageName: prod }
  ShopBus:
    Type: AWS::Events::EventBus
    Properties: { Name: shop-bus }
  OrdersTopic:
    Type: AWS::SNS::Topic
  ClicksStream:
    Type: AWS::Kinesis::Stream
    Properties: { ShardCount: 1 }
  OrdersQueue:
    Type: AWS::SQS::Queue
  QueueSub:
    Type: AWS::SNS::Subscription
    Properties: { TopicArn: !Ref OrdersTopic, Protocol: sqs, Endpoint: !GetAtt OrdersQueue.Arn }
  PlainRule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: shop-bus
      EventPattern: { source: [plain] }
      Targets: [{ Id: q, Arn: !GetAtt OrdersQueue.Arn }]
  Nightly:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: "rate(1 day)"
      FlexibleTimeWindow: { Mode: "OFF" }
      Target: { Arn: !GetAtt OrdersQueue.Arn, RoleArn: "arn:aws:iam::000000000000:role/x" }
Outputs:
  ApiUrl:
    Value: !Sub "https://\${ServerlessHttpApi}.execute-api.\${AWS::Region}.amazonaws.com/"
  QueueUrl:
    Value: !Ref OrdersQueue
  RuleArn:
    Value: !GetAtt PlainRule.Arn
`;

describe("GET /_sim/template", () => {
  it("maps every logical id lambda-sim created something for, with addresses that answer, and the Outputs", { timeout: 120_000 }, async () => {
    const file = writeStackTemplate(TEMPLATE);
    mkdirSync(join(dirname(file), "layer", "nodejs"), { recursive: true });
    writeFileSync(join(dirname(file), "layer", "nodejs", "shared.js"), "exports.greet = () => 'hi';\n");
    const sim = await startLambdaSim(["--template", file, "--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      const view = (await (await fetch(`${sim.endpoint}/_sim/template`)).json()) as { names: Record<string, { kind: string; name: string }>; resources: Record<string, Record<string, any>>; outputs: Record<string, string> };
      // As before: the names tail, invoke and faults read.
      expect(Object.fromEntries(Object.entries(view.names).map(([id, n]) => [id, n.kind]))).toEqual({ ItemsFunction: "function", ShopBus: "bus", OrdersTopic: "topic", ClicksStream: "stream", OrdersQueue: "queue" });
      const fn = view.names.ItemsFunction!.name;
      // A logical id where a queue's name goes: the 404 lists the names there are (walk39).
      const byLogicalId = await fetch(`${sim.endpoint}/_sim/queues/OrdersQueue/messages`);
      expect(byLogicalId.status).toBe(404);
      expect(((await byLogicalId.json()) as { message: string }).message).toContain(`no queue named 'OrdersQueue' (the simulator has: ${view.names.OrdersQueue!.name})`);
      const r = view.resources;
      expect(Object.keys(r).sort()).toEqual(
        ["ClicksStream", "ItemsFunction", "ItemsFunctionAliaslive", "ItemsFunctionClicks", "ItemsFunctionRule", "ItemsFunctionSub", "ItemsFunctionUrl", "MyApi", "Nightly", "OrdersQueue", "OrdersTopic", "PlainRule", "QueueSub", "ServerlessHttpApi", "SharedLayer", "ShopBus"].sort(),
      );
      // The implicit and the explicit API: their id and a base address that answers.
      expect(r.ServerlessHttpApi).toMatchObject({ type: "AWS::Serverless::HttpApi", name: expect.stringMatching(/^[a-z0-9]{10}$/) });
      expect(await (await fetch(`${r.ServerlessHttpApi!.url}items`)).text()).toBe("items");
      expect(r.MyApi!.url).toMatch(/\/prod\/$/);
      expect(await (await fetch(`${r.MyApi!.url}rest`)).text()).toBe("items");
      // The Function URL (on the alias), the alias and its version, the layer version.
      expect(r.ItemsFunctionUrl).toMatchObject({ type: "AWS::Lambda::Url", functionName: fn, qualifier: "live" });
      expect(await (await fetch(r.ItemsFunctionUrl!.url)).text()).toBe("items");
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: "live" }));
      expect(r.ItemsFunctionAliaslive).toMatchObject({ type: "AWS::Lambda::Alias", name: "live", arn: alias.AliasArn, version: alias.FunctionVersion });
      expect(r.SharedLayer).toMatchObject({ type: "AWS::Serverless::LayerVersion", arn: expect.stringMatching(/:layer:shop-SharedLayer-\w+:1$/), version: "1" });
      // Rules (a function's event's and a declared one on a custom bus), subscriptions, the mapping, the schedule, the queue.
      expect(r.ItemsFunctionRule).toMatchObject({ type: "AWS::Events::Rule", arn: expect.stringMatching(/:rule\/shop-bus\/shop-ItemsFunctionRule-\w+$/) });
      expect(r.PlainRule).toMatchObject({ type: "AWS::Events::Rule", arn: expect.stringMatching(/:rule\/shop-bus\/shop-PlainRule-\w+$/) });
      expect(r.ItemsFunctionSub).toMatchObject({ type: "AWS::SNS::Subscription", protocol: "lambda", topicArn: r.OrdersTopic!.arn });
      expect(r.QueueSub).toMatchObject({ type: "AWS::SNS::Subscription", protocol: "sqs", endpoint: r.OrdersQueue!.arn });
      expect(r.ItemsFunctionClicks).toMatchObject({ type: "AWS::Lambda::EventSourceMapping", eventSourceArn: r.ClicksStream!.arn });
      expect(r.Nightly).toMatchObject({ type: "AWS::Scheduler::Schedule", arn: expect.stringMatching(/:schedule\/default\/shop-Nightly-\w+$/) });
      expect(r.OrdersQueue!.url).toBe(`${sim.endpoint}/000000000000/${r.OrdersQueue!.name}`);
      // The Outputs as resolved.
      expect(view.outputs).toEqual({ ApiUrl: `https://${r.ServerlessHttpApi!.name}.execute-api.us-east-1.amazonaws.com/`, QueueUrl: r.OrdersQueue!.url, RuleArn: r.PlainRule!.arn });
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  });
});
