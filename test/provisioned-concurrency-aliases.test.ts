import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ListProvisionedConcurrencyConfigsCommand,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  ResourceConflictException,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";
import type { FunctionDefinition } from "@lambda-sim/core";

/**
 * Provisioned concurrency configured on an alias, as a deploy moves the alias: "publish a version,
 * point the alias at it" keeps the alias warm (AWS: the config follows the alias; IN_PROGRESS while
 * the new version's environments initialise, the alias's traffic held on the old version
 * meanwhile, then READY and the old version's environments released).
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const fn: FunctionDefinition = { functionName: "pc-alias", runtime: "nodejs24.x", handler: "index.echo", codeDir };
let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
let lambda: LambdaClient | undefined;

afterEach(() => {
  lambda?.destroy();
});

async function start(opts: Parameters<typeof sims.start>[0]): Promise<LambdaClient> {
  t = await sims.start(opts);
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  return lambda;
}

/** The config's status once it has left IN_PROGRESS. */
async function ready(client: LambdaClient, qualifier: string): Promise<string | undefined> {
  let status: string | undefined;
  await until(async () => {
    status = (await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: qualifier }))).Status;
    return status !== "IN_PROGRESS";
  });
  return status;
}

/** Publishes a new version (a configuration change makes it differ from the last). */
async function publish(client: LambdaClient, deploy: string, variables: Record<string, string> = {}): Promise<string> {
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn.functionName, Environment: { Variables: { DEPLOY: deploy, ...variables } } }));
  return (await client.send(new PublishVersionCommand({ FunctionName: fn.functionName }))).Version!;
}

/** Why each environment of `version` that retired did. */
function retireReasons(recorder: TelemetryRecorder, version: string): (string | undefined)[] {
  return recorder.of("environment.state-changed").filter((e) => e.version === version && e.to === "retired").map((e) => e.reason);
}

async function invoke(client: LambdaClient, qualifier: string) {
  const out = await client.send(new InvokeCommand({ FunctionName: fn.functionName, Qualifier: qualifier, LogType: "Tail" }));
  return {
    version: out.ExecutedVersion,
    initType: JSON.parse(Buffer.from(out.Payload!).toString()).env.AWS_LAMBDA_INITIALIZATION_TYPE as string,
    cold: Buffer.from(out.LogResult!, "base64").toString().includes("Init Duration"),
  };
}

describe("provisioned concurrency on an alias", () => {
  it("follows UpdateAlias to the new version: IN_PROGRESS with traffic held on the old one (no Put meanwhile), then READY, the old environments released; and after a restart", async () => {
    // Removed after the simulator closes (perTestSimulator): removing it while the simulator still
    // wrote to it failed with ENOTEMPTY once in CI.
    const stateDir = sims.stateDir();
    {
      let client = await start({ stateDir, functions: [fn] });
      const recorder = new TelemetryRecorder(t!.sim.telemetry);
      const v1 = await publish(client, "one");
      await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "live", FunctionVersion: v1 }));
      await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live", ProvisionedConcurrentExecutions: 2 }));
      expect(await ready(client, "live")).toBe("READY");
      expect(await invoke(client, "live")).toEqual({ version: v1, initType: "provisioned-concurrency", cold: false });

      // Version 2's Init takes a second and a half: long enough to look at the alias meanwhile.
      const v2 = await publish(client, "two", { INIT_SLEEP_MS: "1500" });
      await client.send(new UpdateAliasCommand({ FunctionName: fn.functionName, Name: "live", FunctionVersion: v2 }));
      // While version 2's environments initialise, the alias says so and its traffic stays on version 1.
      const held = await client.send(new GetAliasCommand({ FunctionName: fn.functionName, Name: "live" }));
      expect(held.FunctionVersion).toBe(v2);
      expect(held.RoutingConfig?.AdditionalVersionWeights).toEqual({ [v1]: 1 });
      const during = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live" }));
      expect(during).toMatchObject({ Status: "IN_PROGRESS", AllocatedProvisionedConcurrentExecutions: 0 });
      // AWS's weights meanwhile are weights: a Put on the alias is refused until they clear.
      const refused = await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live", ProvisionedConcurrentExecutions: 3 })).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidParameterValueException);
      expect((refused as Error).message).toBe("Alias with weights can not be used with Provisioned Concurrency");
      expect(await ready(client, "live")).toBe("READY");
      // Version 1's two environments were let go because provisioned concurrency moved away, not because code changed.
      await until(() => retireReasons(recorder, v1).length === 2);
      expect(retireReasons(recorder, v1)).toEqual(["provisioned-released", "provisioned-released"]);
      recorder.dispose();

      const after = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live" }));
      expect(after).toMatchObject({ RequestedProvisionedConcurrentExecutions: 2, AvailableProvisionedConcurrentExecutions: 2, AllocatedProvisionedConcurrentExecutions: 2 });
      expect((await client.send(new GetAliasCommand({ FunctionName: fn.functionName, Name: "live" }))).RoutingConfig).toBeUndefined();
      // Two at once: both on version 2's provisioned environments, warm.
      expect(await Promise.all([invoke(client, "live"), invoke(client, "live")])).toEqual([
        { version: v2, initType: "provisioned-concurrency", cold: false },
        { version: v2, initType: "provisioned-concurrency", cold: false },
      ]);
      // Version 1 has no provisioned environment any more: a cold start on demand.
      expect(await invoke(client, v1)).toEqual({ version: v1, initType: "on-demand", cold: true });

      await t!.close();
      client.destroy();
      client = await start({ stateDir, functions: [fn] });
      expect(await ready(client, "live")).toBe("READY");
      expect(await invoke(client, "live")).toEqual({ version: v2, initType: "provisioned-concurrency", cold: false });
    }
  });

  it("DeleteAlias removes the alias's provisioned concurrency config", async () => {
    const client = await start({ functions: [fn] });
    const v1 = await publish(client, "one");
    await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "live", FunctionVersion: v1 }));
    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live", ProvisionedConcurrentExecutions: 1 }));
    expect(await ready(client, "live")).toBe("READY");
    await client.send(new DeleteAliasCommand({ FunctionName: fn.functionName, Name: "live" }));
    const err = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionedConcurrencyConfigNotFoundException);
    expect((await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: fn.functionName }))).ProvisionedConcurrencyConfigs).toEqual([]);
    // Its environment went with it.
    expect(await invoke(client, v1)).toEqual({ version: v1, initType: "on-demand", cold: true });
  });

  it("refuses a config on a weighted alias; one already there is split by the weights when the alias gets some", async () => {
    const client = await start({ functions: [fn] });
    const v1 = await publish(client, "one");
    const v2 = await publish(client, "two");
    await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "canary", FunctionVersion: v1, RoutingConfig: { AdditionalVersionWeights: { [v2]: 0.5 } } }));
    const err = await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "canary", ProvisionedConcurrentExecutions: 2 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect((err as Error).message).toBe("Alias with weights can not be used with Provisioned Concurrency");

    await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "live", FunctionVersion: v1 }));
    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live", ProvisionedConcurrentExecutions: 2 }));
    expect(await ready(client, "live")).toBe("READY");
    // A canary step: half the traffic to version 2, and one of the two environments with it.
    await client.send(new UpdateAliasCommand({ FunctionName: fn.functionName, Name: "live", RoutingConfig: { AdditionalVersionWeights: { [v2]: 0.5 } } }));
    expect(await ready(client, "live")).toBe("READY");
    expect(await invoke(client, v1)).toEqual({ version: v1, initType: "provisioned-concurrency", cold: false });
    expect(await invoke(client, v2)).toEqual({ version: v2, initType: "provisioned-concurrency", cold: false });
    const got = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live" }));
    expect(got).toMatchObject({ AvailableProvisionedConcurrentExecutions: 2, AllocatedProvisionedConcurrentExecutions: 2 });
  });
  it("one configuration per version: refuses an alias's on a version with its own or another alias's, and a version's an alias already provisions; a deleted one releases its environments", async () => {
    const client = await start({ functions: [fn] });
    const recorder = new TelemetryRecorder(t!.sim.telemetry);
    const v1 = await publish(client, "one");
    const put = (Qualifier: string) => client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier, ProvisionedConcurrentExecutions: 1 }));
    const conflict = async (qualifier: string, message: string) => {
      const err = await put(qualifier).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResourceConflictException);
      expect((err as Error).message).toBe(message);
    };
    await put(v1);
    await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "live", FunctionVersion: v1 }));
    await conflict("live", "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");

    await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: v1 }));
    await put("live");
    expect(await ready(client, "live")).toBe("READY");
    await conflict(v1, "Version is pointed by a Provisioned Concurrency alias");
    await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "other", FunctionVersion: v1 }));
    await conflict("other", "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
    // Put again on the same alias is an update, not a second configuration.
    await put("live");
    expect(await ready(client, "live")).toBe("READY");

    // The version's own configuration's environment and then the alias's: each released, not updated.
    await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: "live" }));
    await until(() => retireReasons(recorder, v1).length === 2);
    expect(retireReasons(recorder, v1)).toEqual(["provisioned-released", "provisioned-released"]);
    recorder.dispose();
  });
  it("refuses a Put while the same version's or alias's configuration is IN_PROGRESS, as AWS does; takes it once READY", async () => {
    const slow: FunctionDefinition = { ...fn, functionName: "pc-slow", environment: { INIT_SLEEP_MS: "1500" } };
    const client = await start({ functions: [slow] });
    const v1 = (await client.send(new PublishVersionCommand({ FunctionName: "pc-slow" }))).Version!;
    await client.send(new CreateAliasCommand({ FunctionName: "pc-slow", Name: "live", FunctionVersion: v1 }));
    const put = (Qualifier: string, n: number) => client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc-slow", Qualifier, ProvisionedConcurrentExecutions: n }));
    const status = async () => (await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc-slow", Qualifier: "live" }))).Status;
    expect((await put("live", 2)).Status).toBe("IN_PROGRESS");
    // The first Put's environments are still initialising (Init takes 1.5 s): a second is refused, whatever its count.
    for (const n of [1, 2, 3]) {
      const err = await put("live", n).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResourceConflictException);
      expect((err as Error).message).toBe("A previous request is being processed. Please try again shortly");
    }
    expect(await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc-slow", Qualifier: "live" }))).toMatchObject({ Status: "IN_PROGRESS", RequestedProvisionedConcurrentExecutions: 2 });
    await until(async () => (await status()) === "READY");
    expect((await put("live", 1)).RequestedProvisionedConcurrentExecutions).toBe(1);
    await until(async () => (await status()) === "READY");
    expect(await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc-slow", Qualifier: "live" }))).toMatchObject({ AllocatedProvisionedConcurrentExecutions: 1, AvailableProvisionedConcurrentExecutions: 1 });
  });
  it("refuses UpdateAlias moving an alias with a configuration onto a version with its own or another alias's, and leaves the alias where it was", async () => {
    const client = await start({ functions: [fn] });
    const v1 = await publish(client, "one");
    const v2 = await publish(client, "two");
    const v3 = await publish(client, "three");
    const put = (Qualifier: string) => client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier, ProvisionedConcurrentExecutions: 1 }));
    await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "live", FunctionVersion: v1 }));
    await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "other", FunctionVersion: v3 }));
    await put("live");
    await put(v2);
    await put("other");
    for (const [input, what] of [
      [{ FunctionVersion: v2 }, "onto a version with its own"],
      [{ FunctionVersion: v1, RoutingConfig: { AdditionalVersionWeights: { [v2]: 0.5 } } }, "weighted onto it"],
      [{ FunctionVersion: v3 }, "onto another alias's"],
    ] as const) {
      const err = await client.send(new UpdateAliasCommand({ FunctionName: fn.functionName, Name: "live", ...input })).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(ResourceConflictException);
      expect((err as Error).message, what).toBe("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
    }
    const live = await client.send(new GetAliasCommand({ FunctionName: fn.functionName, Name: "live" }));
    expect([live.FunctionVersion, live.RoutingConfig]).toEqual([v1, undefined]);
    // An alias without a configuration moves onto a provisioned version as before.
    await client.send(new CreateAliasCommand({ FunctionName: fn.functionName, Name: "plain", FunctionVersion: v1 }));
    expect((await client.send(new UpdateAliasCommand({ FunctionName: fn.functionName, Name: "plain", FunctionVersion: v2 }))).FunctionVersion).toBe(v2);
    // Once the version's own configuration is gone, the alias's follows it there.
    await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: fn.functionName, Qualifier: v2 }));
    expect((await client.send(new UpdateAliasCommand({ FunctionName: fn.functionName, Name: "live", FunctionVersion: v2 }))).FunctionVersion).toBe(v2);
    expect(await ready(client, "live")).toBe("READY");
  });
  it("an invocation running on a provisioned environment whose configuration is deleted finishes; the environment goes after it", async () => {
    const sleeper: FunctionDefinition = { ...fn, functionName: "pc-sleeper", handler: "index.sleep" };
    const client = await start({ functions: [sleeper] });
    const recorder = new TelemetryRecorder(t!.sim.telemetry);
    const v1 = (await client.send(new PublishVersionCommand({ FunctionName: "pc-sleeper" }))).Version!;
    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc-sleeper", Qualifier: v1, ProvisionedConcurrentExecutions: 1 }));
    await until(async () => (await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc-sleeper", Qualifier: v1 }))).Status === "READY");
    const running = client.send(new InvokeCommand({ FunctionName: "pc-sleeper", Qualifier: v1, Payload: Buffer.from('{"ms":600}') }));
    await until(() => recorder.of("invocation.started").length === 1);
    await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "pc-sleeper", Qualifier: v1 }));
    const out = await running;
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ slept: 600 });
    await until(() => retireReasons(recorder, v1).length === 1);
    expect(retireReasons(recorder, v1)).toEqual(["provisioned-released"]);
    recorder.dispose();
  });
});
