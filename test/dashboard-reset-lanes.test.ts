import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { chromiumSkip as skip, dashboardPages, shows } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";

/**
 * Issue 15: a lane says why its environment left service or was reset: "idle, timeout, crash,
 * OOM, code update". A timeout, a crash and running out of memory reset the environment (the
 * runtime killed, /tmp kept, the next invocation re-runs Init: aws-facts §3); its lane said
 * `reset reset`. Real handlers: one sleeps past its 1 s timeout, one exits, one grows past 128 MB.
 */
const openPage = dashboardPages();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGINT");
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-reset-"));
  writeFileSync(
    join(dir, "index.mjs"),
    [
      `export const sleepy = async () => { await new Promise((r) => setTimeout(r, 5_000)); return "late"; };`,
      `export const crashy = async () => { process.exit(1); };`,
      // Grows its resident memory by 8 MB every 10 ms until it is stopped.
      `export const hungry = async () => { const hog = []; for (;;) { hog.push(Buffer.alloc(8 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 10)); } };`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      "  sleepy: { runtime: nodejs24.x, handler: index.sleepy, codeUri: ., timeout: 1 }",
      "  crashy: { runtime: nodejs24.x, handler: index.crashy, codeUri: . }",
      "  hungry: { runtime: nodejs24.x, handler: index.hungry, codeUri: ., memorySize: 128 }",
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

describe("the dashboard's lane of an environment reset by a failure", () => {
  it.skipIf(skip !== undefined)(`says it was reset by a timeout, a crash or running out of memory, as tail does${skip ? ` (${skip})` : ""}`, { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory"]);
    const tail = startTail(["--endpoint", sim.endpoint], children);
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);
    // A CLI process takes seconds to start on a loaded machine.
    await until(() => tail.err().includes("following"), 60_000);

    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const errorType = async (fn: string) => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: fn }));
      return (JSON.parse(Buffer.from(out.Payload!).toString()) as { errorType?: string }).errorType;
    };
    expect(await errorType("sleepy")).toBe("Sandbox.Timedout");
    expect(await errorType("crashy")).toBe("Runtime.ExitError");
    expect(await errorType("hungry")).toBe("Runtime.OutOfMemory");

    // Each lane stays reset (until its next invocation re-runs Init) and says why.
    await shows(page, '[data-function="sleepy"] .lane', /reset timeout/);
    await shows(page, '[data-function="crashy"] .lane', /reset crash/);
    await shows(page, '[data-function="hungry"] .lane', /reset out-of-memory/);
    expect(await page.locator('[data-function="sleepy"] .lane .why').getAttribute("title")).toBe("reset: the function's timeout ran out (Sandbox.Timedout)");
    // A page opened now (its snapshot, not the events) says the same.
    const late = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(late, '[data-function="crashy"] .lane', /reset crash/);

    // tail's line for each.
    for (const [fn, cause] of [["sleepy", "timeout"], ["crashy", "crash"], ["hungry", "out-of-memory"]]) {
      await until(() => new RegExp(`environment \\w{8} ${fn}\\S*: reset \\(${cause}\\)`).test(tail.out()), 15_000);
    }
    expect(tail.out()).not.toContain("reset (reset)");
    expect(errors).toEqual([]);
    lambda.destroy();
    await sim.kill();
  });
});
