import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";

/**
 * Inline code in a template (SAM's `InlineCode`, CloudFormation's `Code.ZipFile`) is written as
 * `index` with the runtime's extension, as CloudFormation does: `index.py` for Python, `index.js`
 * for Node.js. Checked by invoking the functions with the SDK.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  GreetFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: greet
      Runtime: python3.13
      Handler: index.handler
      InlineCode: |
        import sys
        def handler(event, context):
            return {"hello": event["name"], "python": sys.version_info[0]}
  ShoutFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: shout
      Runtime: python3.13
      Handler: index.handler
      Code:
        ZipFile: |
          def handler(event, context):
              return event["text"].upper()
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: echo
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => ({ node: e.n });"
`;

describe("inline code in a template", () => {
  it("runs an inline python3.13 function (InlineCode and Code.ZipFile) and an inline Node.js one, invoked through the SDK", async () => {
    // Under the home directory, not /tmp: a function's private /tmp would hide the project's package.json.
    const root = mkdtempSync(join(homedir(), ".lambda-sim-test-inline-"));
    const dir = join(root, "inline-app");
    mkdirSync(dir);
    writeFileSync(join(dir, "template.yaml"), TEMPLATE);
    // An ES module project: the inline index.js, written under its state directory, is CommonJS all the same.
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    const sim = await startLambdaSim(["--template", join(dir, "template.yaml"), "--state", join(dir, ".lambda-sim")]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const invoke = async (name: string, payload: unknown) => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));
      return { error: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload!).toString()) as unknown };
    };
    try {
      expect(await invoke("greet", { name: "ada" })).toEqual({ error: undefined, body: { hello: "ada", python: 3 } });
      expect(await invoke("shout", { text: "quiet" })).toEqual({ error: undefined, body: "QUIET" });
      expect(await invoke("echo", { n: 7 })).toEqual({ error: undefined, body: { node: 7 } });
    } finally {
      lambda.destroy();
      await sim.kill();
      rmSync(root, { recursive: true, force: true });
    }
  }, 30_000);

  it("refuses inline code for a runtime CloudFormation does not write it for, naming the property", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-inline-"));
    writeFileSync(
      join(dir, "template.yaml"),
      `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: { Runtime: provided.al2023, Handler: bootstrap, Code: { ZipFile: "echo hi" } }
`,
    );
    const run = await runCli(["start", "--port", "0", "--template", join(dir, "template.yaml"), "--in-memory"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Resources\.Fn\.Properties\.Code.*Node\.js and Python runtimes only/s);
  }, 20_000);
});
