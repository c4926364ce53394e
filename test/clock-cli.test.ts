import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

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

  it("pauses and resumes a wall clock from the shell: service time stands still until resumed", async () => {
    const sim = await startLambdaSim(["--in-memory", "--clock", "system"]);
    const time = (out: string) => Date.parse(/^service time (\S+)/.exec(out)![1]!);
    const paused = await cli(["clock", "pause", "--endpoint", sim.endpoint]);
    expect([paused.code, paused.stderr]).toEqual([0, ""]);
    expect(paused.stdout).toMatch(/^service time \S+ \(system clock, paused\)\n$/);
    // Another CLI process later (hundreds of wall ms): the same instant, to the millisecond.
    const still = await cli(["clock", "--endpoint", sim.endpoint]);
    expect(still.stdout).toContain("(system clock, paused)");
    expect(time(still.stdout)).toBe(time(paused.stdout));
    const resumed = await cli(["clock", "resume", "--endpoint", sim.endpoint]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^service time \S+ \(system clock\)\n$/);
    // From the paused instant on, not from the wall time it missed.
    expect(time(resumed.stdout) - time(paused.stdout)).toBeLessThan(1_000);
    await until(async () => time((await cli(["clock", "--endpoint", sim.endpoint])).stdout) > time(resumed.stdout));
  }, 120_000); // CLI processes, each a Node start-up

  it("says the simulator is busy, not missing, when a long advance holds the clock; the advance its caller abandons stops", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-clock-busy-"));
    const config = join(dir, "lambda-sim.yaml");
    // An idle SQS mapping: five lanes long-polling every 20 s of service time, so a year takes minutes.
    writeFileSync(config, ["functions:", "  f: { runtime: model, model: { durationMs: 1 } }", "queues:", "  q: {}", "eventSourceMappings:", "  - { functionName: f, eventSourceArn: sqs:q }"].join("\n"));
    const sim = await startLambdaSim(["--in-memory", "--clock", "virtual", "--config", config]);
    const clockNow = async () => ((await (await fetch(`${sim.endpoint}/_sim/clock`)).json()) as { epochMs: number; timersFired: number });
    const start = await clockNow();
    const gone = new AbortController();
    const long = fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds: 365 * 86_400 }), signal: gone.signal }).catch((e: Error) => e.name);
    await until(async () => (await clockNow()).timersFired > start.timersFired + 1_000);

    const queued = await cli(["clock", "advance", "90s", "--timeout", "2s", "--endpoint", sim.endpoint]);
    expect(queued.code).toBe(1);
    expect(queued.stderr).toContain(`lambda-sim: the simulator at ${sim.endpoint} is running but did not answer within 2s: it is busy`);
    expect(queued.stderr).not.toContain("no simulator running");

    gone.abort();
    expect(await long).toBe("AbortError");
    // The abandoned advance stops where it got to, and the clock answers moves again.
    const moved = await cli(["clock", "advance", "1s", "--timeout", "30s", "--endpoint", sim.endpoint]);
    expect(moved.code, moved.stderr).toBe(0);
    const from = Date.parse(/moved from (\S+),/.exec(moved.stdout)![1]!);
    expect(from).toBeGreaterThan(start.epochMs);
    expect(from).toBeLessThan(start.epochMs + 365 * 86_400_000);
    expect((await cli(["clock", "--endpoint", "http://127.0.0.1:1"])).stderr).toContain("no simulator running at http://127.0.0.1:1");
  }, 120_000);

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
