import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { describeEvent } from "../packages/cli/src/console/event-line.ts";
import { HAS_PYTHON } from "./support/python.ts";
import { until } from "./support/until.ts";

const fixtures = (name: string) => fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

// What `tail --json`, `tail` and the dashboard say of a handler's error: the platform's type
// (Runtime.Unknown: RIE normalises any type a runtime reports that is not Runtime.* or
// Function.*) and, beside it, the type the function's own error payload names.
describe("a handler's error, as tail and the dashboard label it", () => {
  let t: TestSimulator;
  let lambda: LambdaClient;
  let recorder: TelemetryRecorder;

  beforeAll(async () => {
    t = await startTestSimulator({
      functions: [
        { functionName: "node-fail", runtime: "nodejs24.x", handler: "index.fail", codeDir: fixtures("node-basic") },
        ...(HAS_PYTHON ? [{ functionName: "python-fail", runtime: "python3.12", handler: "failing.fail", codeDir: fixtures("python-basic") }] : []),
        { functionName: "slow", runtime: "nodejs24.x", handler: "index.sleep", codeDir: fixtures("node-basic"), timeout: 1 },
      ],
    });
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
    recorder = new TelemetryRecorder(t.sim.telemetry);
  });

  afterAll(async () => {
    recorder?.dispose();
    lambda?.destroy();
    await t?.close();
  });

  const finished = async (name: string, payload: object = {}) => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
    t.sim.telemetry.flush();
    const e = recorder.of("invocation.finished").find((x) => x.requestId === out.$metadata.requestId);
    expect(e).toBeDefined();
    return e!;
  };

  it("names a Node handler's TypeError beside the platform's Runtime.Unknown", async () => {
    const e = await finished("node-fail");
    expect(e).toMatchObject({ status: "error", errorType: "Runtime.Unknown", functionErrorType: "TypeError" });
    expect(describeEvent(e)?.text).toMatch(/ MB error TypeError$/);
  });

  it.skipIf(!HAS_PYTHON)("names a Python handler's ValueError (skipped without python3)", async () => {
    const e = await finished("python-fail");
    expect(e).toMatchObject({ status: "error", errorType: "Runtime.Unknown", functionErrorType: "ValueError" });
    expect(describeEvent(e)?.text).toMatch(/ error ValueError$/);
  });

  it("names it in an async attempt's failure too", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "node-fail", InvocationType: "Event", Payload: Buffer.from("{}") }));
    const requestId = out.$metadata.requestId;
    const failed = () => recorder.of("async.attempt.failed").find((x) => x.requestId === requestId);
    await until(() => {
      t.sim.telemetry.flush();
      return failed() !== undefined;
    });
    expect(failed()!.outcome).toMatchObject({ kind: "function-error", errorType: "Runtime.Unknown", functionErrorType: "TypeError" });
    expect(describeEvent(failed()!)?.text).toMatch(/attempt 1 function-error TypeError$/);
  });

  it("adds nothing to a platform failure, whose payload carries the platform's own type", async () => {
    const e = await finished("slow", { ms: 3000 });
    expect(e).toMatchObject({ status: "timeout", errorType: "Sandbox.Timedout" });
    expect(e.functionErrorType).toBeUndefined();
    expect(describeEvent(e)?.text).toMatch(/ timeout Sandbox\.Timedout$/);
  });
});
