import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser13 N13-3: a configuration with several mistakes took as many starts as mistakes. One
 * start now lists them all, one per line with its file and line, each in AWS's words.
 */
describe("configuration mistakes, all in one start", () => {
  function project(): string {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-errors-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "app.js"), "exports.handler = async () => ({});\n");
    return dir;
  }

  it("lists a template's bad filter policy, stream mapping properties, on-failure destination and rule pattern together", async () => {
    const dir = project();
    const template = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  SomeFunction:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: some, Runtime: nodejs22.x, Handler: app.handler, CodeUri: src/ }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: worker
      Runtime: nodejs22.x
      Handler: app.handler
      CodeUri: src/
      Events:
        Notes:
          Type: SNS
          Properties:
            Topic: !Ref Topic
            FilterPolicy:
              price: [{ numric: [">", 10] }]
        Clicks:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: LATEST
            ParallelizationFactor: 11
            MaximumRetryAttempts: 20000
            MaximumRecordAgeInSeconds: 30
            DestinationConfig:
              OnFailure:
                Type: Lambda
                Destination: !GetAtt SomeFunction.Arn
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern:
              detail:
                amount: [{ numeric: [">", "abc"] }]
`;
    const file = join(dir, "template.yaml");
    writeFileSync(file, template);
    const { code, stdout, stderr } = await runCli(["start", "--template", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("listening on");
    const events = "Resources.Worker.Properties.Events";
    const clicks = `${file}:29 ${events}.Clicks.Properties`;
    expect(stderr.trimEnd().split("\n")).toEqual([
      `lambda-sim: ${file}:25 ${events}.Notes.Properties.FilterPolicy: expected a filter policy SNS accepts (Unrecognized match type numric)`,
      `${clicks}: 1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10`,
      `${clicks}: 1 validation error detected: Value '20000' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 10000`,
      `${clicks}: 1 validation error detected: Value '30' at 'maximumRecordAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60`,
      `${clicks}: The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=arn:aws:lambda:us-east-1:000000000000:function:some)) is invalid.`,
      `${file}:42 ${events}.Orders.Properties.Pattern: InvalidEventPatternException: Event pattern is not valid. Reason: Value of > must be numeric`,
    ]);
  });

  it("lists every refused property of every mapping in a lambda-sim.yaml, with what only the running sources can say", async () => {
    const dir = project();
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(
      file,
      `functions:
  worker: { runtime: nodejs22.x, handler: app.handler, codeUri: ./src, timeout: 60 }
queues:
  jobs: {}
streams:
  clicks: { shardCount: 1 }
eventSourceMappings:
  - functionName: worker
    eventSourceArn: kinesis:clicks
    startingPosition: LATEST
    parallelizationFactor: 11
    maximumRecordAgeInSeconds: 30
  - functionName: worker
    eventSourceArn: sqs:jobs
    batchSize: 100
`,
    );
    const { code, stdout, stderr } = await runCli(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("listening on");
    expect(stderr.trimEnd().split("\n")).toEqual([
      `lambda-sim: ${file}:8 eventSourceMappings[0]: 1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10`,
      `${file}:8 eventSourceMappings[0]: 1 validation error detected: Value '30' at 'maximumRecordAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60`,
      `${file}:13 eventSourceMappings[1]: Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10`,
      `${file}:13 eventSourceMappings[1]: Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds`,
    ]);
  });

  it("says a negative batching window is under its minimum, as the API does", async () => {
    const dir = project();
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(
      file,
      `functions:
  worker: { runtime: nodejs22.x, handler: app.handler, codeUri: ./src }
queues:
  jobs: {}
eventSourceMappings:
  - { functionName: worker, eventSourceArn: sqs:jobs, maximumBatchingWindowInSeconds: -1 }
`,
    );
    const { code, stderr } = await runCli(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n")).toEqual([
      `lambda-sim: ${file}:6 eventSourceMappings[0]: 1 validation error detected: Value '-1' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 0`,
    ]);
  });

  it("lists a lambda-sim.yaml's mapping parameters with its schema errors", async () => {
    const dir = project();
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(
      file,
      `functions:
  worker: { runtime: nodejs22.x, handler: app.handler, codeUri: ./src, memorySize: 64 }
streams:
  clicks: { shardCount: 1 }
eventSourceMappings:
  - { functionName: worker, eventSourceArn: kinesis:clicks, startingPosition: LATEST, tumblingWindowInSeconds: 901 }
`,
    );
    const { code, stderr } = await runCli(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n")).toEqual([
      `lambda-sim: ${file}:2 functions.worker.memorySize: expected an integer between 128 and 10240, got 64`,
      `${file}:6 eventSourceMappings[0]: 1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900`,
    ]);
  });

  // A function with AutoPublishAlias: its mappings name the alias, so they are made once the alias
  // is, through the API (one answer per request); they are still listed together, every problem.
  it("lists every problem of the mappings of a function with AutoPublishAlias, as of one without", async () => {
    const dir = project();
    const file = join(dir, "template.yaml");
    writeFileSync(
      file,
      `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Clicks: { Type: AWS::Kinesis::Stream, Properties: { ShardCount: 1 } }
  Jobs: { Type: AWS::SQS::Queue }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs22.x
      AutoPublishAlias: live
      Timeout: 60
      Events:
        Stream: { Type: Kinesis, Properties: { Stream: !GetAtt Clicks.Arn, StartingPosition: LATEST, ParallelizationFactor: 11, MaximumRetryAttempts: -5 } }
        Queue: { Type: SQS, Properties: { Queue: !GetAtt Jobs.Arn, BatchSize: 100 } }
`,
    );
    const { code, stdout, stderr } = await runCli(["start", "--template", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("listening on");
    const events = "Resources.Worker.Properties.Events";
    expect(stderr.trimEnd().split("\n")).toEqual([
      `lambda-sim: ${file}:15 ${events}.Stream.Properties: 1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10`,
      `${file}:15 ${events}.Stream.Properties: 1 validation error detected: Value '-5' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to -1`,
      `${file}:16 ${events}.Queue.Properties: Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10`,
      `${file}:16 ${events}.Queue.Properties: Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds`,
    ]);
  });
});
