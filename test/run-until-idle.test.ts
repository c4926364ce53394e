import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";

// `lambda-sim clock run-until-idle` on a running `start --clock virtual`, as a user drives it
// (issue 14's handles): the simulator's own housekeeping timers never keep it going; a schedule
// does, and then it answers 409 without dragging service time further than its bound.

const EXAMPLES = fileURLToPath(new URL("../examples/", import.meta.url));
const clients: SQSClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

function sqsClient(endpoint: string): SQSClient {
  const c = new SQSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  clients.push(c);
  return c;
}

/** The bundled example with its schedules left out (codeUri made absolute: the copy lives elsewhere). */
function exampleWithoutSchedules(): string {
  const text = readFileSync(join(EXAMPLES, "lambda-sim.yaml"), "utf8");
  const cut = text.indexOf("\nschedules:");
  expect(cut).toBeGreaterThan(0);
  const head = text.slice(0, cut);
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-idle-"));
  const path = join(dir, "lambda-sim.yaml");
  writeFileSync(path, head.replaceAll("codeUri: ./", `codeUri: ${EXAMPLES}`));
  return path;
}

async function clockJson(endpoint: string, method = "GET", path = "/_sim/clock", body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${endpoint}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe("run-until-idle on a running simulator", () => {
  it("the bundled example: housekeeping timers are listed but not work; a poison order reaches the DLQ and run-until-idle answers 200", async () => {
    const sim = await startLambdaSim(["--in-memory", "--clock", "virtual", "--config", exampleWithoutSchedules()]);
    const idle = await clockJson(sim.endpoint);
    const labels = (idle.json.pendingTimers as { label: string; housekeeping?: boolean }[]).map((t) => `${t.label}${t.housekeeping ? " (housekeeping)" : ""}`);
    expect(labels).toEqual(expect.arrayContaining(["cloudwatch.sqs-metrics (housekeeping)", "kinesis.trim (housekeeping)", "sqs.long-poll:orders (housekeeping)"]));
    expect(idle.json.pendingWorkCount).toBe(0);
    const shown = await runCli(["clock", "--endpoint", sim.endpoint]);
    // The work due, not the housekeeping that comes due every few seconds (newuser14 F17): --all lists it.
    expect(shown.stdout).toMatch(/pending timers: \d+ \(0 work, the rest housekeeping: --all lists them\)/);
    expect(shown.stdout).not.toContain("(housekeeping)");
    const all = await runCli(["clock", "--all", "--endpoint", sim.endpoint]);
    expect(all.stdout).toContain("kinesis.trim  (housekeeping)");

    // Nothing to do: run-until-idle answers at once, time unmoved.
    const nothing = await runCli(["clock", "run-until-idle", "--endpoint", sim.endpoint]);
    expect(nothing).toMatchObject({ code: 0 });
    expect(nothing.stdout).toContain(`service time ${idle.json.time}`);

    const sqs = sqsClient(sim.endpoint);
    await sqs.send(new SendMessageCommand({ QueueUrl: `${sim.endpoint}/000000000000/orders`, MessageBody: JSON.stringify({ id: "o-13", poison: true }) }));
    const ran = await runCli(["clock", "run-until-idle", "--endpoint", sim.endpoint]);
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${sim.endpoint}/000000000000/orders-dlq`, MaxNumberOfMessages: 10 }));
    expect(dlq.Messages?.map((m) => JSON.parse(m.Body!))).toEqual([{ id: "o-13", poison: true }]);
    // Three receives 30 s (the visibility timeout) apart, the fourth moved it: about a minute and a half.
    const after = await clockJson(sim.endpoint);
    const moved = after.json.epochMs - idle.json.epochMs;
    expect(moved).toBeGreaterThanOrEqual(60_000);
    expect(moved).toBeLessThan(5 * 60_000);
    expect(sim.output().match(/order o-13 failed/g)).toHaveLength(3);
    expect(after.json.pendingWorkCount).toBe(0);
  }, 120_000);

  it("a rate(5 minutes) schedule is work: 409 naming it, and service time moved no further than the bound", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-idle-"));
    const config = join(dir, "lambda-sim.yaml");
    writeFileSync(
      config,
      [
        "functions:",
        "  tick: { runtime: model, model: { durationMs: 10 } }",
        "schedules:",
        "  every-5m:",
        "    scheduleExpression: rate(5 minutes)",
        "    target: { arn: lambda:tick }",
      ].join("\n"),
    );
    const sim = await startLambdaSim(["--in-memory", "--clock", "virtual", "--config", config]);
    const before = await clockJson(sim.endpoint);

    const bounded = await clockJson(sim.endpoint, "POST", "/_sim/clock/run-until-idle", { maxAdvanceSeconds: 3600 });
    expect(bounded.status).toBe(409);
    // The schedule's own timer is named; the 10 ms sleep of a `tick` it started at the bound may be too.
    expect(bounded.json.message).toMatch(/next pending work is due after .*, 1h past where it started \((sleep, )?schedules\.next-fire:every-5m; next due /);
    // The limit as the caller sets it, not the VirtualClock's internal option.
    expect(bounded.json.message).toContain('Advance the clock explicitly, or pass "maxAdvanceSeconds" (lambda-sim clock run-until-idle --max-advance 12h) higher.');
    const atBound = await clockJson(sim.endpoint);
    expect(atBound.json.epochMs - before.json.epochMs).toBeLessThanOrEqual(3_600_000);
    expect(atBound.json.epochMs - before.json.epochMs).toBeGreaterThanOrEqual(3_300_000);

    // The CLI's default bound: 6 hours.
    const cli = await runCli(["clock", "run-until-idle", "--endpoint", sim.endpoint]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/6h past where it started \((sleep, )?schedules\.next-fire:every-5m/);
    expect(cli.stderr).toContain("--max-advance 12h");
    expect(cli.stderr).not.toContain("maxAdvanceMs");
    const after = await clockJson(sim.endpoint);
    expect(after.json.epochMs - atBound.json.epochMs).toBeLessThanOrEqual(6 * 3_600_000);
  }, 120_000);

  it("refuses a bad bound with a 400", async () => {
    const sim = await startLambdaSim(["--in-memory", "--clock", "virtual"]);
    const bad = await clockJson(sim.endpoint, "POST", "/_sim/clock/run-until-idle", { maxAdvanceSeconds: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain("maxAdvanceSeconds");
  }, 60_000);
});
