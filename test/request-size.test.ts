import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

// A code upload past Lambda's request cap is answered as AWS does, naming the operation
// ("Request must be smaller than 70167211 bytes for the UpdateFunctionCode operation").
let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator({});
});
afterAll(() => t?.close());

describe("request size cap", () => {
  it.each([
    ["PUT", "/2015-03-31/functions/any/code", "UpdateFunctionCode"],
  ])("%s %s over 70167211 bytes is a 413 naming %s", async (method, path, operation) => {
    const r = await fetch(`${t.endpoint}${path}`, { method, headers: { "content-type": "application/json" }, body: Buffer.alloc(70_167_212, 0x20) });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ message: `Request must be smaller than 70167211 bytes for the ${operation} operation` });
    expect(r.headers.get("x-amzn-errortype")).toMatch(/^RequestEntityTooLargeException/);
  });

  it("an Invoke body over 70167211 bytes is a 413 naming the InvokeFunction operation, as the 6 MB one does (JS SDK)", async () => {
    const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
    const e = (await lambda.send(new InvokeCommand({ FunctionName: "any", Payload: Buffer.alloc(70_167_212, 0x20) })).then(() => undefined, (x: unknown) => x)) as Error & { $metadata?: { httpStatusCode?: number } };
    lambda.destroy();
    expect([e?.name, e?.$metadata?.httpStatusCode, e?.message]).toEqual(["RequestEntityTooLargeException", 413, "Request must be smaller than 70167211 bytes for the InvokeFunction operation"]);
  });
});
