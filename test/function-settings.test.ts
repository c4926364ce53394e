import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CodeSigningConfigNotFoundException,
  CreateFunctionCommand,
  DeleteFunctionCodeSigningConfigCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionRecursionConfigCommand,
  LambdaClient,
  PutFunctionCodeSigningConfigCommand,
  PutFunctionRecursionConfigCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { startTestSimulator, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";

/**
 * What an IaC tool reads back after CreateFunction besides the configuration: the recursion
 * config (kept across restarts) and the code signing config (none: not simulated). Terraform's
 * aws_lambda_function failed on the missing GetFunctionCodeSigningConfig and tainted the function.
 */
let t: TestSimulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  t = dir = undefined;
});

async function start(stateDir?: string): Promise<LambdaClient> {
  t = await startTestSimulator({ stateDir });
  return new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
}

const create = async (lambda: LambdaClient, name: string) =>
  lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 1;\n" }]) } }));

describe("per-function settings IaC tools read back", () => {
  it("RecursiveLoop is Terminate by default, takes Allow, and keeps it across a restart", async () => {
    dir = mkdtempSync(join(tmpdir(), "lambda-sim-settings-"));
    let lambda = await start(dir);
    await create(lambda, "looper");
    expect((await lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: "looper" }))).RecursiveLoop).toBe("Terminate");
    expect((await lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: "looper", RecursiveLoop: "Allow" }))).RecursiveLoop).toBe("Allow");
    await t!.close();
    lambda = await start(dir);
    expect((await lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: "looper" }))).RecursiveLoop).toBe("Allow");
    const bad = await lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: "looper", RecursiveLoop: "Sometimes" as "Allow" })).catch((e: Error) => e);
    expect(bad).toMatchObject({ name: "ValidationException" });
    expect(await lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: "nobody" })).catch((e) => e)).toBeInstanceOf(ResourceNotFoundException);
  });

  it("a function has no code signing config, and none can be attached", async () => {
    const lambda = await start();
    await create(lambda, "plain");
    const got = await lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: "plain" }));
    expect(got.FunctionName).toBe("plain");
    expect(got.CodeSigningConfigArn).toBeUndefined();
    await lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: "plain" }));
    const arn = "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdef0";
    expect(await lambda.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: "plain", CodeSigningConfigArn: arn })).catch((e) => e)).toBeInstanceOf(CodeSigningConfigNotFoundException);
  });

  it("a Lambda path it does not serve is an unknown Lambda operation, not an unknown service", async () => {
    await start();
    const r = await fetch(`${t!.endpoint}/2099-01-01/functions/x/something-new`);
    expect(r.status).toBe(404);
    expect(await r.text()).toMatch(/Unknown operation GET \/2099-01-01\/functions\/x\/something-new/);
  });
});
