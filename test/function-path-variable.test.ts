import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startTestSimulator, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";

/**
 * A function's Environment may set PATH to anything (AWS reserves no PATH): its runtime still
 * starts, because AWS starts the runtime by absolute path and lambda-sim starts it, and every host
 * tool it is started through (chrt, setpriv, unshare, sh, mount), by absolute paths too.
 */
const ROLE = "arn:aws:iam::000000000000:role/r";
let t: TestSimulator;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startTestSimulator({});
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
});

describe("a function's own PATH", () => {
  it.each([
    ["nodejs22.x", "index.handler", [{ name: "index.mjs", data: "export const handler = async () => ({ path: process.env.PATH });" }]],
    ["python3.12", "app.handler", [{ name: "app.py", data: "import os\ndef handler(event, context):\n    return {'path': os.environ['PATH']}\n" }]],
  ])("%s with PATH=/opt/bin starts and answers", async (runtime, handler, files) => {
    const FunctionName = `path-${runtime.replace(".", "-")}`;
    await lambda.send(new CreateFunctionCommand({ FunctionName, Runtime: runtime as "nodejs22.x", Handler: handler, Role: ROLE, Code: { ZipFile: await zipFiles(files) }, Environment: { Variables: { PATH: "/opt/bin" } } }));
    const out = await lambda.send(new InvokeCommand({ FunctionName, Payload: Buffer.from("{}") }));
    expect([out.FunctionError, JSON.parse(Buffer.from(out.Payload!).toString())]).toEqual([undefined, { path: "/opt/bin" }]);
  });
});
