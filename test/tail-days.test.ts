import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";

/**
 * `lambda-sim tail` gives each line the service time of day; when the (virtual) clock moves into
 * another day, a line says the date, so that a day-long advance does not read as time going
 * backwards (newuser13 N13-7).
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

describe("lambda-sim tail across days", () => {
  it("prints the date when service time enters another day", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tail-days-"));
    writeFileSync(join(dir, "index.js"), "exports.handler = async () => ({});\n");
    writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n  f: { runtime: nodejs24.x, handler: index.handler, codeUri: ${JSON.stringify(dir)} }\n`);
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--clock", "virtual"]);
    const tail = startTail(["--endpoint", sim.endpoint], children);
    await until(() => tail.err().includes("following"), 60_000);
    const invoke = async () => expect((await runCli(["invoke", "f", "--endpoint", sim.endpoint])).code).toBe(0);
    await invoke();
    await until(() => /invoked f/.test(tail.out()));
    const before = ((await (await fetch(`${sim.endpoint}/_sim/clock`)).json()) as { epochMs: number }).epochMs;
    expect((await runCli(["clock", "advance", "25h", "--endpoint", sim.endpoint])).code).toBe(0);
    await invoke();
    const next = new Date(before + 25 * 3_600_000).toISOString().slice(0, 10);
    await until(() => tail.out().includes(`-- ${next} (UTC) --`));
    // The date comes before the later day's lines (the second invocation's among them), not before the first line.
    await until(() => tail.out().split("\n").filter((l) => /invoked f/.test(l)).length === 2);
    const lines = tail.out().split("\n");
    expect(lines.indexOf(`-- ${next} (UTC) --`)).toBeLessThan(lines.findLastIndex((l) => /invoked f/.test(l)));
    expect(lines[0]).not.toMatch(/^-- /);
  });
});
