import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LambdaClient, PublishVersionCommand, PutProvisionedConcurrencyConfigCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

// A provisioned concurrency copied from production (100 and more) starts that many processes on a
// laptop: the console says so when one config asks for many, and not for a few. Model functions
// keep the test cheap: the warning is about the count asked for.
let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("provisioned concurrency on a small machine", () => {
  it("warns on the console when one config asks for more than 20 environments", async () => {
    dir = mkdtempSync(join(tmpdir(), "lambda-sim-pc-warning-"));
    writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  pub: { runtime: model, model: { durationMs: 1 } }\n");
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "pub" }));
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pub", Qualifier: Version, ProvisionedConcurrentExecutions: 3 }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "pub", Timeout: 9 }));
    const two = await lambda.send(new PublishVersionCommand({ FunctionName: "pub" }));
    expect(two.Version).toBe("2");
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pub", Qualifier: "2", ProvisionedConcurrentExecutions: 25 }));
    await until(() => sim.output().includes("pub:2: provisioned concurrency 25 starts 25 environments on this machine"));
    expect(sim.output()).not.toContain("pub:1: provisioned concurrency");
    await sim.kill();
  });
});
