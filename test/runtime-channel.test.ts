import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

// lambda-sim reaches its own Node bootstrap by a private channel rather than the Runtime API's
// HTTP (issue 16); function code must not be able to tell, and the Runtime API keeps answering.
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));

let t: TestSimulator;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startTestSimulator({
    functions: [
      { functionName: "plumbing", runtime: "nodejs24.x", handler: "index.runtimeApi", codeDir, timeout: 5 },
      { functionName: "echo", runtime: "nodejs22.x", handler: "index.echo", codeDir, timeout: 5 },
      { functionName: "closed", runtime: "nodejs24.x", handler: "index.echo", codeDir, timeout: 5, environment: { AWS_LAMBDA_EXEC_WRAPPER: fileURLToPath(new URL("./fixtures/functions/wrapper/close-fd3.sh", import.meta.url)) } },
      { functionName: "closed-answers", runtime: "nodejs24.x", handler: "index.echo", codeDir, timeout: 5, environment: { AWS_LAMBDA_EXEC_WRAPPER: fileURLToPath(new URL("./fixtures/functions/wrapper/close-fd4.sh", import.meta.url)) } },
    ],
  });
  lambda = new LambdaClient(t.clientConfig);
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
});

async function invoke(name: string, payload: unknown = {}) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
  return { out, body: JSON.parse(Buffer.from(out.Payload!).toString("utf8")) };
}

describe("the runtime's private channel", () => {
  it("is invisible to function code, and AWS_LAMBDA_RUNTIME_API still answers as RIE does", async () => {
    const { out, body } = await invoke("plumbing");
    expect(out.FunctionError).toBeUndefined();
    expect(body.privateVariables).toEqual([]);
    expect(body.next).toEqual({
      status: 403,
      body: { errorMessage: "State transition from RuntimeInvokeResponseSent to RuntimeReady failed: invalid state transition", errorType: "InvalidStateTransition" },
    });
    expect(body.unknown).toEqual({ status: 400, body: { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" } });
    // The environment goes on serving through the channel.
    const again = await invoke("plumbing");
    expect(again.out.FunctionError).toBeUndefined();
  });

  it("carries every invoke header and payload through many warm invocations in order", async () => {
    for (let i = 0; i < 50; i++) {
      const { out, body } = await invoke("echo", { i, text: "é".repeat(i * 100) });
      expect(body.event).toEqual({ i, text: "é".repeat(i * 100) });
      expect(body.awsRequestId).toBe(out.$metadata.requestId);
      expect(body.invokedFunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:echo");
      expect(body.remaining).toBeGreaterThan(4000);
      expect(body.remaining).toBeLessThanOrEqual(5000);
    }
  });

  it.each([
    ["closed", "close-fd3.sh"],
    ["closed-answers", "close-fd4.sh"],
  ])("is not needed: a wrapper script that closes one of its descriptors leaves the runtime on the Runtime API's HTTP (%s)", async (name, wrapper) => {
    for (let i = 0; i < 3; i++) {
      const { out, body } = await invoke(name, { i });
      expect(out.FunctionError).toBeUndefined();
      expect(body.event).toEqual({ i });
      expect(body.env.WRAPPED_BY).toBe(wrapper);
    }
  });
});
