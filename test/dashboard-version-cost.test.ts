import { afterEach, describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, PublishVersionCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { chromiumSkip, dashboardPages, shows } from "./support/dashboard-page.ts";
import { until } from "./support/until.ts";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";

/**
 * A published version keeps the memory it was published with (aws-facts: a version is an
 * immutable snapshot of the function's code and configuration), and AWS bills its invocations at
 * that memory. The page priced every invocation at $LATEST's memory, and its REPORT line said so,
 * while the simulator's own cost view priced each at its version's.
 */
const openPage = dashboardPages();
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  sim = undefined;
});

describe.skipIf(chromiumSkip !== undefined)(`the dashboard's cost of a published version${chromiumSkip ? ` (${chromiumSkip})` : ""}`, () => {
  it("is at the memory the version was published with, not $LATEST's, as its REPORT line says", { timeout: 60_000 }, async () => {
    sim = await startLambdaSim(["--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
    try {
      // At least 1 ms billed a call: at 1,024 MB, 8 times the GB-seconds, apart at the table's four decimals.
      const code = "export const handler = async () => 'ok';\n";
      await lambda.send(new CreateFunctionCommand({ FunctionName: "priced", Runtime: "nodejs24.x", Handler: "index.handler", MemorySize: 128, Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: code }]) } }));
      const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "priced" }));
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "priced", MemorySize: 1024 }));

      const errors: string[] = [];
      // The page's own arithmetic, not the simulator's cost view that its once-a-second sampled
      // views frame would bring: its requests for them are held back.
      const page = await openPage(`${sim.endpoint}/_sim/ui`, errors, (p) =>
        void p.routeWebSocket(/\/_sim\/events/, (ws) => {
          const server = ws.connectToServer();
          ws.onMessage((message) => {
            if (!String(message).includes('"sample"')) server.send(message);
          });
        }),
      );
      await shows(page, "#status", /live/);
      // What AWS would bill, from each invocation's own REPORT line.
      let gbSeconds = 0;
      let requestId = "";
      for (let i = 0; i < 2; i++) {
        const r = await lambda.send(new InvokeCommand({ FunctionName: "priced", Qualifier: Version, LogType: "Tail" }));
        const report = Buffer.from(r.LogResult!, "base64").toString();
        const [, billed, memory] = /Billed Duration: (\d+) ms\tMemory Size: (\d+) MB/.exec(report)!;
        expect(memory).toBe("128");
        gbSeconds += (Number(memory) / 1024) * (Number(billed) / 1000);
        requestId = /RequestId: (\S+)/.exec(report)![1]!;
      }
      // The cost table's row: function, requests, GB-seconds, memory, cost.
      const cells = () => page.locator('#cost tr[data-cost="priced"] td').allTextContents();
      await until(async () => (await cells())[1] === "2", 15_000);
      const [, , gbs, memory] = await cells();
      // Four decimals on the page: within half of the third.
      expect(Number(gbs)).toBeCloseTo(gbSeconds, 3);
      expect(memory).toBe("128 MB x86_64");

      // The invocation's story has the REPORT line AWS wrote: the version's memory.
      await page.locator(`#invocations tr[data-request-id="${requestId}"]`).click();
      await shows(page, "#story pre", /Memory Size: 128 MB/);
      expect(errors).toEqual([]);
    } finally {
      lambda.destroy();
    }
  });
});
