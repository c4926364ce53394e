import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser8 R6: behind a tumbling window an answer without `state` fails the batch (AWS: "If the
 * response does not contain a state property, Lambda considers this a failed invocation",
 * services-kinesis-windows), and the run report says so and why; a `runtime: model` function
 * answers with the state it was given (our choice), so it can stand behind a tumbling window.
 */
function scenario(fn: string, expect: string[], code?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-window-state-"));
  if (code !== undefined) {
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/index.mjs"), code);
  }
  const file = join(dir, "window.yaml");
  writeFileSync(
    file,
    [
      "seed: 1",
      "duration: 10m",
      "functions:",
      `  f: ${fn}`,
      "streams:",
      "  s: { shardCount: 1 }",
      "queues:",
      "  failed: {}",
      "eventSourceMappings:",
      "  - { functionName: f, eventSourceArn: kinesis:s, startingPosition: TRIM_HORIZON, maximumRetryAttempts: 1, tumblingWindowInSeconds: 30, destinationConfig: { onFailure: { destination: sqs:failed } } }",
      "traffic:",
      "  - put: { stream: s, count: 10, partitionKeys: [a] }",
      "expect:",
      ...expect,
    ].join("\n"),
  );
  return file;
}

describe("tumbling window: the answer's state", () => {
  it("over 1 MB, terminates the window early: the next invocation gets a fresh state and isWindowTerminatedEarly (newuser9 P1-2)", async () => {
    const code = [
      "export const handler = async (e) => {",
      "  console.log('SAW ' + JSON.stringify({ final: e.isFinalInvokeForWindow, early: e.isWindowTerminatedEarly, state: Object.keys(e.state) }));",
      "  return { state: e.isFinalInvokeForWindow ? {} : { big: 'x'.repeat(1100000) } };",
      "};",
    ].join("\n");
    const file = scenario("{ runtime: nodejs22.x, handler: index.handler, codeUri: ./src }", ["  errors: { f: 0 }"], code);
    const trace = file.replace(/window\.yaml$/, "trace.jsonl");
    const r = await runCli(["run", file, "--trace", trace]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const saw = readFileSync(trace, "utf8").split("\n").filter((l) => l.includes("SAW ")).map((l) => JSON.parse(JSON.parse(l).text.split("SAW ")[1]));
    expect(saw).toEqual([
      { final: false, early: false, state: [] },
      { final: true, early: true, state: [] },
    ]);
  }, 60_000);

  it("a model function answers with the state it was given: no record fails", async () => {
    const r = await runCli(["run", scenario("{ runtime: model, model: { durationMs: 50 } }", ["  errors: { f: 0 }", "  failedRecords: { failed: 0 }"])]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ failedRecords of failed: 0");
    expect(r.stdout).not.toContain("failed though it succeeded");
  }, 60_000);

  it("real code answering without state: the report says the batches failed and why", async () => {
    const code = "export const handler = async () => ({ batchItemFailures: [] });\n";
    // The batch's 10 records; the window's final invocation (refused too) stands for no record:
    // they were given up already (it counted them a second time before, review16 F5).
    const r = await runCli(["run", scenario("{ runtime: nodejs22.x, handler: index.handler, codeUri: ./src }", ["  failedRecords: { failed: 10 }"], code)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The batch and its one retry (two invocations that succeeded, both refused), then the final invocation and its retry.
    expect(r.stdout).toMatch(/f: 4 invocations, 0 errors, .*, 2 batch\(es\) failed though it succeeded: the answer has no `state` object \(required with TumblingWindowInSeconds\)/);
  }, 60_000);
});
