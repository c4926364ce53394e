import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvalidParameterValueException,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

// The EventInvokeConfig operations through the real SDK (messages as AWS's, recorded in
// LocalStack's AWS-validated TestLambdaEventInvokeConfig snapshots).

const codeDir = fileURLToPath(new URL("./fixtures/functions/async/", import.meta.url));
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:failed";
let t: TestSimulator;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startTestSimulator({
    functions: [
      { functionName: "f", runtime: "nodejs24.x", handler: "index.succeeds", codeDir },
      { functionName: "other", runtime: "nodejs24.x", handler: "index.succeeds", codeDir },
    ],
  });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  await lambda.send(new PublishVersionCommand({ FunctionName: "f" }));
  await lambda.send(new CreateAliasCommand({ FunctionName: "f", Name: "live", FunctionVersion: "1" }));
});
afterAll(async () => {
  lambda.destroy();
  await t.close();
});

const error = (p: Promise<unknown>) => p.then(() => undefined, (e: Error & { $metadata?: { httpStatusCode?: number } }) => e);

describe("EventInvokeConfig API", () => {
  it("puts, gets, updates (keeping unset members), lists and deletes per function, version and alias", async () => {
    const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "f", MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600, DestinationConfig: { OnFailure: { Destination: QUEUE } } }));
    expect(put).toMatchObject({ FunctionArn: `${ARN}:f:$LATEST`, MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600, DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: QUEUE } } });
    expect(put.LastModified).toBeInstanceOf(Date);
    // Put replaces: the members not given are cleared.
    const replaced = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "f", MaximumRetryAttempts: 0 }));
    expect(replaced.MaximumEventAgeInSeconds).toBeUndefined();
    expect(replaced.DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: {} });
    // Update keeps them.
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "f", MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }));
    const updated = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "f", MaximumRetryAttempts: 0 }));
    expect(updated).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "f", Qualifier: "$LATEST" }))).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });

    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "f", Qualifier: "1", MaximumRetryAttempts: 1 }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: `${ARN}:f:live`, MaximumRetryAttempts: 1 }));
    expect((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "f:live" }))).FunctionArn).toBe(`${ARN}:f:live`);
    const list = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "f" }));
    expect(list.FunctionEventInvokeConfigs!.map((c) => c.FunctionArn).sort()).toEqual([`${ARN}:f:$LATEST`, `${ARN}:f:1`, `${ARN}:f:live`]);
    const page = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "f", MaxItems: 2 }));
    expect(page.FunctionEventInvokeConfigs).toHaveLength(2);
    const rest = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "f", MaxItems: 2, Marker: page.NextMarker }));
    expect(rest.FunctionEventInvokeConfigs).toHaveLength(1);

    for (const Qualifier of ["$LATEST", "1", "live"]) await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "f", Qualifier }));
    expect((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "f" }))).FunctionEventInvokeConfigs).toEqual([]);
    const gone = await error(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "f" })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone!.message).toBe(`The function ${ARN}:f:$LATEST doesn't have an EventInvokeConfig`);
  });

  it.each([
    ["nothing to set", { FunctionName: "f" }, InvalidParameterValueException, "You must specify at least one of error handling or destination setting."],
    ["unknown function", { FunctionName: "nope", MaximumRetryAttempts: 1 }, ResourceNotFoundException, "The function doesn't exist."],
    ["unknown alias", { FunctionName: "f", Qualifier: "nolive", MaximumRetryAttempts: 1 }, ResourceNotFoundException, "The function doesn't exist."],
    ["qualifier mismatch", { FunctionName: "f:live", Qualifier: "1", MaximumRetryAttempts: 1 }, InvalidParameterValueException, "The derived qualifier from the function name does not match the specified qualifier."],
    ["a Lambda destination that does not exist", { FunctionName: "f", DestinationConfig: { OnSuccess: { Destination: `${ARN}:ghost` } } }, InvalidParameterValueException, `The destination ARN ${ARN}:ghost is invalid.`],
    ["the function as its own destination", { FunctionName: "f", DestinationConfig: { OnSuccess: { Destination: `${ARN}:f` } } }, InvalidParameterValueException, "You can't specify the function as a destination for itself."],
    [
      "a service that is no destination",
      { FunctionName: "f", DestinationConfig: { OnSuccess: { Destination: "arn:aws:iam::000000000000:role/x" } } },
      InvalidParameterValueException,
      "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:iam::000000000000:role/x), onFailure=null) is invalid.",
    ],
  ] as const)("refuses %s", async (_name, input, type, message) => {
    const e = await error(lambda.send(new PutFunctionEventInvokeConfigCommand(input as never)));
    expect(e).toBeInstanceOf(type);
    expect(e!.message).toBe(message);
  });

  it.each([
    ["MaximumRetryAttempts 3", { MaximumRetryAttempts: 3 }, "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2"],
    ["MaximumEventAgeInSeconds 59", { MaximumEventAgeInSeconds: 59 }, "Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"],
    ["MaximumEventAgeInSeconds 21601", { MaximumEventAgeInSeconds: 21_601 }, "Value '21601' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 21600"],
  ])("validates %s as the model's range", async (_name, input, message) => {
    const e = await error(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "other", ...input })));
    expect(e!.name).toBe("ValidationException");
    expect(e!.$metadata!.httpStatusCode).toBe(400);
    expect(e!.message).toBe(`1 validation error detected: ${message}`);
  });

  it("deletes an alias's config with the alias: a new alias of that name starts without one", async () => {
    await lambda.send(new CreateAliasCommand({ FunctionName: "f", Name: "brief", FunctionVersion: "1" }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "f", Qualifier: "brief", MaximumRetryAttempts: 0 }));
    await lambda.send(new DeleteAliasCommand({ FunctionName: "f", Name: "brief" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "f", Name: "brief", FunctionVersion: "1" }));
    const e = await error(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "f", Qualifier: "brief" })));
    expect(e).toBeInstanceOf(ResourceNotFoundException);
  });

  it("accepts another function as a Lambda destination; Update needs an existing config", async () => {
    const missing = await error(lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "other", MaximumRetryAttempts: 1 })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "other", DestinationConfig: { OnSuccess: { Destination: `${ARN}:f` } } }));
    expect(put.DestinationConfig!.OnSuccess).toEqual({ Destination: `${ARN}:f` });
  });

  it("checks eventInvokeConfig from lambda-sim.yaml with the same rules, as a config error", async () => {
    const bad = startTestSimulator({ functions: [{ functionName: "g", runtime: "nodejs24.x", handler: "index.succeeds", codeDir, eventInvokeConfig: { onSuccess: "lambda:ghost" } }] });
    await expect(bad).rejects.toMatchObject({ code: "ERR_CONFIG", message: `functions.g.eventInvokeConfig: The destination ARN ${ARN}:ghost is invalid.` });
  });
});
