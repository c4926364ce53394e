import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

// Service time never goes backwards across a restart of the same state directory: a message sent
// while service time ran ahead of the wall clock (--time-scale, an advanced virtual clock) is
// visible at once after a restart on plain wall time, not "delayed" until the wall catches up.

const MARK_MS = 200;
const dirs: string[] = [];
const clients: SQSClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateWithQueue(): { state: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-restart-"));
  dirs.push(dir);
  const config = join(dir, "lambda-sim.yaml");
  writeFileSync(config, "queues:\n  jobs:\n");
  return { state: join(dir, "state"), config };
}

function sqsClient(endpoint: string): SQSClient {
  const c = new SQSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  clients.push(c);
  return c;
}

async function clock(endpoint: string): Promise<{ epochMs: number; clock: string }> {
  return (await fetch(`${endpoint}/_sim/clock`)).json() as Promise<{ epochMs: number; clock: string }>;
}

async function stop(sim: LambdaSimProcess, signal: "SIGINT" | "SIGKILL"): Promise<void> {
  if (signal === "SIGKILL") return sim.kill();
  const gone = new Promise<void>((r) => sim.child.once("exit", () => r()));
  sim.child.kill("SIGINT");
  await gone;
}

/** Sends one message and returns the service time after it was accepted. */
async function send(endpoint: string): Promise<number> {
  await sqsClient(endpoint).send(new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/jobs`, MessageBody: "job-1" }));
  return (await clock(endpoint)).epochMs;
}

/** Restarts on wall time: the message is counted visible (not delayed) and received at once. */
async function expectVisibleAfterRestart(state: string, config: string, notBefore: number): Promise<void> {
  const sim = await startLambdaSim(["--state", state, "--config", config]);
  const now = await clock(sim.endpoint);
  expect(now.clock).toBe("system");
  expect(now.epochMs).toBeGreaterThanOrEqual(notBefore);
  const sqs = sqsClient(sim.endpoint);
  const url = `${sim.endpoint}/000000000000/jobs`;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"] }));
  expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessages: "1", ApproximateNumberOfMessagesDelayed: "0" });
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
  expect(got.Messages?.map((m) => m.Body)).toEqual(["job-1"]);
  await stop(sim, "SIGINT");
}

describe("service time across a restart of the same state", () => {
  it("--time-scale 36000, stopped with SIGINT: the restart starts where it stopped, hours ahead of the wall clock", async () => {
    const { state, config } = stateWithQueue();
    const sim = await startLambdaSim(["--state", state, "--config", config, "--time-scale", "36000"]);
    // A wall second is ten service hours: wait until service time is clearly ahead of the wall.
    await until(async () => (await clock(sim.endpoint)).epochMs > Date.now() + 2 * 3_600_000);
    await send(sim.endpoint);
    const last = (await clock(sim.endpoint)).epochMs;
    await stop(sim, "SIGINT");
    await expectVisibleAfterRestart(state, config, last);
  }, 60_000);

  it("--time-scale 3600, SIGKILLed: at most the mark's interval (LAMBDA_SIM_SERVICE_TIME_MARK_MS, times the scale) is lost", async () => {
    const { state, config } = stateWithQueue();
    // The mark every 200 wall ms rather than the default 5 s: the same rule, without waiting 5 s for one write.
    const sim = await startLambdaSim(["--state", state, "--config", config, "--time-scale", "3600"], { LAMBDA_SIM_SERVICE_TIME_MARK_MS: String(MARK_MS) });
    const sent = await send(sim.endpoint);
    // Six intervals of the mark past the send (200 wall ms = 12 service minutes at 3600x): one write at least.
    await until(async () => (await clock(sim.endpoint)).epochMs > sent + 6 * MARK_MS * 3600, 30_000);
    await stop(sim, "SIGKILL");
    await expectVisibleAfterRestart(state, config, sent);
  }, 60_000);

  it("--clock virtual advanced 2 hours, SIGKILLed right after: the advance itself was recorded", async () => {
    const { state, config } = stateWithQueue();
    const sim = await startLambdaSim(["--state", state, "--config", config, "--clock", "virtual"]);
    const res = await fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds: 7200 }) });
    expect(res.status).toBe(200);
    const sent = await send(sim.endpoint);
    await stop(sim, "SIGKILL");
    await expectVisibleAfterRestart(state, config, sent);
    // And a virtual clock started again on that state starts there too, not at the wall time.
    const again = await startLambdaSim(["--state", state, "--config", config, "--clock", "virtual"]);
    expect((await clock(again.endpoint)).epochMs).toBeGreaterThanOrEqual(sent);
    await stop(again, "SIGINT");
  }, 60_000);
});
