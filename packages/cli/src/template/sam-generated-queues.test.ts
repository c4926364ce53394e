import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiGatewaySource, createSchedulesSource, kinesisSource, snsSource, sqsSource } from "@lambda-sim/sources";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "./load-template.ts";

const sources = [sqsSource, kinesisSource, createSchedulesSource(), snsSource, apiGatewaySource];

/** A template in a folder named `shop` (the stack name) with a function's code in src/. */
async function load(resources: string) {
  const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-sam-queues-")), "shop");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src", "app.mjs"), "export const handler = async () => ({});\n");
  writeFileSync(join(dir, "template.yaml"), `Transform: AWS::Serverless-2016-10-31\nResources:\n${resources}`);
  return loadTemplate(join(dir, "template.yaml"), { sources, endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
}

async function errorOf(resources: string): Promise<string> {
  try {
    await load(resources);
  } catch (e) {
    return (e as Error).message.replaceAll(/\/\S*\/shop\//g, "");
  }
  throw new Error("expected the template to be refused");
}

const FUNCTION = (events: string) => `  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: fn
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      Events:
${events}`;

const QUEUE_NAME = (logicalId: string) => new RegExp(`^shop-${logicalId}-[A-Z0-9]{12}$`);

describe("queues SAM creates", () => {
  it("creates <Function><Event>Queue (or QueueLogicalId) for DeadLetterConfig { Type: SQS } and points the target at it", async () => {
    const config = await load(`${FUNCTION(`        Placed: { Type: EventBridgeRule, Properties: { Pattern: { source: [shop] }, DeadLetterConfig: { Type: SQS } } }
        Hourly: { Type: Schedule, Properties: { Schedule: rate(1 hour), DeadLetterConfig: { Type: SQS, QueueLogicalId: HourlyDlq } } }
        Nightly: { Type: ScheduleV2, Properties: { ScheduleExpression: "cron(0 3 * * ? *)", DeadLetterConfig: { Type: SQS } } }
        Given: { Type: Schedule, Properties: { Schedule: rate(1 day), DeadLetterConfig: { Arn: !GetAtt Mine.Arn } } }`)}
  Mine: { Type: AWS::SQS::Queue, Properties: { QueueName: mine } }
Outputs:
  Dlq: { Value: !GetAtt FnPlacedQueue.Arn }
`);
    const queues = Object.keys(config.sources.queues as object);
    expect(queues).toHaveLength(4);
    const [placed, hourly, nightly] = queues;
    expect(placed).toMatch(QUEUE_NAME("FnPlacedQueue"));
    expect(hourly).toMatch(QUEUE_NAME("HourlyDlq"));
    expect(nightly).toMatch(QUEUE_NAME("FnNightlyQueue"));
    const arn = (name: string | undefined) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
    const dlqs = config.template.actions.flatMap((a) => (a.kind === "rule" ? [a.targets[0]!.DeadLetterConfig] : []));
    expect(dlqs).toEqual([{ Arn: arn(placed) }, { Arn: arn(hourly) }, { Arn: arn("mine") }]);
    const schedule = Object.values(config.sources.schedules as Record<string, { target: { deadLetterConfig: unknown } }>)[0]!;
    expect(schedule.target.deadLetterConfig).toEqual({ arn: arn(nightly) });
    const lines = config.template.lines.join("\n");
    expect(lines).toMatch(new RegExp(`FnPlacedQueue +queue http://127\\.0\\.0\\.1:3001/000000000000/${placed} \\(created by SAM for Fn\\.Placed\\)`));
    expect(lines).toMatch(new RegExp(`Fn\\.Placed +EventBridge rule .*: pattern on default → fn \\(dead-letter queue sqs:${placed}\\)`));
    expect(lines).toContain(`output Dlq: ${arn(placed)}`);
  });

  it("subscribes <Function><Event>Queue to the topic and maps it to the function for SqsSubscription: true (batch 10)", async () => {
    const config = await load(`${FUNCTION(`        Orders: { Type: SNS, Properties: { Topic: !Ref Orders, SqsSubscription: true, FilterPolicy: { kind: [big] } } }
        Audit: { Type: SNS, Properties: { Topic: !Ref Orders, SqsSubscription: { QueueArn: !GetAtt Audit.Arn, QueueUrl: !Ref Audit, BatchSize: 5, Enabled: false } } }`)}
  Orders: { Type: AWS::SNS::Topic, Properties: { TopicName: orders } }
  Audit: { Type: AWS::SQS::Queue, Properties: { QueueName: audit } }
`);
    const [made] = Object.keys(config.sources.queues as object);
    expect(made).toMatch(QUEUE_NAME("FnOrdersQueue"));
    const arn = (name: string | undefined) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
    expect((config.sources.topics as Record<string, unknown>).orders).toMatchObject({
      subscriptions: [
        { protocol: "sqs", endpoint: arn(made), filterPolicy: { kind: ["big"] } },
        { protocol: "sqs", endpoint: arn("audit") },
      ],
    });
    expect(config.eventSourceMappings).toEqual([
      expect.objectContaining({ FunctionName: "fn", EventSourceArn: arn(made), BatchSize: 10, Enabled: true }),
      // SAM's translator sets Enabled: true whatever the template says.
      expect.objectContaining({ FunctionName: "fn", EventSourceArn: arn("audit"), BatchSize: 5, Enabled: true }),
    ]);
    const lines = config.template.lines.join("\n");
    expect(lines).toMatch(new RegExp(`Fn\\.Orders +subscription orders → sqs:${made} \\(FnOrdersQueue\\) → fn \\(filter policy\\) \\(batch 10\\)`));
    expect(lines).not.toContain("not simulated");
  });

  it("creates <Function>EventInvokeConfigOnSuccessQueue / OnFailureTopic for a destination of Type SQS or SNS with no Destination, and points the config at them", async () => {
    const config = await load(`  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: fn
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        DestinationConfig: { OnSuccess: { Type: SQS }, OnFailure: { Type: SNS } }
  Given:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: given
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs24.x
      AutoPublishAlias: live
      EventInvokeConfig: { DestinationConfig: { OnFailure: { Type: SQS } } }
Outputs:
  Succeeded: { Value: !Ref Fn.DestinationQueue }
  SucceededArn: { Value: !GetAtt Fn.DestinationQueue.Arn }
  Failed: { Value: !Ref Fn.DestinationTopic }
  GivenFailed: { Value: !Sub "\${Given.DestinationQueue.QueueName}" }
`);
    const [succeeded, givenFailed] = Object.keys(config.sources.queues as object);
    expect(succeeded).toMatch(QUEUE_NAME("FnEventInvokeConfigOnSuccessQueue"));
    expect(givenFailed).toMatch(QUEUE_NAME("GivenEventInvokeConfigOnFailureQueue"));
    const [failed] = Object.keys(config.sources.topics as object);
    expect(failed).toMatch(QUEUE_NAME("FnEventInvokeConfigOnFailureTopic"));
    const arn = (service: string, name: string | undefined) => `arn:aws:${service}:us-east-1:000000000000:${name}`;
    expect(config.functions.find((f) => f.functionName === "fn")!.eventInvokeConfig).toEqual({ maximumRetryAttempts: 0, onSuccess: arn("sqs", succeeded), onFailure: arn("sns", failed) });
    // With AutoPublishAlias the config is the alias's, applied once it exists.
    expect(config.template.actions).toContainEqual(expect.objectContaining({ kind: "event-invoke-config", functionName: "given", qualifier: "live", config: { DestinationConfig: { OnFailure: { Destination: arn("sqs", givenFailed) } } } }));
    const lines = config.template.lines.join("\n");
    expect(lines).toMatch(new RegExp(`FnEventInvokeConfigOnSuccessQueue +queue http://127\\.0\\.0\\.1:3001/000000000000/${succeeded} \\(created by SAM for Fn\\.EventInvokeConfig\\.OnSuccess\\)`));
    expect(lines).toMatch(new RegExp(`FnEventInvokeConfigOnFailureTopic +topic ${failed} \\(created by SAM for Fn\\.EventInvokeConfig\\.OnFailure\\)`));
    expect(lines).toContain(`output Succeeded: http://127.0.0.1:3001/000000000000/${succeeded}`);
    expect(lines).toContain(`output SucceededArn: ${arn("sqs", succeeded)}`);
    expect(lines).toContain(`output Failed: ${arn("sns", failed)}`);
    expect(lines).toContain(`output GivenFailed: ${givenFailed}`);
  });

  it("refuses what SAM refuses, with SAM's messages, at the template's keys", async () => {
    expect(await errorOf(FUNCTION(`        A: { Type: Schedule, Properties: { Schedule: rate(1 hour), DeadLetterConfig: { Type: SQS, Arn: arn:aws:sqs:us-east-1:000000000000:q } } }\n`))).toBe(
      "template.yaml:11 Resources.Fn.Properties.Events.A.Properties.DeadLetterConfig: You can either define 'Arn' or 'Type' property of DeadLetterConfig.",
    );
    expect(await errorOf(FUNCTION(`        A: { Type: EventBridgeRule, Properties: { Pattern: { source: [x] }, DeadLetterConfig: { Type: SNS } } }\n`))).toBe(
      "template.yaml:11 Resources.Fn.Properties.Events.A.Properties.DeadLetterConfig.Type: The only valid value for 'Type' property of DeadLetterConfig is 'SQS'.",
    );
    expect(await errorOf(FUNCTION(`        A: { Type: SNS, Properties: { Topic: arn:aws:sns:us-east-1:000000000000:t, SqsSubscription: { BatchSize: 3 } } }\n`))).toBe(
      "template.yaml:11 Resources.Fn.Properties.Events.A.Properties.SqsSubscription: No QueueARN or QueueURL provided.",
    );
    expect(await errorOf(`${FUNCTION(`        A: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 hour), DeadLetterConfig: { Type: SQS } } }\n`)}  FnAQueue: { Type: AWS::SQS::Queue }\n`)).toBe(
      "template.yaml:11 Resources.Fn.Properties.Events.A: SAM creates a queue with logical id FnAQueue for this event, and the template already has a resource FnAQueue",
    );
    const invokeConfig = (destination: string) => `  Fn:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: fn, CodeUri: src/, Handler: app.handler, Runtime: nodejs24.x, EventInvokeConfig: { DestinationConfig: { OnFailure: ${destination} } } }
`;
    expect(await errorOf(invokeConfig("{ Type: Lambda }"))).toBe("template.yaml:5 Resources.Fn.Properties.EventInvokeConfig.DestinationConfig.OnFailure.Destination: Destination is required if Type is not ['SQS', 'SNS']");
    expect(await errorOf(`${invokeConfig("{ Type: SQS }")}  FnEventInvokeConfigOnFailureQueue: { Type: AWS::SQS::Queue }\n`)).toBe(
      "template.yaml:5 Resources.Fn.Properties.EventInvokeConfig.DestinationConfig.OnFailure: SAM creates a queue with logical id FnEventInvokeConfigOnFailureQueue for this destination, and the template already has a resource FnEventInvokeConfigOnFailureQueue",
    );
  });
});
