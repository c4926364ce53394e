import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../packages/cli/src/scenario/scenario-runner.ts";

/**
 * Cold starts as AWS counts them: an invocation that initialised its environment (its REPORT has
 * an Init Duration). One served by a provisioned environment is not one, though that environment
 * was born and initialised during the run. The summary, the expectations, `lambda-sim tail` (a
 * "cold start" line per `invocation.started` with coldStart) and the dashboard (the same flag)
 * say the same.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  PcFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 }
`;

describe("lambda-sim run: cold starts with provisioned concurrency", () => {
  it("counts the on-demand invocation's init, not the provisioned environments'", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-scenario-pc-"));
    writeFileSync(join(dir, "template.yaml"), TEMPLATE);
    const file = join(dir, "scenario.yaml");
    writeFileSync(
      file,
      [
        "duration: 1m",
        "architecture: template.yaml",
        "traffic:",
        // The alias's two provisioned environments were allocated at start: both serve warm.
        '  - { at: 10s, invoke: { function: "PcFunction:live", count: 2 } }',
        // $LATEST has no provisioned environment: a cold start.
        "  - { at: 30s, invoke: { function: PcFunction, count: 1 } }",
        "expect:",
        "  invocations: { PcFunction: 3 }",
        "  coldStarts: { PcFunction: 1 }",
      ].join("\n"),
    );
    const trace = join(dir, "trace.jsonl");
    const r = await runScenario(file, { trace });
    expect(r.results.filter((e) => !e.ok), r.report).toEqual([]);
    // By its logical id, as the scenario names it (newuser11 N2-3).
    expect(r.report).toMatch(/\n  PcFunction: 3 invocations, 0 errors, 0 throttles, 1 cold starts/);

    const events = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const born = events.filter((e) => e.type === "environment.state-changed" && e.from === "none");
    expect(born.map((e) => [e.version, e.provisioned === true])).toEqual([["1", true], ["1", true], ["$LATEST", false]]);
    // What tail and the dashboard read, and what REPORT says: one cold start, on $LATEST.
    expect(events.filter((e) => e.type === "invocation.started" && e.coldStart).map((e) => e.version)).toEqual(["$LATEST"]);
    expect(events.filter((e) => e.type === "invocation.finished" && e.initDurationMs !== undefined).map((e) => e.version)).toEqual(["$LATEST"]);
  }, 60_000);
});
