import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runScenario } from "../packages/cli/src/scenario/scenario-runner.ts";
import { runCli } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";
import { decisionsByInstant } from "./support/trace-decisions.ts";

const NODE_BASIC = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));

/**
 * The walkthrough's storm (newuser3 R1): a worker of real code with reserved concurrency 2 behind
 * an SQS mapping, 40 messages at once. Live, with its 200 ms handler, the mapping's pollers outran
 * the reservation: throttled batches counted towards maxReceiveCount and messages the function
 * never ran reached the DLQ (aws-facts §4, §6). The scenario names that architecture unchanged.
 */
function project(serviceTime: string[], withOther = false, count = 40): { dir: string; scenario: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-service-time-"));
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      `  worker: { runtime: nodejs24.x, handler: index.echo, codeUri: ${JSON.stringify(NODE_BASIC)}, reservedConcurrency: 2, timeout: 5 }`,
      // Real code without a reservation or a mapping's MaximumConcurrency: its duration decides no throttle.
      ...(withOther ? [`  other: { runtime: nodejs24.x, handler: index.echo, codeUri: ${JSON.stringify(NODE_BASIC)} }`] : []),
      "queues:",
      "  jobs: { visibilityTimeout: 5, redrivePolicy: { deadLetterTargetArn: sqs:jobs-dlq, maxReceiveCount: 3 } }",
      "  jobs-dlq: {}",
      "eventSourceMappings:",
      "  - { functionName: worker, eventSourceArn: sqs:jobs, batchSize: 1 }",
    ].join("\n"),
  );
  const scenario = join(dir, "storm.yaml");
  writeFileSync(scenario, ["architecture: lambda-sim.yaml", "seed: 5", "duration: 5m", ...serviceTime, "traffic:", `  - send: { queue: jobs, count: ${count} }`, ...(withOther ? ["  - invoke: { function: other, count: 3 }"] : [])].join("\n"));
  return { dir, scenario };
}

/**
 * The scenario run in this process: `stdout` is its report, which is all `lambda-sim run` prints, and
 * `code` the exit code the command gives it (commands/run.ts), without a process per run. The
 * refusals, which the command prints on stderr, are run by the command.
 */
async function run(scenario: string, trace?: string): Promise<{ code: number; stdout: string }> {
  const r = await runScenario(scenario, { trace });
  return { code: r.ok ? 0 : 1, stdout: r.report };
}

/** The report's `worker: N invocations, E errors, T throttles, ...` figures, and what was left in jobs-dlq. */
function figures(stdout: string): { invocations: number; throttles: number; dlq: number } {
  const m = /worker: (\d+) invocations?, \d+ errors?, (\d+) throttles?/.exec(stdout);
  return { invocations: Number(m?.[1]), throttles: Number(m?.[2]), dlq: Number(/jobs-dlq (\d+)/.exec(stdout)?.[1]) };
}

describe("lambda-sim run: serviceTime gives a real-code function the time its handler takes", () => {
  it("without it, the storm does not show, and the summary says why", async () => {
    const { scenario } = project([], true);
    const r = await run(scenario);
    expect(r.code, r.stdout).toBe(0);
    // Batches polled at one instant overlap; nothing holds a lane while the handler "runs".
    expect(r.stdout).toContain("note: worker ran real code, which takes no service time here, so its invocations overlapped only when they started at the same instant");
    expect(r.stdout).toContain("(give it the time its handler takes: serviceTime: { worker: 200ms })");
    // Said only where a handler's duration could make a throttle: not for `other` (walkthrough F7).
    expect(r.stdout).toMatch(/other: 3 invocations/);
    expect(r.stdout).not.toContain("note: other");
    expect(figures(r.stdout)).toMatchObject({ invocations: 40, dlq: 0 });
  }, 120_000);

  it("does not blame the handler's wall time for a throttle a fault injected (newuser15b)", async () => {
    const { dir } = project([], false, 1);
    const scenario = join(dir, "fault.yaml");
    writeFileSync(scenario, ["architecture: lambda-sim.yaml", "seed: 5", "duration: 2m", "faults:", "  - { kind: throttle, function: worker, nth: 1 }", "traffic:", "  - send: { queue: jobs, count: 1 }"].join("\n"));
    const r = await run(scenario);
    expect(r.stdout).toMatch(/worker: \d+ invocations?, 0 errors, 1 throttles?/);
    expect(r.stdout).not.toContain("throttle(s) come from the wall time");
    expect(r.stdout).toContain("a throttle storm driven by handler duration cannot show");
  }, 120_000);

  it("with it, the storm reproduces: throttles, and messages the function never ran in the DLQ, the same decisions every run", async () => {
    // 100 messages: a backlog that lasts (the mapping scales up only while more messages are
    // visible than its lanes take, walkthrough F6), so throttled messages come back to a scaled-up
    // mapping and are throttled again until maxReceiveCount.
    const { dir, scenario } = project(["serviceTime: { worker: 200ms }"], false, 100);
    const traces: string[][] = [];
    const reports: string[] = [];
    for (const t of ["a", "b"]) {
      const trace = join(dir, `${t}.jsonl`);
      const r = await run(scenario, trace);
      expect(r.code, r.stdout).toBe(0);
      const f = figures(r.stdout);
      expect(f.throttles).toBeGreaterThan(0);
      expect(f.dlq).toBeGreaterThan(0);
      // Every message ran once or went to the DLQ without running (the handler never fails).
      expect(f.invocations + f.dlq).toBe(100);
      expect(r.stdout).not.toContain("note: worker ran real code");
      expect(r.stdout).toMatch(/worker: .*concurrency peak 2/);
      traces.push(decisionsByInstant(trace));
      reports.push(r.stdout.slice(r.stdout.indexOf("what happened"), r.stdout.indexOf("expectations")));
      // The replay file records the setting beside the functions' others.
      const views = readFileSync(trace, "utf8").split("\n").map((l) => (l === "" ? {} : JSON.parse(l))).find((e) => e.type === "trace.views");
      expect(views.views.functions).toEqual([expect.objectContaining({ name: "worker", serviceTimeMs: 200, reservedConcurrency: 2 })]);
    }
    expect(traces[1]).toEqual(traces[0]);
    expect(reports[1]).toBe(reports[0]);
  }, 180_000);

  it("refuses a function the architecture does not have, and a model function, naming the line", async () => {
    const { dir, scenario } = project(["serviceTime: { wroker: 200ms }"]);
    const r = await runCli(["run", scenario]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/storm\.yaml:4 serviceTime: no function named 'wroker' \(the architecture has: worker\)/);
    writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  worker: { runtime: model, model: { durationMs: 200 } }\n");
    writeFileSync(scenario, "architecture: lambda-sim.yaml\nduration: 1m\nserviceTime: { worker: 1s }\n");
    const m = await runCli(["run", scenario]);
    expect(m.code).not.toBe(0);
    expect(m.stderr).toContain("serviceTime.worker: worker is runtime: model, whose model.durationMs is its service time");
  }, 60_000);

  it("refuses a service time longer than the function's timeout (on AWS that invocation times out), naming the line", async () => {
    const { scenario } = project(["serviceTime: { worker: 6s }"]);
    const r = await runCli(["run", scenario]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/storm\.yaml:4 serviceTime\.worker: 6000 ms is longer than worker's timeout of 5 s \(on AWS that invocation times out\)/);
    // Up to the timeout itself is accepted.
    const ok = project(["serviceTime: { worker: 5s }"]);
    writeFileSync(ok.scenario, readFileSync(ok.scenario, "utf8").replace("count: 40", "count: 1"));
    const accepted = await run(ok.scenario);
    expect(accepted.code, accepted.stdout).toBe(0);
  }, 60_000);

  it("names a template's function by its logical id, as the scenario can, and only one that a throttle could show on", async () => {
    const template = writeStackTemplate(`Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => ({});"
      Events:
        Work:
          Type: SQS
          Properties: { Queue: !GetAtt Jobs.Arn, BatchSize: 1, ScalingConfig: { MaximumConcurrency: 2 } }
  NotifyFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => ({});"
`);
    const scenario = join(dirname(template), "storm.yaml");
    writeFileSync(scenario, ["architecture: template.yaml", "duration: 1m", "traffic:", "  - send: { queue: Jobs, count: 10 }", "  - invoke: { function: NotifyFunction, count: 2 }"].join("\n"));
    const r = await run(scenario);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("note: WorkerFunction ran real code, which takes no service time here");
    expect(r.stdout).toContain("(give it the time its handler takes: serviceTime: { WorkerFunction: 200ms })");
    expect(r.stdout).not.toMatch(/note: (shop-|NotifyFunction)/);
  }, 120_000);
});
