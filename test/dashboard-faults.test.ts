import { afterEach, describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { chromiumSkip, dashboardPages, shows } from "./support/dashboard-page.ts";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";

/**
 * A workshop's page shows the faults the teacher added (newuser9 P3-1): before, an injected
 * throttle read exactly as reserved concurrency's own, and nothing said a fault was active.
 */
const openPage = dashboardPages();
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  sim = undefined;
});

describe.skipIf(chromiumSkip !== undefined)(`the dashboard's faults${chromiumSkip ? ` (${chromiumSkip})` : ""}`, () => {
  it("lists an added fault with its counts and marks the throttle it injected", { timeout: 60_000 }, async () => {
    sim = await startLambdaSim(["--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: "checkout", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => ({});\n" }]) } }));
      const errors: string[] = [];
      const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
      const added = await fetch(`${sim.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "throttle", function: "checkout", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", times: 1 }) });
      expect(added.status).toBe(200);
      await shows(page, "#functions .faults", /fault-1 throttle on checkout — fired 0 of 1, active/);
      const throttled = await lambda.send(new InvokeCommand({ FunctionName: "checkout" })).catch((e: Error) => e);
      expect(throttled).toMatchObject({ name: "TooManyRequestsException" });
      // Its one time used, it will never fire again: not "active" (newuser14 F19).
      await shows(page, "#functions .faults", /fault-1 throttle on checkout — fired 1 of 1, used up/);
      await shows(page, '.fn[data-function="checkout"] .fn-head', /1 throttle\(s\) injected by faults/);
      // A latency: the invocation's story says why a fast handler answered late (walk39).
      await fetch(`${sim.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "latency", function: "checkout", ms: 300, times: 1 }) });
      const slowed = await lambda.send(new InvokeCommand({ FunctionName: "checkout" }));
      const id = slowed.$metadata.requestId!;
      await page.locator(`#invocations tr.invocation[data-request-id="${id}"]`).click();
      await shows(page, "#story .faults-injected", /^Injected by faults: latency 300 ms \(fault-2\)$/);
      await shows(page, '.fn[data-function="checkout"] .fn-head', /1 throttle\(s\), 1 delay\(s\) injected by faults/);
      // The simulator's warnings, as its console says them: an SDK client AWS's runtime has and ours does not (walk39b).
      await lambda.send(new CreateFunctionCommand({ FunctionName: "tables", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: 'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nexport const handler = async () => typeof DynamoDBClient;\n' }]) } }));
      expect((await lambda.send(new InvokeCommand({ FunctionName: "tables" }))).FunctionError).toBe("Unhandled");
      await shows(page, "#functions .warning", /^lambda-sim: tables imports @aws-sdk\/client-dynamodb, which AWS's nodejs runtimes provide but lambda-sim's do not/);
      expect(errors).toEqual([]);
    } finally {
      lambda.destroy();
    }
  });
});
