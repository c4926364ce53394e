import { dirname, join } from "node:path";
import { GetAliasCommand, GetFunctionConfigurationCommand, LambdaClient, ListVersionsByFunctionCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * A template's functions across a restart on the same state: the template is applied again, so a
 * change made through the API to a template function does not survive (README), and
 * AutoPublishAlias with an unchanged template publishes nothing and leaves its alias where it was,
 * as a CloudFormation re-deploy of an unchanged stack would.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  WarmFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      AutoPublishAlias: live
      Environment: { Variables: { VER: "1" } }
      InlineCode: "exports.handler = async () => process.env.VER;"
`;

describe("a template's functions across a restart", () => {
  it("re-applies $LATEST from the template; AutoPublishAlias reuses the version it published and leaves the alias", { timeout: 120_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    const args = ["--template", template, "--state", join(dirname(dirname(template)), "state")];
    let sim = await startLambdaSim(args);
    const name = generatedName(sim.output(), "WarmFunction");
    let lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    expect(await lambda.send(new GetAliasCommand({ FunctionName: name, Name: "live" }))).toMatchObject({ FunctionVersion: "1" });
    // Out of band, as a user does with the AWS CLI: a new configuration, published as version 2.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { VER: "2" } } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: name });
    expect(await lambda.send(new PublishVersionCommand({ FunctionName: name }))).toMatchObject({ Version: "2" });
    lambda.destroy();
    await sim.kill();

    sim = await startLambdaSim(args);
    lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    // The template is read at start: $LATEST is its configuration again.
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).Environment?.Variables).toEqual({ VER: "1" });
    // Equal to version 1: no version 3, and live stays on 1.
    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }))).Versions!.map((v) => v.Version);
    expect(versions).toEqual(["$LATEST", "1", "2"]);
    expect(await lambda.send(new GetAliasCommand({ FunctionName: name, Name: "live" }))).toMatchObject({ FunctionVersion: "1" });
    lambda.destroy();
    await sim.kill();
  });
});
