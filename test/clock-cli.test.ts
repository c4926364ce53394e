import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));
const exec = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [CLI, ...args]);
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("lambda-sim start --clock virtual and lambda-sim clock", () => {
  it("advances a running simulator's service time from the shell; faults from the config are active", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-clock-"));
    const config = join(dir, "lambda-sim.yaml");
    writeFileSync(config, ["functions:", "  f: { runtime: model, model: { durationMs: 100 } }", "faults:", "  - { kind: throttle, function: f, forSeconds: 60 }"].join("\n"));
    const sim = await startLambdaSim(["--in-memory", "--clock", "virtual", "--config", config]);
    expect(sim.output()).toContain("virtual clock");
    const shown = await cli(["clock", "--endpoint", sim.endpoint]);
    expect(shown.stdout).toMatch(/^service time \S+ \(virtual clock\)/);
    const before = Date.parse(/service time (\S+)/.exec(shown.stdout)![1]!);

    const throttled = await fetch(`${sim.endpoint}/2015-03-31/functions/f/invocations`, { method: "POST", body: "{}" });
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toMatchObject({ Reason: "ConcurrentInvocationLimitExceeded" });

    const moved = await cli(["clock", "advance", "2m", "--endpoint", sim.endpoint]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain(`service time ${new Date(before + 120_000).toISOString()}`);
    expect(((await fetch(`${sim.endpoint}/_sim/faults`).then((r) => r.json())) as { faults: unknown[] }).faults).toMatchObject([{ kind: "throttle", fired: 1 }]);

    const refused = await cli(["clock", "pause", "--endpoint", sim.endpoint]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("wall clocks");
    expect((await cli(["clock", "advance", "soon"])).stderr).toContain("expected a duration");
  }, 120_000); // five CLI processes, each a Node start-up

  it("a clock that cannot start is refused before the state directory is touched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-clock-refused-"));
    const state = join(dir, "state");
    const scaled = await cli(["start", "--state", state, "--port", "0", "--clock", "virtual", "--time-scale", "60"]);
    expect(scaled.code).toBe(1);
    expect(scaled.stderr).toContain("--clock virtual and --time-scale cannot be combined");
    const unknown = await cli(["start", "--state", state, "--port", "0", "--clock", "sundial"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("argument 'sundial' is invalid. Allowed choices are system, virtual.");
    // No lambda-sim.db migrated, nothing locked: the directory was never created.
    expect(existsSync(state)).toBe(false);
  }, 60_000);
});
