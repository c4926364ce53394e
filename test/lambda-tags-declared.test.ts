import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GetFunctionCommand, LambdaClient, ListTagsCommand, TagResourceCommand } from "@aws-sdk/client-lambda";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * Tags declared with a function (lambda-sim.yaml's `tags:`, a SAM function's Tags map, a
 * Lambda::Function's Tags list) are the function's Lambda tags, as ListTags and GetFunction show
 * them after a deploy; SAM adds `lambda:createdBy: SAM` to the functions it creates.
 */
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-tags-"));
  dirs.push(dir);
  mkdirSync(join(dir, "fn"));
  writeFileSync(join(dir, "fn", "index.js"), "exports.handler = async () => 1;\n");
  writeFileSync(join(dir, "lambda-sim.yaml"), yaml);
  return dir;
}

const client = (endpoint: string) => new LambdaClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });

describe("declared function tags", () => {
  it("lambda-sim.yaml's tags are the function's tags, and each start puts the file's back", async () => {
    const dir = project("functions:\n  tagged:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\n    tags: { team: payments, cost-center: 42 }\n");
    const state = join(dir, ".state");
    let sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", state]);
    let lambda = client(sim.endpoint);
    expect((await lambda.send(new ListTagsCommand({ Resource: `${ARN}:tagged` }))).Tags).toEqual({ team: "payments", "cost-center": "42" });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "tagged" }))).Tags).toEqual({ team: "payments", "cost-center": "42" });
    await lambda.send(new TagResourceCommand({ Resource: `${ARN}:tagged`, Tags: { team: "changed", extra: "x" } }));
    await sim.kill();

    // As for the function's other settings, the file is what a start applies.
    sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", state]);
    lambda = client(sim.endpoint);
    expect((await lambda.send(new ListTagsCommand({ Resource: `${ARN}:tagged` }))).Tags).toEqual({ team: "payments", "cost-center": "42" });
    await sim.kill();

    // The tags: block removed from the file: the function has none after the next start.
    writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  tagged:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\n");
    sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", state]);
    lambda = client(sim.endpoint);
    expect((await lambda.send(new ListTagsCommand({ Resource: `${ARN}:tagged` }))).Tags).toEqual({});
    await sim.kill();
  });

  it("refuses tags AWS would refuse, naming the file and key", async () => {
    const dir = project("functions:\n  tagged:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\n    tags: { 'aws:owner': me }\n");
    const r = await runCli(["start", "--port", "0", "--config", join(dir, "lambda-sim.yaml")]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/lambda-sim\.yaml:\d+.*functions\.tagged\.tags/s);
    expect(r.stderr).toContain("reserved for AWS use");
  });

  it("a SAM function's Tags, with the lambda:createdBy tag SAM adds, and a Lambda::Function's Tags list", async () => {
    const template = writeStackTemplate(`Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => 1;"
      Tags:
        team: payments
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/r
      Code: { ZipFile: "exports.handler = async () => 1;" }
      Tags:
        - { Key: team, Value: search }
`);
    dirs.push(join(template, "..", ".."));
    const sim = await startLambdaSim(["--template", template, "--in-memory"]);
    const lambda = client(sim.endpoint);
    const worker = generatedName(sim.output(), "Worker");
    const plain = generatedName(sim.output(), "Plain");
    expect((await lambda.send(new ListTagsCommand({ Resource: `${ARN}:${worker}` }))).Tags).toEqual({ "lambda:createdBy": "SAM", team: "payments" });
    expect((await lambda.send(new ListTagsCommand({ Resource: `${ARN}:${plain}` }))).Tags).toEqual({ team: "search" });
    await sim.kill();
  });
});
