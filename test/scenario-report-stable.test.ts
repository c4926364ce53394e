import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser11 N2-2: two runs of the same seeded real-code scenario printed different reports beyond
 * the wall time: the header's event count and "N log record(s) not shown" (how stdout's chunks
 * arrive decides how many records the same lines come in), and "Task timed out after 2.00 / 2.01
 * seconds" (the measured time). The report counts log lines, as `--logs` prints them, leaves the
 * functions' output out of its event count, and writes a timeout as the function's timeout.
 */
const CODE = `
const tick = () => new Promise((r) => setImmediate(r));
exports.chatty = async (event) => {
  // Pieces of lines, written apart: the pipe hands them over in chunks that differ from run to run.
  for (let i = 0; i < 20; i++) {
    process.stdout.write("line " + i);
    if (i % 3 === 0) await tick();
    process.stdout.write(" of " + event.n + "\\n");
  }
  console.log("two\\nlines");
  throw new Error("chatty fails");
};
exports.sleepy = async () => {
  await new Promise((r) => setTimeout(r, 5000));
};
`;

const SCENARIO = [
  "seed: 3",
  "duration: 2m",
  "functions:",
  "  chatty: { runtime: nodejs24.x, handler: index.chatty, codeUri: ./fn, eventInvokeConfig: { maximumRetryAttempts: 0 } }",
  "  sleepy: { runtime: nodejs24.x, handler: index.sleepy, codeUri: ./fn, timeout: 1, eventInvokeConfig: { maximumRetryAttempts: 0 } }",
  "traffic:",
  "  - invoke: { function: chatty, count: 3, rate: 1 }",
  "  - invoke: { function: sleepy, count: 1 }",
].join("\n");

const noWall = (report: string) => report.replace(/in [\d.]+ s wall/, "in … s wall");

describe("lambda-sim run: a real-code scenario's report reads the same on every run", () => {
  it("counts log lines, not records, leaves output out of the event count, and writes a timeout as configured", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-stable-report-"));
    mkdirSync(join(dir, "fn"));
    writeFileSync(join(dir, "fn/index.js"), CODE);
    writeFileSync(join(dir, "s.yaml"), SCENARIO);
    const a = await runCli(["run", join(dir, "s.yaml")]);
    const b = await runCli(["run", join(dir, "s.yaml")]);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(noWall(b.stdout)).toBe(noWall(a.stdout));
    expect(a.stdout).toContain("first (request ");
    expect(a.stdout).toMatch(/\n {4}errors: Sandbox\.Timedout ×1; first \(request [\w-]+\): Sandbox\.Timedout: RequestId: [\w-]+ Error: Task timed out after 1\.00 seconds\n/);
    // The count is of the lines `--logs` prints.
    const shown = Number(/function output: (\d+) log line\(s\) not shown here/.exec(a.stdout)?.[1]);
    const logged = await runCli(["run", join(dir, "s.yaml"), "--logs"]);
    const printed = logged.stdout.split("\n").filter((l) => /^\[(chatty|sleepy)\] /.test(l));
    expect(printed.filter((l) => l.endsWith(" of 2")).length).toBe(20);
    expect(shown).toBe(printed.length);
    // The answer and the logs keep the time measured (AWS's wording).
    expect(logged.stdout).toMatch(/Status: timeout/);
  }, 120_000);
});
