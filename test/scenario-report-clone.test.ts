import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser11 N2-3: a template scenario's report named functions and queues by the names the stack
 * generated (`team-OrdersFunction-TY8PPM36ZIOH`), which hold the folder's name, so a colleague's
 * clone in another folder printed another report though the scenario names everything by logical
 * id. The report names a template's resources by their logical ids: the same in every clone.
 */
const TEMPLATE = [
  "AWSTemplateFormatVersion: '2010-09-09'",
  "Transform: AWS::Serverless-2016-10-31",
  "Resources:",
  "  JobsDLQ: { Type: AWS::SQS::Queue }",
  "  NotifyFailed: { Type: AWS::SQS::Queue }",
  "  JobsQueue:",
  "    Type: AWS::SQS::Queue",
  "    Properties:",
  "      VisibilityTimeout: 10",
  "      RedrivePolicy: { deadLetterTargetArn: !GetAtt JobsDLQ.Arn, maxReceiveCount: 2 }",
  "  WorkerFunction:",
  "    Type: AWS::Serverless::Function",
  "    Properties:",
  "      Runtime: nodejs24.x",
  "      Handler: index.handler",
  "      Timeout: 10",
  "      InlineCode: 'exports.handler = async () => ({});'",
  "      Events:",
  "        Jobs: { Type: SQS, Properties: { Queue: !GetAtt JobsQueue.Arn, BatchSize: 10 } }",
  "  NotifyFunction:",
  "    Type: AWS::Serverless::Function",
  "    Properties:",
  "      Runtime: nodejs24.x",
  "      Handler: index.handler",
  "      InlineCode: 'exports.handler = async () => ({});'",
  "",
].join("\n");

// The functions as models (keyed by logical id), so the run takes no real code.
const OVERLAY = [
  "functions:",
  "  WorkerFunction: { runtime: model, model: { durationMs: 8000 }, timeout: 10, reservedConcurrency: 2 }",
  "  NotifyFunction:",
  "    runtime: model",
  "    model: { durationMs: 10, errorProbability: 1 }",
  "    eventInvokeConfig: { maximumRetryAttempts: 0, destinationConfig: { onFailure: { destination: sqs:NotifyFailed } } }",
  "",
].join("\n");

const SCENARIO = [
  "seed: 5",
  "duration: 5m",
  "architecture: ../template.yaml",
  "traffic:",
  "  - invoke: { function: NotifyFunction, count: 2 }",
  "  - send: { queue: JobsQueue, count: 60 }",
  "expect:",
  "  errors: { WorkerFunction: 0 }",
  "  messages: { JobsDLQ: 0 }",
  "",
].join("\n");

const whatHappened = (report: string) => report.slice(report.indexOf("what happened\n"), report.indexOf("\ntimeline"));

describe("lambda-sim run: a template scenario's report in a clone under another folder name", () => {
  it("names the template's resources by logical id, so both clones print the same lines", async () => {
    const root = mkdtempSync(join(tmpdir(), "lambda-sim-clone-"));
    const team = join(root, "team");
    mkdirSync(join(team, "scenarios"), { recursive: true });
    writeFileSync(join(team, "template.yaml"), TEMPLATE);
    writeFileSync(join(team, "lambda-sim.yaml"), OVERLAY);
    writeFileSync(join(team, "scenarios/spike.yaml"), SCENARIO);
    const clone = join(root, "colleague", "team-clone");
    cpSync(team, clone, { recursive: true });

    const a = await runCli(["run", join(team, "scenarios/spike.yaml")]);
    const b = await runCli(["run", join(clone, "scenarios/spike.yaml")]);
    expect(a.code, a.stdout + a.stderr).toBe(1);
    expect(b.code, b.stdout + b.stderr).toBe(1);
    const lines = whatHappened(a.stdout);
    expect(whatHappened(b.stdout)).toBe(lines);
    expect(b.stdout.replace(/in [\d.]+ s wall/, "")).toBe(a.stdout.replace(/in [\d.]+ s wall/, ""));
    // By logical id, nowhere the stack's generated names.
    expect(lines).toMatch(/\n {2}WorkerFunction: \d+ invocations, 0 errors, \d+ throttles \(ReservedFunctionConcurrentInvocationLimitExceeded\), /);
    expect(lines).toMatch(/\n {2}NotifyFunction: 2 invocations, 2 errors, /);
    expect(lines).toContain("  delivered: 2 to NotifyFailed\n");
    expect(lines).toMatch(/\n {2}JobsQueue → JobsDLQ: (\d+) moved after 2 receives; \1 never reached WorkerFunction \(every receive a throttled batch\)\n/);
    expect(lines).toMatch(/\n {2}left in queues: .*JobsDLQ [1-9]/);
    expect(lines).not.toMatch(/team-/);
  }, 120_000);
});
