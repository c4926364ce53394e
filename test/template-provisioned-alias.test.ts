import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { GetAliasCommand, GetProvisionedConcurrencyConfigCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { applyTemplateActions, type TemplateAction } from "../packages/cli/src/template/template-actions.ts";
import { until } from "./support/until.ts";

/**
 * A template's AutoPublishAlias with ProvisionedConcurrencyConfig applied again after its function
 * changed (the next `lambda-sim start --template`): the alias moves to the new version while its
 * old one's environments are up, and AWS refuses a Put on the alias during that move (its
 * RoutingConfig has weights), so the start puts a changed count before the move.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
let lambda: LambdaClient | undefined;

afterEach(() => {
  lambda?.destroy();
});

describe("a template's provisioned alias applied again", () => {
  it("moves the alias and its provisioned concurrency to the new version with the new count, nothing refused", async () => {
    t = await sims.start({ functions: [{ functionName: "warm", runtime: "nodejs24.x", handler: "index.echo", codeDir }] });
    const client = (lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 }));
    const action = (provisioned: number): TemplateAction[] => [{ kind: "publish-alias", logicalId: "WarmFunction", functionName: "warm", alias: "live", provisioned }];
    const status = async () => client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "live" }));

    expect(await applyTemplateActions(t.endpoint, "template.yaml", action(1), t.sim.functionUrls)).toEqual([]);
    await until(async () => (await status()).Status === "READY");
    // The template's function changed: version 2, and two environments.
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "warm", Environment: { Variables: { DEPLOY: "two" } } }));
    expect(await applyTemplateActions(t.endpoint, "template.yaml", action(2), t.sim.functionUrls)).toEqual([]);

    expect((await client.send(new GetAliasCommand({ FunctionName: "warm", Name: "live" }))).FunctionVersion).toBe("2");
    await until(async () => (await status()).Status === "READY");
    expect(await status()).toMatchObject({ RequestedProvisionedConcurrentExecutions: 2, AvailableProvisionedConcurrentExecutions: 2 });
  });
});
