import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser8 R2: a YAML typo in a scenario (or a template) is one error, the first, with its
 * file:line, not one per later token; `architecture:` naming a folder says so with file:line.
 */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-yaml-errors-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const STEPS = Array.from({ length: 10 }, (_, i) => `  - send: { queue: q, count: ${i + 1}, body: "m{i}" }`);

describe("scenario YAML errors", () => {
  it("a plain {…} inside a flow map: the first error only, with its line", async () => {
    const dir = project({ "s.yaml": ["duration: 1m", "queues: { q: {} }", "traffic:", "  - send: { queue: q, body: g{i} }", ...STEPS].join("\n") });
    const r = await runCli(["run", join(dir, "s.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^lambda-sim: ${join(dir, "s.yaml")}:4 invalid YAML: `))]);
  }, 60_000);

  it("architecture: a folder", async () => {
    const dir = project({ "scenarios/s.yaml": "duration: 1m\narchitecture: ../src\n", "src/index.mjs": "" });
    const r = await runCli(["run", join(dir, "scenarios/s.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `lambda-sim: ${join(dir, "scenarios/s.yaml")}:2 architecture: ${join(dir, "src")} is a folder; expected a lambda-sim.yaml or a SAM template.yaml file (the path is relative to the scenario's folder)\n`,
    );
  }, 60_000);

  // newuser11 N2-5: both ran and passed without a word.
  it("duration: 0s, and a step at: past the duration, are refused at their lines", async () => {
    const zero = project({ "s.yaml": "name: z\nduration: 0s\nqueues: { q: {} }\n" });
    const r0 = await runCli(["run", join(zero, "s.yaml")]);
    expect(r0.code).toBe(1);
    expect(r0.stderr).toMatch(new RegExp(`^lambda-sim: ${join(zero, "s.yaml")}:2 duration: expected a duration longer than 0`));
    const late = project({ "s.yaml": ["duration: 1m", "queues: { q: {} }", "traffic:", "  - send: { queue: q }", "  - { at: 1m, send: { queue: q } }", "  - { at: 2m, send: { queue: q } }"].join("\n") });
    const r1 = await runCli(["run", join(late, "s.yaml")]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toBe(`lambda-sim: ${join(late, "s.yaml")}:6 traffic[2].at: 2 min is past the scenario's duration of 1 min: the step would never run (make the duration longer, or the step earlier)\n`);
    // One that begins past the end after the steps and waits before it, too (review22 R22-3).
    const after = project({ "s.yaml": ["duration: 1m", "queues: { q: {} }", "traffic:", "  - { wait: 50s }", "  - send: { queue: q, count: 20, rate: 1 }", "  - send: { queue: q }"].join("\n") });
    const r2 = await runCli(["run", join(after, "s.yaml")]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(new RegExp(`^lambda-sim: ${join(after, "s.yaml")}:6 traffic\\[2\\]: it begins at .+ \\(after the steps and waits before it\\), past the scenario's duration of 1 min: the step would never run`));
  }, 60_000);

  // newuser13 N13-6: an index past the records put left the poison out without a word.
  it("a put's poison index past its count, at its line", async () => {
    const dir = project({ "s.yaml": ["duration: 1m", "streams: { s: { shardCount: 1 } }", "traffic:", "  - put: { stream: s, count: 4, poison: [1, 9] }"].join("\n") });
    const r = await runCli(["run", join(dir, "s.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`lambda-sim: ${join(dir, "s.yaml")}:4 traffic[0].put.poison[1]: expected the index of one of the 4 record(s) put (0 to 3), got 9\n`);
  }, 60_000);

  // newuser13 N13-5: a mapping repeated beside `architecture:` to change one setting was blamed for its names.
  it("an architecture named and parts of one embedded: refused as such", async () => {
    const dir = project({
      "lambda-sim.yaml": "functions: { c: { runtime: model, model: { durationMs: 5 } } }\nstreams: { clicks: {} }\neventSourceMappings:\n  - { functionName: c, eventSourceArn: kinesis:clicks, startingPosition: TRIM_HORIZON }\n",
      "s.yaml": "duration: 1m\narchitecture: lambda-sim.yaml\neventSourceMappings:\n  - { functionName: c, eventSourceArn: kinesis:clicks, startingPosition: TRIM_HORIZON, maximumRetryAttempts: 3 }\n",
    });
    const r = await runCli(["run", join(dir, "s.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`lambda-sim: ${join(dir, "s.yaml")}: a scenario names its architecture (lambda-sim.yaml) or embeds one, not both: eventSourceMappings: here would not change it (to run it with other settings, copy the architecture, change them there and name the copy)\n`);
  }, 60_000);

  it("a template's typo: one line", async () => {
    const resources = Array.from({ length: 20 }, (_, i) => `  Q${i}:\n    Type: AWS::SQS::Queue\n    Properties: { QueueName: q${i} }`);
    const dir = project({
      "template.yaml": ["AWSTemplateFormatVersion: '2010-09-09'", "Transform: AWS::Serverless-2016-10-31", "Resources:", "  Bad:", "    Type: AWS::SQS::Queue", "    Properties: { QueueName: a{b} }", ...resources].join("\n"),
      "s.yaml": "duration: 1m\narchitecture: template.yaml\n",
    });
    const r = await runCli(["run", join(dir, "s.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/template\.yaml:6 invalid YAML: /)]);
  }, 60_000);
});
