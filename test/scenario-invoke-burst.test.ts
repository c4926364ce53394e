import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";
import { traceDecisions } from "./support/trace-decisions.ts";

const NODE_BASIC = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));

/**
 * The walkthrough's throttle storm (newuser2 N2): five Event invocations at one instant of a
 * function with reserved concurrency 1. On AWS they are all accepted (202) at once and the async
 * queue runs them as the reservation allows: the others are throttled and retried (aws-facts §4,
 * §5). With real code the burst must arrive as a burst too, not one event after another's run.
 */
function burstScenario(dir: string, fn: string, extra: string[] = []): string {
  const file = join(dir, "burst.yaml");
  writeFileSync(
    file,
    [
      "seed: 3",
      "duration: 10m",
      "functions:",
      `  slow: ${fn}`,
      "traffic:",
      "  - invoke: { function: slow, count: 5, payload: { ms: 100 } }",
      ...extra,
      "expect:",
      "  throttles: { slow: { min: 1 } }",
      "  invocations: { slow: 5 }",
      "  givenUp: { slow: 0 }",
    ].join("\n"),
  );
  return file;
}

const REAL = `{ runtime: nodejs24.x, handler: index.sleep, codeUri: ${JSON.stringify(NODE_BASIC)}, reservedConcurrency: 1, timeout: 5 }`;
const MODEL = "{ runtime: model, reservedConcurrency: 1, model: { durationMs: 100 } }";

/** The number after `N throttles` in the report's line for `slow`. */
const throttles = (stdout: string) => Number(/slow: \d+ invocations?, \d+ errors?, (\d+) throttles?/.exec(stdout)?.[1]);

describe("lambda-sim run: an invoke burst arrives as a burst", () => {
  it("throttles a real-code function with reserved concurrency 1, and every event still runs once after its retries", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-burst-"));
    const r = await runCli(["run", burstScenario(dir, REAL), "--trace", join(dir, "a.jsonl")]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ throttles of slow: [1-9]\d* \(expected ≥ 1\)/);
    // The five 202s come before any run: all five are enqueued before the first attempt ends.
    const events = readFileSync(join(dir, "a.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string });
    const firstFinished = events.findIndex((e) => e.type === "invocation.finished");
    expect(events.slice(0, firstFinished).filter((e) => e.type === "async.enqueued")).toHaveLength(5);
  }, 120_000);

  it("gives the same service decisions run after run with real code", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-burst-"));
    const file = burstScenario(dir, REAL);
    for (const t of ["a", "b"]) {
      const r = await runCli(["run", file, "--trace", join(dir, `${t}.jsonl`)]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    expect(traceDecisions(join(dir, "a.jsonl"))).toEqual(traceDecisions(join(dir, "b.jsonl")));
  }, 120_000);

  it("gives the model runtime its throttles as before, byte for byte on a replay", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-burst-"));
    const file = burstScenario(dir, MODEL);
    const a = await runCli(["run", file, "--trace", join(dir, "a.jsonl")]);
    const b = await runCli(["run", file, "--trace", join(dir, "b.jsonl")]);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(b.code).toBe(0);
    expect(throttles(a.stdout)).toBe(8);
    expect(readFileSync(join(dir, "a.jsonl")).equals(readFileSync(join(dir, "b.jsonl")))).toBe(true);
  }, 60_000);
});
