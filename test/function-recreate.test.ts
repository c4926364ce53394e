import { CreateFunctionCommand, DeleteFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

/**
 * A test suite's per-test fixture, as LocalStack users write it: create a function from a zip,
 * invoke it, delete it, create it again from the same zip. Under --in-memory its code unpacks to
 * the same folder under /tmp each time, and a pre-started sandbox bound to the deleted folder
 * answered the next invocation `ENOENT: process.cwd failed` (newuser12 N1-1).
 */
describe("a function deleted and created again from the same zip", () => {
  it("answers its first invocation each time", { timeout: 90_000 }, async () => {
    const sim = await startLambdaSim(["--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
    try {
      const ZipFile = await zipFiles([{ name: "index.mjs", data: 'export const handler = async () => "hi";\n' }]);
      for (let round = 1; round <= 3; round++) {
        await lambda.send(new CreateFunctionCommand({ FunctionName: "fixture", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile } }));
        const out = await lambda.send(new InvokeCommand({ FunctionName: "fixture" }));
        expect([round, out.FunctionError, Buffer.from(out.Payload!).toString()]).toEqual([round, undefined, '"hi"']);
        await lambda.send(new DeleteFunctionCommand({ FunctionName: "fixture" }));
      }
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  });
});
