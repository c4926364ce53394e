import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GetFunctionCommand, InvokeCommand, LambdaClient, PublishVersionCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * Walkthrough F8: a published version of a function whose code is a local folder is immutable
 * ("Function versions are immutable": the code and configuration of a version do not change;
 * aws-facts §11, PublishVersion snapshots code+config). A source edit reaches $LATEST (used in
 * place: edit and restart) but not version 1, nor AutoPublishAlias's alias, in any environment.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  ItemsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      CodeUri: src/
      AutoPublishAlias: live
`;

const handler = (greet: string) => `import { greet } from "./lib/greet.mjs";
export const handler = async (_e, context) => ({ version: context.functionVersion, greet: greet(${JSON.stringify(greet)}) });\n`;

function writeCode(dir: string, greet: string): void {
  mkdirSync(join(dir, "lib"), { recursive: true });
  writeFileSync(join(dir, "index.mjs"), handler(greet));
  writeFileSync(join(dir, "lib", "greet.mjs"), `export const greet = (s) => "hello " + s;\n`);
}

async function invoke(lambda: LambdaClient, name: string, qualifier?: string): Promise<{ version: string; greet: string } | { error: string }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier, Payload: Buffer.from("{}") }));
  const body = JSON.parse(Buffer.from(out.Payload!).toString());
  return out.FunctionError ? { error: body.errorType } : body;
}

/** The next invocation of `name` (any qualifier) crashes: its environment goes, the next one loads the code anew. */
async function crashOnce(sim: LambdaSimProcess, name: string): Promise<void> {
  const r = await fetch(`${sim.endpoint}/_sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "crash", function: name, times: 1 }) });
  expect(r.status).toBe(200);
}

describe("a published version of a local-folder function", () => {
  it("keeps the code it was published with: an edit reaches $LATEST's new environments, not the version's, nor across a restart", { timeout: 120_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    const src = join(dirname(template), "src");
    writeCode(src, "v1");
    const state = mkdtempSync(join(tmpdir(), "lambda-sim-published-"));
    let sim = await startLambdaSim(["--template", template, "--state", state]);
    try {
      const name = generatedName(sim.output(), "ItemsFunction");
      let lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
      expect(await invoke(lambda, name, "live")).toEqual({ version: "1", greet: "hello v1" });
      const published = await lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "1" }));

      // Edited without a restart (both the handler and a module it imports).
      writeCode(src, "v2");
      writeFileSync(join(src, "lib", "greet.mjs"), `export const greet = (s) => "EDITED " + s;\n`);
      await crashOnce(sim, name);
      expect(await invoke(lambda, name, "live")).toEqual({ error: "Runtime.ExitError" });
      // A new environment of version 1 runs version 1's code.
      expect(await invoke(lambda, name, "live")).toEqual({ version: "1", greet: "hello v1" });
      expect(await invoke(lambda, name, "1")).toEqual({ version: "1", greet: "hello v1" });
      // $LATEST follows the folder: a new environment loads the edit.
      expect(await invoke(lambda, name)).toEqual({ version: "$LATEST", greet: "EDITED v2" });
      // The version's CodeSha256 names the code it runs; it did not move.
      expect((await lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "1" }))).Configuration?.CodeSha256).toBe(published.Configuration?.CodeSha256);

      // A restart: AutoPublishAlias publishes the edit as version 2; version 1 is still what it was.
      lambda.destroy();
      await sim.kill();
      sim = await startLambdaSim(["--template", template, "--state", state]);
      lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
      expect(await invoke(lambda, name, "live")).toEqual({ version: "2", greet: "EDITED v2" });
      expect(await invoke(lambda, name, "1")).toEqual({ version: "1", greet: "hello v1" });
      // Unchanged code and configuration: PublishVersion returns the last version, copying nothing.
      expect((await lambda.send(new PublishVersionCommand({ FunctionName: name }))).Version).toBe("2");
      lambda.destroy();
    } finally {
      await sim.kill();
      rmSync(state, { recursive: true, force: true });
    }
  });
});
