import { GetAliasCommand, GetFunctionCommand, GetFunctionUrlConfigCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";
import { until } from "./support/until.ts";

/**
 * `lambda-sim start --watch`: an edit is deployed on save, as `sam sync --watch` deploys it, where
 * before only a restart (or a configuration change by hand) made a warm function load it.
 */
const clients: LambdaClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

function client(endpoint: string): LambdaClient {
  const c = new LambdaClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
  clients.push(c);
  return c;
}

const answer = async (lambda: LambdaClient, FunctionName: string, Qualifier?: string) => JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName, Qualifier }))).Payload!).toString()) as unknown;

describe("lambda-sim start --watch", () => {
  it("deploys a saved edit of a folder function and of a built TypeScript function; a build error keeps the running code", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-watch-"));
    mkdirSync(join(dir, "plain"));
    mkdirSync(join(dir, "typed"));
    writeFileSync(join(dir, "plain", "index.js"), 'exports.handler = async () => "plain v1";\n');
    writeFileSync(join(dir, "typed", "app.ts"), 'export const handler = async (): Promise<string> => "typed v1";\n');
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      "functions:\n  plain: { runtime: nodejs24.x, handler: index.handler, codeUri: ./plain }\n  typed: { runtime: nodejs24.x, handler: app.handler, codeUri: ./typed, build: esbuild }\n",
    );
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--watch"]);
    expect(sim.output()).toContain("watching 2 code folder(s)");
    const lambda = client(sim.endpoint);
    expect(await answer(lambda, "plain")).toBe("plain v1");
    expect(await answer(lambda, "typed")).toBe("typed v1");
    const sha = async (name: string) => (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration!.CodeSha256;
    const before = await sha("plain");

    writeFileSync(join(dir, "plain", "index.js"), 'exports.handler = async () => "plain v2";\n');
    await until(async () => (await answer(lambda, "plain")) === "plain v2");
    expect(await sha("plain")).not.toBe(before);
    expect(sim.output()).toMatch(/watch: plain's code changed \(CodeSha256 [A-Za-z0-9+/=]{44}\)/);

    writeFileSync(join(dir, "typed", "app.ts"), 'export const handler = async (): Promise<string> => "typed v2";\n');
    await until(async () => (await answer(lambda, "typed")) === "typed v2");

    writeFileSync(join(dir, "typed", "app.ts"), "export const handler = async () => {{ broken\n");
    await until(() => sim.output().includes("watch: typed not rebuilt (the running code stays)"));
    expect(sim.output()).toMatch(/typed\/app\.ts:\d+ functions\.typed \(esbuild\): /);
    expect(await answer(lambda, "typed")).toBe("typed v2");
    // The fix that builds the running code again is said too (newuser11 N1-12).
    writeFileSync(join(dir, "typed", "app.ts"), 'export const handler = async (): Promise<string> => "typed v2";\n');
    await until(() => sim.output().includes("watch: typed rebuilt: the same as the running code, which stays"));

    // The configuration is read at start only: a save there is said to need a restart (newuser11 N1-1).
    writeFileSync(join(dir, "lambda-sim.yaml"), "# edited\n" + readFileSync(join(dir, "lambda-sim.yaml"), "utf8").replace("handler: index.handler", "handler: index.other"));
    await until(() => sim.output().includes(`watch: ${join(dir, "lambda-sim.yaml")} changed: it is read at start only`));
    expect(await answer(lambda, "plain")).toBe("plain v2");
    await sim.kill();
  });

  it("deploys a folder's other functions when one of its builds fails (review21 R21-7)", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-watch-"));
    mkdirSync(join(dir, "shared"));
    writeFileSync(join(dir, "shared", "index.js"), 'exports.handler = async () => "plain v1";\n');
    writeFileSync(join(dir, "shared", "app.ts"), 'export const handler = async (): Promise<string> => "typed v1";\n');
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      "functions:\n  typed: { runtime: nodejs24.x, handler: app.handler, codeUri: ./shared, build: esbuild, buildProperties: { EntryPoints: [app.ts] } }\n  plain: { runtime: nodejs24.x, handler: index.handler, codeUri: ./shared }\n",
    );
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--watch"]);
    const lambda = client(sim.endpoint);
    expect(await answer(lambda, "plain")).toBe("plain v1");
    // One save of both files: the TypeScript one broken.
    writeFileSync(join(dir, "shared", "app.ts"), "export const handler = async () => {{ broken\n");
    writeFileSync(join(dir, "shared", "index.js"), 'exports.handler = async () => "plain v2";\n');
    await until(async () => (await answer(lambda, "plain")) === "plain v2");
    await until(() => sim.output().includes("watch: typed not rebuilt (the running code stays)"));
    expect(await answer(lambda, "typed")).toBe("typed v1");
    await sim.kill();
  });

  it("publishes a template function's AutoPublishAlias anew and moves the alias, as a deploy does", { timeout: 90_000 }, async () => {
    const template = writeStackTemplate(`Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: api
      CodeUri: src/
      Runtime: nodejs24.x
      Handler: index.handler
      AutoPublishAlias: live
      FunctionUrlConfig: { AuthType: NONE }
  Other:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: other
      CodeUri: other/
      Runtime: nodejs24.x
      Handler: index.handler
      AutoPublishAlias: live
      FunctionUrlConfig: { AuthType: NONE }
`);
    const src = join(template, "..", "src");
    mkdirSync(src);
    writeFileSync(join(src, "index.js"), 'exports.handler = async () => "v1";\n');
    mkdirSync(join(template, "..", "other"));
    writeFileSync(join(template, "..", "other", "index.js"), 'exports.handler = async () => "other";\n');
    const sim = await startLambdaSim(["--template", template, "--in-memory", "--watch"]);
    const lambda = client(sim.endpoint);
    expect(await answer(lambda, "api", "live")).toBe("v1");
    expect((await lambda.send(new GetAliasCommand({ FunctionName: "api", Name: "live" }))).FunctionVersion).toBe("1");
    writeFileSync(join(src, "index.js"), 'exports.handler = async () => "v2";\n');
    await until(async () => (await lambda.send(new GetAliasCommand({ FunctionName: "api", Name: "live" }))).FunctionVersion === "2");
    await until(() => sim.output().includes("watch: api: published version 2, alias live → 2"));
    expect(await answer(lambda, "api", "live")).toBe("v2");
    // The published version keeps its code.
    expect(await answer(lambda, "api", "1")).toBe("v1");
    // Both aliases' Function URLs still answer, the one republished and the other (review20 R20-1).
    for (const [name, body] of [["api", "v2"], ["other", "other"]] as const) {
      const { FunctionUrl } = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name, Qualifier: "live" }));
      // Its path form on the one port: /_aws/lambda-url/{urlId}/.
      const urlId = new URL(FunctionUrl!).hostname.split(".")[0]!;
      const res = await fetch(`${sim.endpoint.replace(/\/$/, "")}/_aws/lambda-url/${urlId}/`);
      expect([name, res.status, await res.text()]).toEqual([name, 200, body]);
    }
    await sim.kill();
  });
});
