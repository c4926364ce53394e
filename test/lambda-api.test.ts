import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { startTestSimulator, zipDirectory, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/functions/${name}/`, import.meta.url));
const handlerSource = (version: string) => `const instance = Math.random();\nexport const handler = async () => ({ version: "${version}", pid: process.pid, instance });\n`;

let stateDir: string;
let t: TestSimulator;
let lambda: LambdaClient;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-api-test-"));
  t = await startTestSimulator({ stateDir });
  lambda = new LambdaClient(t.clientConfig);
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
});

async function invokeJson(name: string, qualifier?: string): Promise<any> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier }));
  return { ...JSON.parse(Buffer.from(out.Payload!).toString()), executedVersion: out.ExecutedVersion };
}

async function createFromSource(name: string, source: string) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs24.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/lambda-role",
      Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: source }]) },
    }),
  );
}

describe("functions through the Lambda API", () => {
  it("creates a function from a zip and invokes it", async () => {
    const created = await createFromSource("api-fn", handlerSource("one"));
    expect(created.FunctionName).toBe("api-fn");
    expect(created.FunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:api-fn");
    expect(created.State).toBe("Pending");
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "api-fn" }));
    expect(got.Configuration?.State).toBe("Active");
    expect((await invokeJson("api-fn")).version).toBe("one");
  });

  it("refuses a duplicate with ResourceConflictException", async () => {
    const err = await createFromSource("api-fn", handlerSource("again")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceConflictException);
  });

  it("refuses reserved environment variables with AWS's message", async () => {
    const err = await lambda
      .send(new UpdateFunctionConfigurationCommand({ FunctionName: "api-fn", Environment: { Variables: { AWS_REGION: "eu-west-1", OK: "1" } } }))
      .catch((e: unknown) => e);
    expect((err as { name: string }).name).toBe("InvalidParameterValueException");
    expect((err as Error).message).toBe(
      "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION",
    );
  });

  it("retires warm environments when the code changes", async () => {
    const before = await invokeJson("api-fn");
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "api-fn", ZipFile: await zipFiles([{ name: "index.mjs", data: handlerSource("two") }]) }));
    const after = await invokeJson("api-fn");
    expect(after.version).toBe("two");
    expect(after.instance).not.toBe(before.instance);
  });

  it("retires warm environments when the configuration changes", async () => {
    const before = await invokeJson("api-fn");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "api-fn", MemorySize: 256 }));
    const after = await invokeJson("api-fn");
    expect(after.instance).not.toBe(before.instance);
  });

  it("keeps the exec bit of a provided bootstrap uploaded in a zip", async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "api-bash",
        Runtime: "provided.al2023",
        Handler: "function.handler",
        Role: "arn:aws:iam::000000000000:role/lambda-role",
        Code: { ZipFile: await zipDirectory(fixture("provided-bash")) },
      }),
    );
    expect(await invokeJson("api-bash")).toMatchObject({ bash: true });
  });

  it("rejects a zip entry that escapes its directory", async () => {
    // yazl refuses to write such a name, so write a same-length one and patch it in.
    const safe = await zipFiles([{ name: "xx/xx/evil.mjs", data: "export const handler = () => 1;" }]);
    const zip = Buffer.from(safe.toString("latin1").replaceAll("xx/xx/evil.mjs", "../../evil.mjs"), "latin1");
    const err = await lambda
      .send(new CreateFunctionCommand({ FunctionName: "evil", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: zip } }))
      .catch((e: unknown) => e);
    expect((err as { name: string }).name).toBe("InvalidParameterValueException");
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
  });

  it("publishes no new version when code and configuration are unchanged since the last one", async () => {
    await createFromSource("steady", handlerSource("v1"));
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: "steady" }));
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: "steady" }));
    expect([v1.Version, again.Version]).toEqual(["1", "1"]);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "steady" }));
  });

  it("routes an alias between two versions by weight and reports the executed version", async () => {
    await createFromSource("weighted", handlerSource("v1"));
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: "weighted" }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "weighted", ZipFile: await zipFiles([{ name: "index.mjs", data: handlerSource("v2") }]) }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: "weighted" }));
    expect([v1.Version, v2.Version]).toEqual(["1", "2"]);
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "weighted", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } } }),
    );
    const seen: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const r = await invokeJson("weighted", "live");
      expect(r.version).toBe(`v${r.executedVersion}`);
      seen[r.executedVersion] = (seen[r.executedVersion] ?? 0) + 1;
    }
    expect(seen["1"]).toBeGreaterThan(5);
    expect(seen["2"]).toBeGreaterThan(5);
  });

  it("refuses a weighted alias over versions with different execution roles or dead-letter queues, as AWS does", async () => {
    await createFromSource("canary", handlerSource("v1"));
    await lambda.send(new PublishVersionCommand({ FunctionName: "canary" }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "canary", Role: "arn:aws:iam::000000000000:role/other" }));
    await until(async () => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "canary" }))).LastUpdateStatus === "Successful");
    await lambda.send(new PublishVersionCommand({ FunctionName: "canary" }));
    const refused = await lambda.send(new CreateAliasCommand({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } })).catch((e: Error) => e);
    expect(refused).toMatchObject({ name: "InvalidParameterValueException", message: "Specified versions must be associated with the same execution role" });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "canary" }));
  });

  it("leaves an environment's values out of a ValidationException, as AWS leaves out sensitive members (newuser10 N1-1)", async () => {
    const refused = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "api-fn", Environment: { Variables: { X: "s3cr3t-value" } } })).catch((e: Error) => e);
    expect(refused).toMatchObject({ name: "ValidationException" });
    expect((refused as Error).message).toMatch(/^1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must satisfy regular expression pattern: /);
    expect((refused as Error).message).not.toContain("s3cr3t");
  });

  it("finds a function by its ARN, but not by another account's (newuser12 N1-2)", async () => {
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:api-fn" }))).Configuration?.FunctionName).toBe("api-fn");
    for (const [FunctionName, arn] of [
      ["arn:aws:lambda:us-east-1:123456789012:function:api-fn", "arn:aws:lambda:us-east-1:123456789012:function:api-fn"],
      ["123456789012:function:api-fn", "arn:aws:lambda:us-east-1:123456789012:function:api-fn"],
    ]) {
      const err = await lambda.send(new GetFunctionCommand({ FunctionName })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect((err as Error).message).toBe(`Function not found: ${arn}`);
    }
  });

  it("answers Function not found for a missing alias", async () => {
    const err = await invokeJson("weighted", "nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe("Function not found: arn:aws:lambda:us-east-1:000000000000:function:weighted:nope");
  });

  it("keeps functions, versions and aliases across a restart on the same state directory", async () => {
    await t.close();
    t = await startTestSimulator({ stateDir });
    lambda.destroy();
    lambda = new LambdaClient(t.clientConfig);
    const names = (await lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName).sort();
    expect(names).toEqual(["api-bash", "api-fn", "weighted"]);
    expect((await invokeJson("api-fn")).version).toBe("two");
    expect((await invokeJson("weighted", "1")).version).toBe("v1");
    expect(["1", "2"]).toContain((await invokeJson("weighted", "live")).executedVersion);
  });

  it("reports LoggingConfig: Text and the function's log group, or JSON and its levels when its environment asks for JSON logs", async () => {
    await createFromSource("api-logs", handlerSource("one"));
    // The waiters a deploy script uses (the README: states are immediate here) return at once.
    expect((await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10 }, { FunctionName: "api-logs" })).state).toBe("SUCCESS");
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "api-logs" }));
    expect(got.Configuration?.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/api-logs" });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "api-logs", Environment: { Variables: { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: "WARN" } } }));
    expect((await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10 }, { FunctionName: "api-logs" })).state).toBe("SUCCESS");
    const json = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "api-logs" }));
    expect(json.LoggingConfig).toEqual({ LogFormat: "JSON", ApplicationLogLevel: "WARN", SystemLogLevel: "INFO", LogGroup: "/aws/lambda/api-logs" });
  });

  it("deletes a function", async () => {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "api-bash" }));
    const err = await invokeJson("api-bash").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });
});
