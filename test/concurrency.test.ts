import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetProvisionedConcurrencyConfigCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import type { FunctionDefinition } from "@lambda-sim/core";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const slow = (name: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({ functionName: name, runtime: "nodejs24.x", handler: "index.sleep", codeDir, ...extra });
let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
let lambda: LambdaClient | undefined;

afterEach(() => {
  lambda?.destroy();
});

async function start(opts: Parameters<typeof sims.start>[0]) {
  t = await sims.start(opts);
  // maxAttempts 1: the SDK would otherwise retry throttles itself.
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  return lambda;
}

const invokeSlow = (client: LambdaClient, name: string, ms = 400) =>
  client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ ms })) })).then(
    (out) => ({ ok: true as const, out }),
    (err: unknown) => ({ ok: false as const, err }),
  );

describe("concurrency and throttling", () => {
  it("reserved concurrency 1 with 4 parallel slow invocations: 1 result, 3 throttles with the reason", async () => {
    const client = await start({ functions: [slow("reserved-one", { reservedConcurrency: 1 })] });
    const results = await Promise.all([1, 2, 3, 4].map(() => invokeSlow(client, "reserved-one")));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const throttled = results.filter((r) => !r.ok).map((r) => r.err);
    expect(throttled).toHaveLength(3);
    for (const e of throttled) {
      expect(e).toBeInstanceOf(TooManyRequestsException);
      expect((e as TooManyRequestsException).Reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
      expect((e as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
      expect((e as Error).message).toBe("Rate Exceeded.");
    }
  });

  it("releases the slot after a crash and after a timeout", async () => {
    const client = await start({
      functions: [
        { functionName: "crash", runtime: "nodejs24.x", handler: "index.exit", codeDir, reservedConcurrency: 1 },
        slow("late", { reservedConcurrency: 1, timeout: 1 }),
      ],
    });
    for (let i = 0; i < 2; i++) {
      const crashed = await client.send(new InvokeCommand({ FunctionName: "crash", Payload: Buffer.from('{"code":1}') }));
      expect(crashed.FunctionError).toBe("Unhandled");
      const timedOut = await client.send(new InvokeCommand({ FunctionName: "late", Payload: Buffer.from('{"ms":3000}') }));
      expect(JSON.parse(Buffer.from(timedOut.Payload!).toString()).errorType).toBe("Sandbox.Timedout");
    }
  });

  it("reserved concurrency 0 throttles every invocation; deleting it lets them run", async () => {
    const client = await start({ functions: [slow("off")] });
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "off", ReservedConcurrentExecutions: 0 }));
    expect((await client.send(new GetFunctionConcurrencyCommand({ FunctionName: "off" }))).ReservedConcurrentExecutions).toBe(0);
    const r = await invokeSlow(client, "off", 1);
    expect(r.ok).toBe(false);
    expect((r as { err: TooManyRequestsException }).err.Reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "off" }));
    expect((await invokeSlow(client, "off", 1)).ok).toBe(true);
  });

  it("an account limit of 2 gives ConcurrentInvocationLimitExceeded to the third caller", async () => {
    const client = await start({ account: { accountLimit: 2 }, functions: [slow("a"), slow("b")] });
    const results = await Promise.all([invokeSlow(client, "a"), invokeSlow(client, "b"), invokeSlow(client, "a")]);
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    const err = results.find((r) => !r.ok)!.err as TooManyRequestsException;
    expect(err.Reason).toBe("ConcurrentInvocationLimitExceeded");
  });

  it("reports limits in GetAccountSettings and refuses a reservation below the unreserved minimum", async () => {
    const client = await start({ functions: [slow("a")] });
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "a", ReservedConcurrentExecutions: 250 }));
    const settings = await client.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 750 });
    expect(settings.AccountUsage?.FunctionCount).toBe(1);
    const err = await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "a", ReservedConcurrentExecutions: 901 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect((err as Error).message).toBe("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].");
  });
});

describe("provisioned concurrency", () => {
  async function waitForStatus(client: LambdaClient, name: string, qualifier: string): Promise<string | undefined> {
    for (let i = 0; i < 100; i++) {
      const c = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }));
      if (c.Status !== "IN_PROGRESS") return c.Status;
      await new Promise((r) => setTimeout(r, 50));
    }
    return "IN_PROGRESS";
  }

  it("initialises environments ahead of traffic, serves the first call warm, and restores them after a restart", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-pc-"));
    try {
      const fn: FunctionDefinition = { functionName: "pc", runtime: "nodejs24.x", handler: "index.echo", codeDir };
      let client = await start({ stateDir, functions: [fn] });
      const v = await client.send(new PublishVersionCommand({ FunctionName: "pc" }));
      const put = await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: v.Version, ProvisionedConcurrentExecutions: 2 }));
      expect(put.Status).toBe("IN_PROGRESS");
      expect(put.RequestedProvisionedConcurrentExecutions).toBe(2);
      expect(await waitForStatus(client, "pc", v.Version!)).toBe("READY");
      const got = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: v.Version }));
      expect(got).toMatchObject({ AvailableProvisionedConcurrentExecutions: 2, AllocatedProvisionedConcurrentExecutions: 2 });

      const out = await client.send(new InvokeCommand({ FunctionName: "pc", Qualifier: v.Version, LogType: "Tail" }));
      expect(JSON.parse(Buffer.from(out.Payload!).toString()).env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe("provisioned-concurrency");
      expect(Buffer.from(out.LogResult!, "base64").toString()).not.toContain("Init Duration");
      // $LATEST is not provisioned: on-demand, with a cold start.
      const latest = await client.send(new InvokeCommand({ FunctionName: "pc", LogType: "Tail" }));
      expect(JSON.parse(Buffer.from(latest.Payload!).toString()).env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe("on-demand");

      await t!.close();
      client.destroy();
      client = await start({ stateDir, functions: [fn] });
      expect(await waitForStatus(client, "pc", v.Version!)).toBe("READY");
      const listed = await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "pc" }));
      expect(listed.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn)).toEqual([`arn:aws:lambda:us-east-1:000000000000:function:pc:${v.Version}`]);
      const after = await client.send(new InvokeCommand({ FunctionName: "pc", Qualifier: v.Version, LogType: "Tail" }));
      expect(Buffer.from(after.LogResult!, "base64").toString()).not.toContain("Init Duration");
    } finally {
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
    }
  });

  it("spills over to on-demand environments when every provisioned one is busy", async () => {
    const client = await start({ functions: [slow("spill")] });
    const v = await client.send(new PublishVersionCommand({ FunctionName: "spill" }));
    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "spill", Qualifier: v.Version, ProvisionedConcurrentExecutions: 1 }));
    expect(await waitForStatus(client, "spill", v.Version!)).toBe("READY");
    const logs = await Promise.all(
      [1, 2].map(async () => {
        const out = await client.send(new InvokeCommand({ FunctionName: "spill", Qualifier: v.Version, LogType: "Tail", Payload: Buffer.from('{"ms":300}') }));
        return Buffer.from(out.LogResult!, "base64").toString();
      }),
    );
    // One ran warm in the provisioned environment, the other paid a cold start on demand.
    expect(logs.filter((l) => l.includes("Init Duration"))).toHaveLength(1);
  });

  it("refuses $LATEST and reports FAILED when init fails", async () => {
    const initError = fileURLToPath(new URL("./fixtures/functions/init-error/", import.meta.url));
    const client = await start({ functions: [{ functionName: "broken", runtime: "nodejs24.x", handler: "index.handler", codeDir: initError }] });
    const err = await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "broken", Qualifier: "$LATEST", ProvisionedConcurrentExecutions: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect((err as Error).message).toBe("Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    const v = await client.send(new PublishVersionCommand({ FunctionName: "broken" }));
    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "broken", Qualifier: v.Version, ProvisionedConcurrentExecutions: 1 }));
    expect(await waitForStatus(client, "broken", v.Version!)).toBe("FAILED");
    const got = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "broken", Qualifier: v.Version }));
    expect(got.StatusReason).toBe("FUNCTION_ERROR_INIT_FAILURE");
  });
});
