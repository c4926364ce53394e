import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiGatewaySource, createSchedulesSource, kinesisSource, sqsSource } from "@lambda-sim/sources";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "./load-template.ts";

const sources = [sqsSource, kinesisSource, createSchedulesSource(), apiGatewaySource];
const FN = "Type: AWS::Serverless::Function\n    Properties: { CodeUri: src/, Handler: a.b, Runtime: nodejs24.x, ";

/** Shapes no rule expects: each is refused in lines naming the template and a key, never a crash. */
const MALFORMED: [string, string][] = [
  ["Resources is a list", "Resources: []"],
  ["a resource is empty", "Resources:\n  A: null"],
  ["Properties is a list", "Resources:\n  A: { Type: AWS::SQS::Queue, Properties: [1] }"],
  ["an event is empty", `Resources:\n  A:\n    ${FN}Events: { X: null } }`],
  ["Events is a list", `Resources:\n  A:\n    ${FN}Events: [1] }`],
  ["an event's Properties is a list", `Resources:\n  A:\n    ${FN}Events: { X: { Type: SQS, Properties: [1] } } }`],
  ["Filters is a map", `Resources:\n  A:\n    ${FN}Events: { X: { Type: SQS, Properties: { Queue: q, FilterCriteria: { Filters: { a: 1 } } } } } }`],
  ["Variables is a list", `Resources:\n  A:\n    ${FN}Environment: { Variables: [1] } }`],
  ["AutoPublishAlias is a number", `Resources:\n  A:\n    ${FN}AutoPublishAlias: 5 }`],
  ["Schedule is a number", `Resources:\n  A:\n    ${FN}Events: { S: { Type: Schedule, Properties: { Schedule: 5 } } } }`],
  ["a bad ScheduleV2", `Resources:\n  A:\n    ${FN}Events: { S: { Type: ScheduleV2, Properties: { ScheduleExpression: nope, FlexibleTimeWindow: 3 } } } }`],
  ["DeadLetterConfig is a number", `Resources:\n  A:\n    ${FN}Events: { S: { Type: Schedule, Properties: { Schedule: rate(1 hour), DeadLetterConfig: 5 } } } }`],
  ["QueueLogicalId is a number", `Resources:\n  A:\n    ${FN}Events: { S: { Type: EventBridgeRule, Properties: { Pattern: { a: [1] }, DeadLetterConfig: { Type: SQS, QueueLogicalId: 5 } } } } }`],
  ["SqsSubscription is a number", `Resources:\n  A:\n    ${FN}Events: { S: { Type: SNS, Properties: { Topic: arn:aws:sns:us-east-1:000000000000:t, SqsSubscription: 5 } } } }`],
  ["rule Targets is a map", "Resources:\n  R: { Type: AWS::Events::Rule, Properties: { ScheduleExpression: rate(1 minute), Targets: { a: 1 } } }"],
  ["a rule target is empty", "Resources:\n  R: { Type: AWS::Events::Rule, Properties: { ScheduleExpression: rate(1 minute), Targets: [null] } }"],
  ["alias weights are a map", "Resources:\n  R: { Type: AWS::Lambda::Alias, Properties: { FunctionName: f, Name: a, FunctionVersion: 1, RoutingConfig: { AdditionalVersionWeights: { a: 1 } } } }"],
  ["a schedule's Target is a number", "Resources:\n  R: { Type: AWS::Scheduler::Schedule, Properties: { ScheduleExpression: rate(1 minute), Target: 5 } }"],
  ["Tags is text", "Resources:\n  R: { Type: AWS::Kinesis::Stream, Properties: { StreamModeDetails: 5, Tags: x } }"],
  ["a tag is empty, RedrivePolicy a number", "Resources:\n  R: { Type: AWS::SQS::Queue, Properties: { Tags: [null], RedrivePolicy: 5 } }"],
  ["Code is empty", "Resources:\n  R: { Type: AWS::Lambda::Function, Properties: { Code: null } }"],
  ["a mapping's configs are numbers", "Resources:\n  R: { Type: AWS::Lambda::EventSourceMapping, Properties: { DestinationConfig: 5, ScalingConfig: 5 } }"],
  ["Globals is a list", "Globals: [1]\nResources: {}"],
  ["a condition is a number", "Conditions: { C: 5 }\nResources:\n  Q: { Type: AWS::SQS::Queue, Condition: C }"],
  ["Mappings is a number", "Mappings: 5\nResources:\n  Q: { Type: AWS::SQS::Queue, Properties: { QueueName: !FindInMap [M, a, b] } }"],
  ["Parameters is a list", "Parameters: [1]\nResources: {}"],
  ["AllowedPattern does not compile", "Parameters: { P: { Default: x, AllowedPattern: '[' } }\nResources: {}"],
  ["Ref of a list", "Resources:\n  Q: { Type: AWS::SQS::Queue, Properties: { QueueName: !Ref [a] } }"],
  ["Sub of numbers", "Resources:\n  Q: { Type: AWS::SQS::Queue, Properties: { QueueName: !Sub [1, 2] } }"],
  ["GetAtt of a number", "Resources:\n  Q: { Type: AWS::SQS::Queue, Properties: { QueueName: !GetAtt 5 } }"],
  ["an OpenAPI definition is text", "Resources:\n  A: { Type: AWS::Serverless::HttpApi, Properties: { DefinitionBody: x } }"],
  ["OpenAPI paths is a list", "Resources:\n  A: { Type: AWS::Serverless::Api, Properties: { StageName: v1, DefinitionBody: { paths: [1] } } }"],
  ["an OpenAPI integration's uri is a number", "Resources:\n  A: { Type: AWS::Serverless::Api, Properties: { StageName: v1, DefinitionBody: { paths: { /a: { get: { x-amazon-apigateway-integration: { type: aws_proxy, uri: 5 } } } } } } }"],
  ["OpenAPI security is a number", "Resources:\n  A: { Type: AWS::ApiGateway::RestApi, Properties: { Body: { security: 5, paths: { /a: { get: { x-amazon-apigateway-integration: { type: AWS_PROXY, uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations' } } } } } } }"],
  ["an OpenAPI authorizer's uri is text", "Resources:\n  A: { Type: AWS::Serverless::HttpApi, Properties: { DefinitionBody: { components: { securitySchemes: { L: { x-amazon-apigateway-authorizer: { type: request, authorizerUri: nope } } } } } } }"],
  ["a transform that is not AWS::Include", "Resources:\n  A: { Type: AWS::Serverless::HttpApi, Properties: { DefinitionBody: { 'Fn::Transform': { Name: Macro } } } }"],
  ["an AWS::Include from S3", "Resources:\n  A: { Type: AWS::Serverless::HttpApi, Properties: { DefinitionBody: !Transform { Name: AWS::Include, Parameters: { Location: s3://b/k.yaml } } } }"],
  ["a DefinitionUri that is not there", "Resources:\n  A: { Type: AWS::Serverless::HttpApi, Properties: { DefinitionUri: ./nope.yaml } }"],
  ["a number for a template", "5"],
  ["an empty file", ""],
];

describe("malformed templates", () => {
  it.each(MALFORMED)("%s: refused in lines naming the template", async (_, text) => {
    const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-malformed-")), "p");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "template.yaml"), text);
    const error = await loadTemplate(join(dir, "template.yaml"), { sources, endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe("ERR_CONFIG");
    for (const line of error!.message.split("\n")) expect(line).toMatch(new RegExp(`^${join(dir, "template.yaml")}:\\d* (\\S+|\\(top level\\)): \\S`));
  });
});
