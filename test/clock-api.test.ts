import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { VirtualClock, type FunctionDefinition } from "@lambda-sim/core";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { sqsSource } from "@lambda-sim/sources";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const START = Date.UTC(2026, 5, 1, 12);

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** A simulator on a virtual clock as `lambda-sim start --clock virtual` runs it. */
async function startVirtual(functions: FunctionDefinition[] = []) {
  const clock = new VirtualClock(START);
  clock.startRunningDue();
  t = await sims.start({ clock, functions, sources: [sqsSource] });
  const sqs = new SQSClient(t.clientConfig);
  const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  clients.push(sqs, lambda);
  return { clock, sqs, lambda, t };
}

async function sim(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t!.endpoint}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe("/_sim/clock on the virtual clock", () => {
  it("two advances sent at once each move time by their own amount, one after the other (fuzz19 F4)", async () => {
    await startVirtual();
    // Both arrive before either has moved time: each used to count from the time it arrived.
    const [a, b] = await Promise.all([sim("POST", "/_sim/clock/advance", { seconds: 3600 }), sim("POST", "/_sim/clock/advance", { seconds: 3600 })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // Either may reach the server first (two connections): one moves START to +1 h, the other on to +2 h (review21 R21-11).
    const [first, second] = [a.json, b.json].sort((x, y) => Date.parse(x.from) - Date.parse(y.from));
    expect([first.from, first.time, second.from, second.time]).toEqual([START, START + 3_600_000, START + 3_600_000, START + 7_200_000].map((ms) => new Date(ms).toISOString()));
    expect((await sim("GET", "/_sim/clock")).json.time).toBe(new Date(START + 7_200_000).toISOString());
  });

  it("send a message, advance two hours, find it in the DLQ: each receive ran the real handler, once per visibility timeout", async () => {
    const { sqs, lambda, t } = await startVirtual([{ functionName: "always-fails", runtime: "nodejs24.x", handler: "index.fail", codeDir, timeout: 3 }]);
    const logs = new TelemetryRecorder(t.sim.telemetry);
    await sqs.send(new CreateQueueCommand({ QueueName: "orders-dlq" }));
    const url = (
      await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "1800", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("orders-dlq"), maxReceiveCount: 3 }) } }))
    ).QueueUrl!;
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "always-fails", EventSourceArn: arn("orders"), BatchSize: 1 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "order-1" }));

    const advanced = await sim("POST", "/_sim/clock/advance", { seconds: 7200 });
    expect(advanced.status).toBe(200);
    expect(advanced.json).toMatchObject({ clock: "virtual", time: new Date(START + 7_200_000).toISOString(), from: new Date(START).toISOString() });
    expect(advanced.json.timersFiredNow).toBeGreaterThan(0);

    const dlqUrl = url.replace(/orders$/, "orders-dlq");
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect(dlq.Messages?.map((m) => m.Body)).toEqual(["order-1"]);
    // Received at 0, 30 and 60 minutes; the fourth receive moved it to the DLQ.
    const runs = logs.of("invocation.finished");
    expect(runs.map((e) => e.status)).toEqual(["error", "error", "error"]);
    expect(runs.map((e) => Math.round((e.time - START) / 60_000))).toEqual([0, 30, 60]);
    expect(logs.of("clock.advanced")).toMatchObject([{ from: START, to: START + 7_200_000, how: "advance" }]);
    logs.dispose();
  });

  it("GET shows service time, pending timers and the next due; advance to an ISO time; run-until-idle", async () => {
    const { clock } = await startVirtual();
    clock.setTimer(90_000, () => {}, "test.timer");
    const shown = await sim("GET", "/_sim/clock");
    expect(shown.json).toMatchObject({ clock: "virtual", time: new Date(START).toISOString(), nextDue: expect.any(String), activeHolds: [] });
    expect(shown.json.pendingTimers).toContainEqual({ label: "test.timer", due: new Date(START + 90_000).toISOString() });
    const to = new Date(START + 60_000).toISOString();
    expect((await sim("POST", "/_sim/clock/advance", { to })).json.time).toBe(to);
    expect((await sim("GET", "/_sim/clock")).json.pendingTimers).toContainEqual({ label: "test.timer", due: new Date(START + 90_000).toISOString() });
    let fired = false;
    clock.setTimer(3_600_000, () => void (fired = true), "test.later");
    const idle = await sim("POST", "/_sim/clock/run-until-idle", { maxTimers: 100 });
    expect(idle.status).toBe(200);
    expect(fired).toBe(true);
    expect(idle.json.pendingTimerCount).toBe(0);
  });

  it("run-until-idle stops at its limit with a 409 naming the runaway timer", async () => {
    const { clock } = await startVirtual();
    const again = () => void clock.setTimer(1_000, again, "test.forever");
    again();
    const r = await sim("POST", "/_sim/clock/run-until-idle", { maxTimers: 50 });
    expect(r.status).toBe(409);
    expect(r.json.message).toContain("test.forever");
  });

  it("refuses bad input with a 400, never a 500", async () => {
    await startVirtual();
    for (const body of [{}, { seconds: -1 }, { seconds: "60" }, { to: "yesterday" }, { seconds: 1, to: new Date(START).toISOString() }, { to: new Date(START - 1000).toISOString() }, "[1]", "{oops"]) {
      const r = await sim("POST", "/_sim/clock/advance", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.message).toEqual(expect.any(String));
    }
    expect((await sim("POST", "/_sim/clock/run-until-idle", { maxTimers: 0 })).status).toBe(400);
    expect((await sim("POST", "/_sim/clock/pause", {})).json.message).toContain("wall clocks");
  });

  it("refuses an advance past 366 days or past what a Date holds with a 400 that says why, and accepts 366 days", async () => {
    await startVirtual();
    for (const body of [{ seconds: 366 * 86_400 + 1 }, { seconds: 7_200_000 * 10 }, { seconds: 1e20 }, { to: "+275760-09-13T00:00:00.000Z" }]) {
      const r = await sim("POST", "/_sim/clock/advance", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json).toMatchObject({ code: "BadRequest", message: expect.stringContaining("an advance moves service time at most 366 days per call") });
    }
    expect((await sim("POST", "/_sim/clock/advance", { seconds: 1e20 })).json.message).toContain("past the latest time a Date holds");
    // So far that its milliseconds are Infinity: said without the number (newuser13).
    expect((await sim("POST", "/_sim/clock/advance", { seconds: 1e308 })).json.message).toBe(
      'an advance moves service time at most 366 days per call, and this one would end past the latest time a Date holds (+275760-09-13T00:00:00.000Z) (is "seconds" in ms by mistake?)',
    );
    expect((await sim("GET", "/_sim/clock")).json.time).toBe(new Date(START).toISOString());
    const year = await sim("POST", "/_sim/clock/advance", { seconds: 366 * 86_400 });
    expect(year.status).toBe(200);
    expect(year.json.time).toBe(new Date(START + 366 * 86_400_000).toISOString());
  });

  it("stops an advance whose HTTP client has gone: time stays where it got to, and the next call is not queued behind it", async () => {
    const { clock, t } = await startVirtual();
    const logs = new TelemetryRecorder(t.sim.telemetry);
    // A housekeeping timer every second of service time: a year of them would take hours.
    const again = () => void clock.setTimer(1_000, again, "test.every-second", { unref: true });
    again();
    const gone = new AbortController();
    const advance = fetch(`${t.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds: 365 * 86_400 }), signal: gone.signal }).catch((e: Error) => e.name);
    await until(() => clock.firedTimers > 2_000);
    gone.abort();
    expect(await advance).toBe("AbortError");
    await until(() => logs.of("clock.advanced").length > 0);
    const [stopped] = logs.of("clock.advanced");
    expect(stopped).toMatchObject({ how: "advance", cancelled: true, from: START });
    expect(stopped!.to).toBeGreaterThan(START);
    expect(stopped!.to).toBeLessThan(START + 365 * 86_400_000);
    // Time stays where the loop stopped; the next advance starts from there at once.
    const next = await sim("POST", "/_sim/clock/advance", { seconds: 1 });
    expect(next.status).toBe(200);
    expect(next.json.from).toBe(new Date(stopped!.to).toISOString());
  });

  it("an SQS long poll returns when a message arrives, when service time passes its wait, or after its wait in wall time", async () => {
    const { sqs } = await startVirtual();
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "polled" }))).QueueUrl!;
    const arriving = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "hi" }));
    expect((await arriving).Messages?.map((m) => m.Body)).toEqual(["hi"]);

    const started = performance.now();
    const empty = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    // The poll is waiting once its timer is pending; then 20 s of service time end it.
    await until(async () => (await sim("GET", "/_sim/clock")).json.pendingTimers.some((x: { label: string }) => x.label.startsWith("sqs.long-poll")));
    await sim("POST", "/_sim/clock/advance", { seconds: 20 });
    expect((await empty).Messages).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(15_000);

    // Nobody advances: the wall-time backstop answers after WaitTimeSeconds, as AWS would.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }))).Messages).toBeUndefined();
  });
});

describe("/_sim/clock on the wall clock", () => {
  it("pauses and resumes service time; advance is refused", async () => {
    t = await sims.start();
    const paused = await sim("POST", "/_sim/clock/pause", {});
    expect(paused.json).toMatchObject({ clock: "system", paused: true });
    const a = (await sim("GET", "/_sim/clock")).json.epochMs;
    await until(async () => Date.now() > paused.json.epochMs + 30);
    expect((await sim("GET", "/_sim/clock")).json.epochMs).toBe(a);
    expect((await sim("POST", "/_sim/clock/resume", {})).json.paused).toBe(false);
    await until(async () => (await sim("GET", "/_sim/clock")).json.epochMs > a);
    const r = await sim("POST", "/_sim/clock/advance", { seconds: 1 });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain("--clock virtual");
  });
});
