import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvalidParameterValueException, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { TelemetryEvent } from "@lambda-sim/core";
import { startTestSimulator, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";

// A machine without a usable interpreter, simulated with LAMBDA_SIM_PYTHON pointing nowhere (this
// file runs in its own worker, so the choice is probed afresh). Needs no Python at all.
const events: TelemetryEvent[] = [];
let t: TestSimulator;
let lambda: LambdaClient;

describe("Python runtimes without an interpreter", () => {
  beforeAll(async () => {
    process.env.LAMBDA_SIM_PYTHON = "/nonexistent/bin/python3";
    t = await startTestSimulator({
      functions: [{ functionName: "report", runtime: "python3.12", handler: "app.echo", codeDir: fileURLToPath(new URL("./fixtures/functions/python-basic", import.meta.url)) }],
      onTelemetry: (e) => events.push(e),
    });
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    delete process.env.LAMBDA_SIM_PYTHON;
    lambda?.destroy();
    await t?.close();
  });

  const MESSAGE = "lambda-sim cannot run the python3.12 runtime: LAMBDA_SIM_PYTHON (/nonexistent/bin/python3) does not run. Install Python 3 or set LAMBDA_SIM_PYTHON to an interpreter.";

  it("starts the rest of the configuration and warns about the function", () => {
    expect(events.filter((e) => e.type === "simulator.warning").map((e) => (e as { message: string }).message)).toContain(`functions.report: ${MESSAGE}`);
  });

  it("fails the function's invocations with Runtime.InvalidEntrypoint saying why", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "report" }));
    expect(out.FunctionError).toBe("Unhandled");
    const body = JSON.parse(Buffer.from(out.Payload!).toString("utf8"));
    expect(body).toEqual({ errorType: "Runtime.InvalidEntrypoint", errorMessage: `RequestId: ${out.$metadata.requestId} Error: ${MESSAGE}` });
  });

  it("refuses CreateFunction for a Python runtime", async () => {
    const zip = await zipFiles([{ name: "app.py", data: "def handler(e, c):\n    return 1\n" }]);
    const create = lambda.send(new CreateFunctionCommand({ FunctionName: "new", Runtime: "python3.13", Handler: "app.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: zip } }));
    await expect(create).rejects.toThrow(InvalidParameterValueException);
    await expect(create).rejects.toThrow("lambda-sim cannot run the python3.13 runtime");
  });
});
