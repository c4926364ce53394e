import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * A scenario whose `architecture:` is a SAM template reads the lambda-sim.yaml beside the
 * template, as `start --template` does (newuser9 P2-4): a throttle bug handed over as a scenario
 * runs on the team's account limit, with its faults and extra functions, not on AWS's 1,000.
 */
const TEMPLATE = [
  "AWSTemplateFormatVersion: '2010-09-09'",
  "Transform: AWS::Serverless-2016-10-31",
  "Resources:",
  "  WorkerFunction:",
  "    Type: AWS::Serverless::Function",
  "    Properties:",
  "      Runtime: nodejs24.x",
  "      Handler: index.handler",
  "      InlineCode: 'exports.handler = async () => ({ ok: true });'",
  "",
].join("\n");

const OVERLAY = [
  "account: { concurrentExecutions: 20, unreservedConcurrencyMinimum: 10 }",
  "functions:",
  "  audit: { runtime: model, model: { durationMs: 1000 } }",
  "faults:",
  "  - { kind: error, function: WorkerFunction, errorType: Injected }",
  "",
].join("\n");

describe("lambda-sim run: a template's architecture with the lambda-sim.yaml beside it", () => {
  it("runs the overlay's functions under its account limit, with its faults on the template's functions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-overlay-"));
    mkdirSync(join(dir, "shop"));
    writeFileSync(join(dir, "shop/template.yaml"), TEMPLATE);
    writeFileSync(join(dir, "shop/lambda-sim.yaml"), OVERLAY);
    mkdirSync(join(dir, "shop/scenarios"));
    const file = join(dir, "shop/scenarios/burst.yaml");
    writeFileSync(
      file,
      [
        "duration: 5m",
        "architecture: ../template.yaml",
        "traffic:",
        "  - invoke: { function: audit, count: 30 }",
        "  - invoke: { function: WorkerFunction }",
        "expect:",
        "  concurrencyPeak: { audit: 20 }          # the overlay's account limit, not 1,000",
        "  throttles: { audit: { min: 10 } }",
        "  invocations: { audit: 30 }",
        "  errors: { WorkerFunction: { min: 1 } }   # the overlay's fault",
        "  faultsFired: { min: 1 }",
        "",
      ].join("\n"),
    );
    const r = await runCli(["run", file]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("PASS: 5 expectation(s) met");
    expect(r.code).toBe(0);
  }, 120_000);
});

// newuser13 N13-14: a template without a Default for a parameter could not be handed over as a scenario.
describe("lambda-sim run: a template's parameters", () => {
  it("takes them from the scenario's parameters: as written, and says their problems at the scenario's lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-parameters-"));
    writeFileSync(
      join(dir, "template.yaml"),
      ["Parameters:", "  Stage: { Type: String, AllowedValues: [dev, prod] }", "  Version: { Type: String, AllowedValues: ['1.10', '1.9'] }", "Resources:", "  Q:", "    Type: AWS::SQS::Queue", "    Properties: { QueueName: !Join ['-', [orders, !Ref Stage, !Join ['_', !Split ['.', !Ref Version]]]] }", ""].join("\n"),
    );
    let n = 0;
    const scenario = (extra: string[]) => {
      const file = join(dir, `s${n++}.yaml`);
      writeFileSync(file, ["duration: 1m", "architecture: template.yaml", ...extra, "traffic:", "  - send: { queue: Q, count: 2 }", "expect:", "  messages: { orders-dev-1_10: 2 }", ""].join("\n"));
      return file;
    };
    const template = join(dir, "template.yaml");
    const missing = scenario(["parameters: { Version: '1.9' }"]);
    const r1 = await runCli(["run", missing]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`${missing}:3 parameters: parameter Stage has no value and the template gives it no Default: give it one here (parameters: { Stage: VALUE }) (template ${template}:2 Parameters.Stage)`);
    expect(r1.stderr).not.toContain("--parameter-overrides");
    // No parameters: at all: said at the architecture: line, and a !Ref of it does not claim it is undeclared (review37 #18).
    const none = scenario([]);
    const r0 = await runCli(["run", none]);
    expect(r0.code).toBe(1);
    expect(r0.stderr).toContain(`${none}:2 architecture: parameter Stage has no value and the template gives it no Default: the scenario gives no parameters; add parameters: { Stage: VALUE }`);
    expect(r0.stderr).not.toContain("no parameter, pseudo parameter or resource is named");
    expect(r0.stderr).not.toContain(`${none}:1 `);
    // A bad value and a name the template lacks, each at its own line of the scenario.
    const bad = scenario(["parameters:", "  Stage: test", "  Version: '1.10'", "  Versoin: 2"]);
    const r2 = await runCli(["run", bad]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${bad}:4 parameters.Stage: parameter Stage: expected one of dev, prod, got 'test' (template ${template}:2 Parameters.Stage)`);
    expect(r2.stderr).toContain(`${bad}:6 parameters.Versoin: the template declares no parameter Versoin; it declares Stage, Version`);
    expect(r2.stderr).not.toContain("--parameter-overrides");
    // In the scenario's order, not the template's.
    expect(r2.stderr.indexOf(`${bad}:4 `)).toBeLessThan(r2.stderr.indexOf(`${bad}:6 `));
    // `Version: 1.10` is the text written, not YAML's number 1.1.
    const given = await runCli(["run", scenario(["parameters:", "  Stage: dev", "  Version: 1.10"])]);
    expect(given.stderr).toBe("");
    expect(given.code, given.stdout).toBe(0);
  }, 120_000);
});
