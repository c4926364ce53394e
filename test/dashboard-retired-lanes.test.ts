import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { chromiumSkip as skip, dashboardPages, shows } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * Walkthrough F7: a function whose environments were all retired (idle lifetime) said "no
 * environment yet" on a page opened (or reloaded) after they went; it says they all retired and
 * why, and only a function that never had one says "no environment yet".
 */
const HANDLERS = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const openPage = dashboardPages();

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-retired-"));
  const code = JSON.stringify(HANDLERS);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      `  storm: { runtime: nodejs24.x, handler: index.noop, codeUri: ${code}, sim: { idleLifetimeSeconds: 60 } }`,
      `  untouched: { runtime: nodejs24.x, handler: index.noop, codeUri: ${code} }`,
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

describe("the dashboard's lanes of a function whose environments all retired", () => {
  it.skipIf(skip !== undefined)(`say they all retired and why, on a page opened after they went${skip ? ` (${skip})` : ""}`, { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--clock", "virtual"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    // Two environments at once, then both idle past their lifetime.
    await Promise.all([1, 2].map(() => lambda.send(new InvokeCommand({ FunctionName: "storm", Payload: Buffer.from("{}") }))));
    const advance = await fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds: 120 }) });
    expect(advance.status).toBe(200);
    // Pools by function and version: the number of environments each holds.
    const envs = async () => ((await (await fetch(`${sim.endpoint}/_sim/state`)).json()) as { environments: Record<string, number> }).environments;
    await until(async () => Object.entries(await envs()).every(([pool, n]) => !pool.startsWith("storm") || n === 0), 15_000);

    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);
    await shows(page, '[data-function="storm"] .lanes', /^all \d+ environment\(s\) retired \(\d+ idle for its lifetime\)$/);
    await shows(page, '[data-function="untouched"] .lanes', /^no environment yet$/);
    expect(errors).toEqual([]);
    lambda.destroy();
    await sim.kill();
  });
});
