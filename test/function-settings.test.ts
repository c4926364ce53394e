import { describe, expect, it } from "vitest";
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
import { zipFiles } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";

/**
 * What an IaC tool reads back after CreateFunction besides the configuration: the recursion
 * config (kept across restarts) and the code signing config (none: not simulated). Terraform's
 * aws_lambda_function failed on the missing GetFunctionCodeSigningConfig and tainted the function.
 */
const sims = perTestSimulator();

/** A client of a new simulator (a restart when one runs), on `stateDir` if given. */
async function start(stateDir?: string): Promise<LambdaClient> {
  return new LambdaClient({ ...(await sims.start({ stateDir })).clientConfig, maxAttempts: 1 });
}

const create = async (lambda: LambdaClient, name: string) =>
  lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 1;\n" }]) } }));

describe("per-function settings IaC tools read back", () => {
  it("RecursiveLoop is Terminate by default, takes Allow, and keeps it across a restart", async () => {
    const dir = sims.stateDir();
    let lambda = await start(dir);
    await create(lambda, "looper");
    expect((await lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: "looper" }))).RecursiveLoop).toBe("Terminate");
    expect((await lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: "looper", RecursiveLoop: "Allow" }))).RecursiveLoop).toBe("Allow");
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
    const r = await fetch(`${sims.current.endpoint}/2099-01-01/functions/x/something-new`);
    expect(r.status).toBe(404);
    expect(await r.text()).toMatch(/Unknown operation GET \/2099-01-01\/functions\/x\/something-new/);
  });
});
