import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetAliasCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  RemovePermissionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

/**
 * A version or alias written into FunctionName (`fn:live`, a qualified full or partial ARN) names
 * it as `Qualifier` does, on every operation whose API reference says "You can append a version
 * number or alias to any of the formats"; both given and different is AWS's
 * InvalidParameterValueException (its message quoted by the EventBridge Scheduler user guide).
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const ARN = "arn:aws:lambda:us-east-1:000000000000:function:fn";
const MISMATCH = "The derived qualifier from the function name does not match the specified qualifier.";
let t: TestSimulator;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startTestSimulator({ functions: [{ functionName: "fn", runtime: "nodejs24.x", handler: "index.handler", codeDir }] });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  await lambda.send(new PublishVersionCommand({ FunctionName: "fn" }));
  await lambda.send(new CreateAliasCommand({ FunctionName: "fn", Name: "live", FunctionVersion: "1" }));
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "fn", Timeout: 7 }));
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: "fn" });
  await lambda.send(new PublishVersionCommand({ FunctionName: "fn" }));
});
afterAll(async () => {
  lambda?.destroy();
  await t?.close();
});

const error = (p: Promise<unknown>) => p.then(() => undefined, (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: e.name, message: e.message, status: e.$metadata?.httpStatusCode }));

describe("a qualifier written in FunctionName", () => {
  it("GetFunctionConfiguration and GetFunction read the version or alias it names", async () => {
    for (const FunctionName of ["fn:live", `${ARN}:live`, "000000000000:function:fn:1", "fn:1"]) {
      expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }))).Version, FunctionName).toBe("1");
    }
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn:2" }))).Timeout).toBe(7);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn:live", Qualifier: "live" }))).Version).toBe("1");
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "fn:live" }))).Configuration?.Version).toBe("1");
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: `${ARN}:$LATEST` }))).Configuration?.Version).toBe("$LATEST");
  });

  it("a version or alias that does not exist is a 404, and one that differs from Qualifier is refused", async () => {
    expect(await error(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn:nope" })))).toEqual({ name: "ResourceNotFoundException", message: `Function not found: ${ARN}:nope`, status: 404 });
    expect(await error(lambda.send(new GetFunctionCommand({ FunctionName: `${ARN}:9` })))).toEqual({ name: "ResourceNotFoundException", message: `Function not found: ${ARN}:9`, status: 404 });
    expect(await error(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "missing:live" })))).toMatchObject({ message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing:live" });
    for (const send of [
      () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn:live", Qualifier: "1" })),
      () => lambda.send(new GetFunctionCommand({ FunctionName: `${ARN}:1`, Qualifier: "2" })),
      () => lambda.send(new DeleteFunctionCommand({ FunctionName: "fn:1", Qualifier: "2" })),
      () => lambda.send(new GetPolicyCommand({ FunctionName: "fn:live", Qualifier: "1" })),
      () => lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "fn:live", Qualifier: "1" })),
      () => lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "fn:live", Qualifier: "1", ProvisionedConcurrentExecutions: 1 })),
    ]) {
      expect(await error(send())).toEqual({ name: "InvalidParameterValueException", message: MISMATCH, status: 400 });
    }
  });

  it("AddPermission, GetPolicy and RemovePermission act on the alias it names", async () => {
    const added = await lambda.send(new AddPermissionCommand({ FunctionName: "fn:live", StatementId: "from-sns", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" }));
    expect(JSON.parse(added.Statement!).Resource).toBe(`${ARN}:live`);
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: `${ARN}:live` }))).Policy!);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["from-sns"]);
    await lambda.send(new RemovePermissionCommand({ FunctionName: "fn:live", StatementId: "from-sns" }));
    expect(await error(lambda.send(new GetPolicyCommand({ FunctionName: "fn:live" })))).toMatchObject({ name: "ResourceNotFoundException" });
    expect(await error(lambda.send(new AddPermissionCommand({ FunctionName: "fn:$LATEST", StatementId: "x", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" })))).toEqual({
      name: "InvalidParameterValueException",
      message: "We currently do not support adding policies for $LATEST.",
      status: 400,
    });
  });

  it("EventInvokeConfig and provisioned concurrency operations take it as Qualifier", async () => {
    const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "fn:live", MaximumRetryAttempts: 0 }));
    expect(put.FunctionArn).toBe(`${ARN}:live`);
    expect((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: `${ARN}:live` }))).MaximumRetryAttempts).toBe(0);
    // The SDK requires Qualifier here; the name's own may repeat it.
    expect(await error(lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "fn:live", Qualifier: "live" })))).toMatchObject({ name: "ProvisionedConcurrencyConfigNotFoundException" });
    expect(await error(lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "fn", Qualifier: "$LATEST" })))).toEqual({
      name: "InvalidParameterValueException",
      message: "The function resource provided must be an alias or a published version.",
      status: 400,
    });
  });

  it("DeleteFunction with `fn:2` deletes version 2 and keeps the function; `fn:$LATEST` and a version an alias references are refused", async () => {
    expect(await error(lambda.send(new DeleteFunctionCommand({ FunctionName: "fn:$LATEST" })))).toEqual({
      name: "InvalidParameterValueException",
      message: "$LATEST version cannot be deleted without deleting the function.",
      status: 400,
    });
    // Version 1 is what `live` points at: AWS refuses, and the alias keeps working.
    expect(await error(lambda.send(new DeleteFunctionCommand({ FunctionName: "fn:1" })))).toEqual({
      name: "ResourceConflictException",
      message: "Unable to delete version because the following aliases reference it: [live]",
      status: 409,
    });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: `${ARN}:2` }));
    // A version that is not there: 204 and nothing done, as AWS answers.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "fn", Qualifier: "99" }));
    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fn" }))).Versions!.map((v) => v.Version);
    expect(versions).toEqual(["$LATEST", "1"]);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn:live" }))).Version).toBe("1");
  });

  it("DeleteFunction on an alias (`fn:live`, a qualified ARN, or Qualifier) is refused as AWS refuses it, and deletes nothing", async () => {
    for (const input of [{ FunctionName: "fn:live" }, { FunctionName: `${ARN}:live` }, { FunctionName: "fn", Qualifier: "live" }, { FunctionName: "000000000000:function:fn:nope" }]) {
      expect(await error(lambda.send(new DeleteFunctionCommand(input))), JSON.stringify(input)).toEqual({
        name: "InvalidParameterValueException",
        message: "Deletion of aliases is not currently supported.",
        status: 400,
      });
    }
    expect((await lambda.send(new GetAliasCommand({ FunctionName: "fn", Name: "live" }))).FunctionVersion).toBe("1");
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn" }))).Version).toBe("$LATEST");
  });

  it("GetAlias, ListAliases and ListVersionsByFunction answer for the function a qualified name belongs to", async () => {
    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fn" }))).Versions!.map((v) => v.Version);
    const aliases = (await lambda.send(new ListAliasesCommand({ FunctionName: "fn" }))).Aliases!.map((a) => a.AliasArn);
    for (const FunctionName of ["fn:live", "fn:1", `${ARN}:live`, "000000000000:function:fn:1"]) {
      expect((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName }))).Versions!.map((v) => v.Version), FunctionName).toEqual(versions);
      expect((await lambda.send(new ListAliasesCommand({ FunctionName }))).Aliases!.map((a) => a.AliasArn), FunctionName).toEqual(aliases);
      expect((await lambda.send(new GetAliasCommand({ FunctionName, Name: "live" }))).AliasArn, FunctionName).toBe(`${ARN}:live`);
    }
    expect(await error(lambda.send(new GetAliasCommand({ FunctionName: "fn:live", Name: "nope" })))).toEqual({ name: "ResourceNotFoundException", message: `Cannot find alias arn: ${ARN}:nope`, status: 404 });
  });

  it("operations on the function itself refuse a qualified name rather than act on $LATEST", async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn" }));
    const zip = Buffer.from("UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==", "base64");
    const sends: [string, () => Promise<unknown>][] = [
      ["UpdateFunctionConfiguration", () => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "fn:1", Timeout: 9 }))],
      ["UpdateFunctionCode", () => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: `${ARN}:live`, ZipFile: zip }))],
      ["PublishVersion", () => lambda.send(new PublishVersionCommand({ FunctionName: "000000000000:function:fn:1" }))],
      ["PutFunctionConcurrency", () => lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "fn:1", ReservedConcurrentExecutions: 3 }))],
      ["GetFunctionConcurrency", () => lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "fn:live" }))],
      ["DeleteFunctionConcurrency", () => lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: `${ARN}:1` }))],
      ["CreateAlias", () => lambda.send(new CreateAliasCommand({ FunctionName: "fn:1", Name: "other", FunctionVersion: "1" }))],
      ["UpdateAlias", () => lambda.send(new UpdateAliasCommand({ FunctionName: "fn:1", Name: "live", FunctionVersion: "1" }))],
      ["DeleteAlias", () => lambda.send(new DeleteAliasCommand({ FunctionName: "fn:live", Name: "live" }))],
    ];
    for (const [operation, send] of sends) {
      expect(await error(send()), operation).toEqual({ name: "InvalidParameterValueException", message: expect.stringContaining(`${operation} acts on the function`), status: 400 });
    }
    // Nothing was done to $LATEST, the versions, the aliases or the reservation.
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn" }));
    expect([after.Timeout, after.CodeSha256, after.RevisionId]).toEqual([before.Timeout, before.CodeSha256, before.RevisionId]);
    expect((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fn" }))).Versions!.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn:live" }))).Version).toBe("1");
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "fn" }))).ReservedConcurrentExecutions).toBeUndefined();
  });
});
