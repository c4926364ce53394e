import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DeleteFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";

// Updating or deleting a function does not cut short the invocations already running (AWS lets
// them finish on the code they started with): an SQS batch, a Kinesis batch or an async event in
// flight at that moment must not fail because of it. Warm idle environments still go at once.

const codeDir = fileURLToPath(new URL("./fixtures/functions/kinesis-consumer/", import.meta.url));
let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
let lambda: LambdaClient;
afterEach(() => {
  lambda?.destroy();
});

async function slowInvocationThen(change: () => Promise<unknown>) {
  t = await sims.start({ functions: [{ functionName: "slow", runtime: "nodejs24.x", handler: "index.recorder", codeDir, timeout: 10 }] });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  const logs = new TelemetryRecorder(t.sim.telemetry);
  // The recorder logs its (empty) batch, then waits delayMs.
  const running = lambda.send(new InvokeCommand({ FunctionName: "slow", Payload: Buffer.from(JSON.stringify({ Records: [], delayMs: 800 })) }));
  await until(() => logs.of("function.log").some((e) => e.text.includes("BATCH")));
  await change();
  const out = await running;
  return { out, retired: () => logs.of("environment.state-changed").filter((e) => e.to === "retired").map((e) => e.reason) };
}

describe("a function changed while an invocation runs", () => {
  it("UpdateFunctionConfiguration lets the invocation finish, then retires its environment", async () => {
    const { out, retired } = await slowInvocationThen(() => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "slow", Environment: { Variables: { CHANGED: "1" } } })));
    expect(out.FunctionError).toBeUndefined();
    expect(out.StatusCode).toBe(200);
    await until(() => retired().length === 1);
    expect(retired()).toEqual(["code-updated"]);
  });

  it("DeleteFunction lets the invocation finish", async () => {
    const { out, retired } = await slowInvocationThen(() => lambda.send(new DeleteFunctionCommand({ FunctionName: "slow" })));
    expect(out.FunctionError).toBeUndefined();
    await until(() => retired().length === 1);
    expect(retired()).toEqual(["function-deleted"]);
  });
});
