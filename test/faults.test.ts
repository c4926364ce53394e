import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateAliasCommand, CreateEventSourceMappingCommand, InvokeCommand, LambdaClient, PublishVersionCommand, PutFunctionEventInvokeConfigCommand, TooManyRequestsException } from "@aws-sdk/client-lambda";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { VirtualClock, type FunctionDefinition, type Source } from "@lambda-sim/core";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { cloudwatchMetricsSource, eventsSource, sqsSource } from "@lambda-sim/sources";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const echo = (name: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({ functionName: name, runtime: "nodejs24.x", handler: "index.echo", codeDir, timeout: 2, ...extra });
const model = (name: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({
  functionName: name,
  runtime: "model",
  codeDir: process.cwd(),
  timeout: 5,
  model: { durationMs: 100, coldStartMs: 0, errorProbability: 0, timeoutProbability: 0 },
  ...extra,
});
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
let lambda: LambdaClient;
let sqs: SQSClient;
let clock: VirtualClock;
afterEach(() => {
  lambda?.destroy();
  sqs?.destroy();
});

async function start(functions: FunctionDefinition[], faults: unknown[] = [], sources: Source<any>[] = [sqsSource], seed?: number) {
  clock = new VirtualClock(Date.UTC(2026, 5, 1));
  clock.startRunningDue();
  t = await sims.start({ clock, functions, sources, faults, ...(seed === undefined ? {} : { seed }) });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  sqs = new SQSClient(t.clientConfig);
}

async function sim(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t!.endpoint}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** Waits until the invocation in flight is sleeping on the clock, so an advance covers its sleep. */
async function sleeping(): Promise<void> {
  await until(async () => (await sim("GET", "/_sim/clock")).json.pendingTimers.some((x: { label: string }) => x.label === "sleep"));
}

async function invoke(name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"n":1}') }));
  return { functionError: out.FunctionError, payload: JSON.parse(Buffer.from(out.Payload!).toString()) };
}

describe("fault injection through /_sim/faults, seen as AWS shows the outcome", () => {
  it("fails the n-th invocation with the chosen errorType and message; lists, counts and clears faults", async () => {
    await start([echo("orders")]);
    const added = await sim("POST", "/_sim/faults", { kind: "error", function: "orders", nth: 2, errorType: "PaymentDeclined", errorMessage: "card refused" });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ id: "fault-1", kind: "error", function: "orders", nth: 2 });
    const events = new TelemetryRecorder(t!.sim.telemetry);
    const outcomes = [await invoke("orders"), await invoke("orders"), await invoke("orders")];
    expect(outcomes.map((o) => o.functionError)).toEqual([undefined, "Unhandled", undefined]);
    expect(outcomes[1]!.payload).toEqual({ errorType: "PaymentDeclined", errorMessage: "card refused", trace: [] });
    expect(outcomes[0]!.payload).toMatchObject({ event: { n: 1 } });
    expect(events.of("fault.fired")).toMatchObject([{ faultId: "fault-1", kind: "error", functionName: "orders", detail: "PaymentDeclined" }]);
    // As a handler's own error: the platform's type is Runtime.Unknown, the payload names it, at least 1 ms billed (newuser9 P3-2),
    // in the environment that took it (newuser14 F19: a failing function reaches an environment).
    const failed = events.of("invocation.finished")[1]!;
    expect(failed).toMatchObject({ status: "error", errorType: "Runtime.Unknown", functionErrorType: "PaymentDeclined", environmentId: events.of("invocation.finished")[0]!.environmentId });
    expect(failed.billedDurationMs).toBeGreaterThanOrEqual(1);
    expect((await sim("GET", "/_sim/faults")).json.faults).toMatchObject([{ id: "fault-1", matched: 3, fired: 1 }]);
    expect((await sim("DELETE", "/_sim/faults")).json).toEqual({ cleared: 1 });
    expect((await sim("GET", "/_sim/faults")).json.faults).toEqual([]);
    events.dispose();
  });

  it("fails a seeded fraction of invocations: about half with fraction 0.5, the same ones again under the same seed, others under another", async () => {
    const failures = async (seed: number) => {
      await start([echo("dice")], [{ kind: "error", function: "dice", fraction: 0.5 }], [sqsSource], seed);
      const failed: boolean[] = [];
      for (let i = 0; i < 40; i++) failed.push((await invoke("dice")).functionError === "Unhandled");
      lambda.destroy();
      sqs.destroy();
      return failed;
    };
    const one = await failures(1);
    const oneAgain = await failures(1);
    const two = await failures(2);
    // 40 draws at 0.5: outside 10–30 for about 1 seed in 1,500; these seeds are fixed, so it cannot flake.
    for (const run of [one, two]) expect(run.filter(Boolean).length).toSatisfy((n: number) => n >= 10 && n <= 30);
    expect(oneAgain).toEqual(one);
    expect(two).not.toEqual(one);
  });

  it("times out (Sandbox.Timedout after the function's timeout), crashes (Runtime.ExitError), runs out of memory (Runtime.OutOfMemory)", async () => {
    await start([echo("a", { timeout: 1 })]);
    await sim("POST", "/_sim/faults", [{ kind: "timeout", function: "a", nth: 1 }, { kind: "crash", function: "a", nth: 2 }, { kind: "out-of-memory", function: "a", nth: 3 }]);
    const events = new TelemetryRecorder(t!.sim.telemetry);
    // The handler's answer is ignored: the invocation runs to the function's 1 s timeout, in service
    // time (a scenario or the virtual clock does not wait it out in wall time).
    const pending = lambda.send(new InvokeCommand({ FunctionName: "a" }));
    await until(async () => (await sim("GET", "/_sim/clock")).json.pendingTimers.some((x: { label: string }) => x.label === "invoke.latency:a"));
    const t0 = clock.now();
    await sim("POST", "/_sim/clock/advance", { seconds: 2 });
    const r1 = await pending;
    expect(r1.FunctionError).toBe("Unhandled");
    expect(JSON.parse(Buffer.from(r1.Payload!).toString())).toEqual({ errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${r1.$metadata.requestId} Error: Task timed out after 1.00 seconds` });
    // At the timeout: 1 s less the few wall ms its handler ran, which count too.
    expect(events.of("invocation.finished")[0]).toMatchObject({ durationMs: 1_000, status: "timeout" });
    expect(events.of("invocation.finished")[0]!.time - t0).toSatisfy((ms: number) => ms > 900 && ms <= 1_000);
    const r2 = await invoke("a");
    expect(r2.payload).toMatchObject({ errorType: "Runtime.ExitError", errorMessage: expect.stringContaining("Runtime exited with error: exit status 1") });
    const r3 = await invoke("a");
    expect(r3.payload).toMatchObject({ errorType: "Runtime.OutOfMemory", errorMessage: expect.stringContaining("signal: killed") });
    expect((await invoke("a")).functionError).toBeUndefined();
    // A real process died each time: its environment was reset, and the next invocation there paid a new Init.
    const resets = events.of("environment.state-changed").filter((e) => e.to === "reset");
    expect(resets).toHaveLength(3);
    expect(events.of("invocation.started").map((e) => e.coldStart)).toEqual([true, true, true, true]);
    events.dispose();
  });

  it("throttles with the chosen Reason for a window of service time, told as any throttle is", async () => {
    await start([echo("busy")]);
    const events = new TelemetryRecorder(t!.sim.telemetry);
    await sim("POST", "/_sim/faults", { kind: "throttle", function: "busy", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", forSeconds: 60 });
    const err = await lambda.send(new InvokeCommand({ FunctionName: "busy" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect(err).toMatchObject({ Reason: "ReservedFunctionConcurrentInvocationLimitExceeded", $metadata: { httpStatusCode: 429 } });
    // What the console's throttle line, the Throttles metric and the dashboard are made from.
    expect(events.of("invocation.throttled")).toMatchObject([{ functionName: "busy", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", caller: "sync" }]);
    events.dispose();
    await sim("POST", "/_sim/clock/advance", { seconds: 60 });
    expect((await invoke("busy")).functionError).toBeUndefined();
  });

  it("adds latency, and a slow cold start only to cold starts, in service time", async () => {
    await start([model("slow", { sim: { idleLifetimeMs: 3_600_000 } })], [{ kind: "slow-cold-start", function: "slow", ms: 5_000 }, { kind: "latency", function: "slow", ms: 1_000, nth: 2 }]);
    const events = new TelemetryRecorder(t!.sim.telemetry);
    const took: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = clock.now();
      const pending = lambda.send(new InvokeCommand({ FunctionName: "slow" }));
      await sleeping();
      await sim("POST", "/_sim/clock/advance", { seconds: 10 });
      await pending;
      took.push(events.of("invocation.finished")[i]!.time - t0);
    }
    // A 5 s cold start + 100 ms; then 1 s latency + 100 ms; then warm, 100 ms.
    expect(took).toEqual([5_100, 1_100, 100]);
    events.dispose();
  });

  it("slows a real function's cold start as a slow Init: REPORT's Init Duration counts it, a warm start is untouched, and past the 10 s init limit the Init runs again inside the invocation, within the function's timeout", async () => {
    await start(
      [echo("cold", { timeout: 30 }), echo("colder", { timeout: 30 }), echo("coldest", { timeout: 5 })],
      [{ kind: "slow-cold-start", function: "cold", ms: 3_000 }, { kind: "slow-cold-start", function: "colder", ms: 12_000 }, { kind: "slow-cold-start", function: "coldest", ms: 12_000 }],
    );
    const report = async (pending: Promise<{ LogResult?: string; FunctionError?: string; Payload?: Uint8Array }>) => {
      const out = await pending;
      const line = Buffer.from(out.LogResult!, "base64").toString().split("\n").find((l) => l.startsWith("REPORT"))!;
      return { out, line, init: /Init Duration: ([\d.]+) ms/.exec(line)?.[1] };
    };
    const call = (fn = "cold") => lambda.send(new InvokeCommand({ FunctionName: fn, LogType: "Tail" }));
    const cold = call();
    await sleeping();
    await sim("POST", "/_sim/clock/advance", { seconds: 3 });
    const first = await report(cold);
    expect(first.out.FunctionError).toBeUndefined();
    // The 3 s and the real process's own Init (wall ms), as one slow Init on AWS reads; billed too.
    expect(Number(first.init)).toSatisfy((ms: number) => ms >= 3_000 && ms < 8_000);
    expect(Number(/Billed Duration: (\d+) ms/.exec(first.line)![1])).toBeGreaterThan(3_000);
    const warm = await report(call());
    expect([warm.out.FunctionError, warm.init]).toEqual([undefined, undefined]);

    // 12 s passes Lambda's 10 s init limit (aws-facts §3): at 10 s of service time that Init times
    // out, and the Init runs again inside the invocation (a suppressed init), as slow, within the
    // function's 30 s timeout. The invocation succeeds; its REPORT has no Init Duration, and its
    // Duration counts the retried Init.
    const events = new TelemetryRecorder(t!.sim.telemetry);
    let t0 = clock.now();
    const slow = call("colder");
    await sleeping();
    await sim("POST", "/_sim/clock/advance", { seconds: 10 });
    await sleeping();
    await sim("POST", "/_sim/clock/advance", { seconds: 12 });
    const retried = await report(slow);
    expect(retried.out.FunctionError).toBeUndefined();
    const log = Buffer.from(retried.out.LogResult!, "base64").toString();
    expect(log).toMatch(/INIT_REPORT Init Duration: 10\d{3}\.\d\d ms\tPhase: init\tStatus: timeout/);
    expect(retried.init).toBeUndefined();
    // The retried Init's 12 s came out of the 30 s timeout: the handler's deadline says so.
    expect(JSON.parse(Buffer.from(retried.out.Payload!).toString()).remaining).toSatisfy((ms: number) => ms > 15_000 && ms <= 18_000);
    expect(Number(/\tDuration: ([\d.]+) ms/.exec(retried.line)![1])).toBeGreaterThanOrEqual(12_000);
    expect(events.of("invocation.finished")[0]!.time - t0).toBe(22_000);

    // A retried Init that outlasts the function's timeout (5 s) times the invocation out then, and
    // the environment is not reused.
    t0 = clock.now();
    const slowest = call("coldest");
    await sleeping();
    await sim("POST", "/_sim/clock/advance", { seconds: 10 });
    await sleeping();
    await sim("POST", "/_sim/clock/advance", { seconds: 5 });
    const timedOut = await report(slowest);
    expect(timedOut.out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(Buffer.from(timedOut.out.Payload!).toString())).toMatchObject({ errorType: "Sandbox.Timedout", errorMessage: expect.stringMatching(/Task timed out after 5\.00 seconds$/) });
    expect(timedOut.line).toContain("Status: timeout");
    expect(events.of("invocation.finished")[1]!.time - t0).toBe(15_000);
    events.dispose();
  });

  it("times a latency or a service time after a suppressed init against what the retried Init left of the function's timeout, counted from the invocation's start", async () => {
    await start(
      [echo("retried", { timeout: 30 }), echo("busy", { timeout: 30, sim: { serviceTimeMs: 25_000 } })],
      [{ kind: "slow-cold-start", function: "retried", ms: 12_000 }, { kind: "latency", function: "retried", ms: 20_000, nth: 1 }, { kind: "slow-cold-start", function: "busy", ms: 12_000 }],
    );
    const events = new TelemetryRecorder(t!.sim.telemetry);
    const pending = (label: string) => until(async () => (await sim("GET", "/_sim/clock")).json.pendingTimers.some((x: { label: string }) => x.label === label));
    /** Past the 10 s Init limit, then the retried Init's 12 s (aws-facts §3: the suppressed init), until `label`'s timer waits. */
    const retried = async (fn: string, label: string) => {
      const t0 = clock.now();
      const call = lambda.send(new InvokeCommand({ FunctionName: fn, LogType: "Tail" }));
      await sleeping();
      await sim("POST", "/_sim/clock/advance", { seconds: 10 });
      await sleeping();
      await sim("POST", "/_sim/clock/advance", { seconds: 12 });
      await pending(label);
      await sim("POST", "/_sim/clock/advance", { seconds: 25 });
      const out = await call;
      const log = Buffer.from(out.LogResult!, "base64").toString();
      return { out, t0, payload: JSON.parse(Buffer.from(out.Payload!).toString()), report: log.split("\n").find((l) => l.startsWith("REPORT"))! };
    };
    // 12 s of retried Init and 20 s of latency after the handler: past the 30 s timeout, which the
    // retried Init began, at 30 s (18 s into the latency), not after the latency's 20 s.
    const latency = await retried("retried", "invoke.latency:retried");
    expect(latency.out.FunctionError).toBe("Unhandled");
    expect(latency.payload).toEqual({ errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${latency.out.$metadata.requestId} Error: Task timed out after 30.00 seconds` });
    expect(latency.report).toMatch(/\tDuration: 30000\.00 ms\tBilled Duration: 30000 ms\t.*\tStatus: timeout/);
    expect(latency.report).not.toContain("Init Duration");
    // 10 s of the first Init, then the timeout's 30 s less the wall ms the retried Init's process
    // and the handler ran (they count too).
    expect(events.of("invocation.finished")[0]!.time - latency.t0).toSatisfy((ms: number) => ms > 37_000 && ms <= 40_000);

    // A scenario's service time (25 s) after the retried Init's 12 s: out at 30 s, 18 s into it.
    const busy = await retried("busy", "invoke.service-time:busy");
    expect(busy.out.FunctionError).toBe("Unhandled");
    expect(busy.payload.errorMessage).toMatch(/Task timed out after 30\.00 seconds$/);
    expect(busy.report).toMatch(/\tDuration: 30000\.00 ms\t.*\tStatus: timeout/);
    // Set as the retried Init starts (less the wall µs before it), on the Clock.
    expect(events.of("invocation.finished")[1]!.time - busy.t0).toSatisfy((ms: number) => ms > 39_990 && ms <= 40_000);
    events.dispose();
  });

  it("holds the environment through injected latency, as a slow call in the handler does, and times the invocation out when the latency reaches the function's timeout (walk39)", async () => {
    await start([echo("slowed", { timeout: 10 })], [{ kind: "latency", function: "slowed", ms: 4_000, nth: 2 }]);
    const events = new TelemetryRecorder(t!.sim.telemetry);
    const waiting = async (n: number) => until(async () => (await sim("GET", "/_sim/clock")).json.pendingTimers.filter((x: { label: string }) => x.label === "invoke.latency:slowed").length === n);
    expect((await invoke("slowed")).functionError).toBeUndefined();
    // The warm environment takes the 4 s slow one for its 4 s: the next request meanwhile starts another (a cold start), as on AWS.
    const slowed = invoke("slowed");
    await waiting(1);
    expect((await invoke("slowed")).functionError).toBeUndefined();
    await sim("POST", "/_sim/clock/advance", { seconds: 5 });
    expect((await slowed).functionError).toBeUndefined();
    const started = events.of("invocation.started");
    expect(started.map((e) => e.coldStart)).toEqual([true, false, true]);
    expect(new Set(started.map((e) => e.environmentId)).size).toBe(2);

    // 15 s of latency in a function with a 10 s timeout: it times out at 10 s, and its environment resets.
    await sim("POST", "/_sim/faults", { kind: "latency", function: "slowed", ms: 15_000, nth: 1 });
    const t0 = clock.now();
    const slow = invoke("slowed");
    await waiting(1);
    await sim("POST", "/_sim/clock/advance", { seconds: 20 });
    const out = await slow;
    expect(out.functionError).toBe("Unhandled");
    expect(out.payload).toMatchObject({ errorType: "Sandbox.Timedout", errorMessage: expect.stringMatching(/Task timed out after 10\.00 seconds$/) });
    // The timeout less the few wall ms the handler ran (they count towards it too).
    expect(events.of("invocation.finished").at(-1)!.time - t0).toSatisfy((ms: number) => ms > 9_900 && ms <= 10_000);
    expect(events.of("invocation.finished").at(-1)).toMatchObject({ durationMs: 10_000, status: "timeout" });
    const next = invoke("slowed");
    expect((await next).functionError).toBeUndefined();
    expect(events.of("invocation.started").at(-1)!.coldStart).toBe(true);
    events.dispose();
  });

  it("adds injected latency to the handler's own run: 1.6 s of latency after a 500 ms handler times a 2 s function out; 300 ms does not (walk39b)", async () => {
    await start([{ ...echo("sleeper", { timeout: 2 }), handler: "index.sleep" }], [{ kind: "latency", function: "sleeper", ms: 1_600, nth: 1 }, { kind: "latency", function: "sleeper", ms: 300, nth: 2 }]);
    const events = new TelemetryRecorder(t!.sim.telemetry);
    const latencyPending = () => until(async () => (await sim("GET", "/_sim/clock")).json.pendingTimers.some((x: { label: string }) => x.label === "invoke.latency:sleeper"));
    const call = () => lambda.send(new InvokeCommand({ FunctionName: "sleeper", Payload: Buffer.from('{"ms":500}') }));
    const late = call();
    await latencyPending();
    await sim("POST", "/_sim/clock/advance", { seconds: 2 });
    const out = await late;
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: "Sandbox.Timedout", errorMessage: expect.stringMatching(/Task timed out after 2\.00 seconds$/) });
    const inTime = call();
    await latencyPending();
    await sim("POST", "/_sim/clock/advance", { seconds: 2 });
    expect((await inTime).FunctionError).toBeUndefined();
    // Its Duration is both: the handler's ~500 ms and the 300 ms of latency.
    expect(events.of("invocation.finished").map((e) => e.status)).toEqual(["timeout", "success"]);
    expect(events.of("invocation.finished")[1]!.durationMs).toSatisfy((ms: number) => ms >= 800 && ms < 2_000);
    events.dispose();
  });

  it("scopes a fault to a source: messages from that queue fail into its DLQ while direct invokes succeed", async () => {
    await start([echo("consumer")]);
    await sqs.send(new CreateQueueCommand({ QueueName: "in-dlq" }));
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "in", Attributes: { VisibilityTimeout: "60", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("in-dlq"), maxReceiveCount: 2 }) } }))).QueueUrl!;
    await sim("POST", "/_sim/faults", { kind: "error", source: "sqs:in" });
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: arn("in"), BatchSize: 1 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    await sim("POST", "/_sim/clock/advance", { seconds: 300 });
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url.replace(/in$/, "in-dlq") }));
    expect(dlq.Messages?.map((m) => m.Body)).toEqual(["poison"]);
    expect((await invoke("consumer")).functionError).toBeUndefined();
  });

  it("fails every async event's first two attempts (attempt: [1, 2]): each succeeds on its second retry, as its OnSuccess record says", async () => {
    await start([echo("flaky")], [{ kind: "error", function: "flaky", attempt: [1, 2], errorType: "Flaky" }]);
    const ok = (await sqs.send(new CreateQueueCommand({ QueueName: "flaky-ok" }))).QueueUrl!;
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "flaky", MaximumRetryAttempts: 2, DestinationConfig: { OnSuccess: { Destination: arn("flaky-ok") } } }));
    // Three events at once: per event, not the fault's first two matches overall.
    for (let i = 0; i < 3; i++) await lambda.send(new InvokeCommand({ FunctionName: "flaky", InvocationType: "Event", Payload: Buffer.from(`{"i":${i}}`) }));
    expect((await sim("POST", "/_sim/clock/run-until-idle", {})).status).toBe(200);
    const records: { requestContext: { approximateInvokeCount: number }; requestPayload: { i: number } }[] = [];
    await until(async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: ok, MaxNumberOfMessages: 10 }));
      records.push(...(got.Messages ?? []).map((m) => JSON.parse(m.Body!)));
      return records.length === 3;
    });
    expect(records.map((r) => [r.requestPayload.i, r.requestContext.approximateInvokeCount]).sort()).toEqual([[0, 3], [1, 3], [2, 3]]);
    expect((await sim("GET", "/_sim/faults")).json.faults).toMatchObject([{ attempt: [1, 2], matched: 6, fired: 6 }]);
    // A direct invoke is no event's attempt: untouched.
    expect((await invoke("flaky")).functionError).toBeUndefined();
  });

  it("fails an SQS message's first two receives (attempt: [1, 2]): with maxReceiveCount 3 it is consumed on the third, with 2 it reaches the DLQ", async () => {
    await start([echo("consumer")]);
    const queue = async (name: string, maxReceiveCount: number) => {
      await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "30", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(`${name}-dlq`), maxReceiveCount }) } }))).QueueUrl!;
      await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: arn(name), BatchSize: 1 }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: name }));
      return url;
    };
    const added = await sim("POST", "/_sim/faults", { kind: "error", function: "consumer", attempt: [1, 2] });
    expect(added.status).toBe(200);
    const three = await queue("three", 3);
    const two = await queue("two", 2);
    await sim("POST", "/_sim/clock/advance", { seconds: 300 });
    const dlq = async (url: string) => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${url}-dlq`, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body) ?? [];
    const left = async (url: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes;
    expect(await dlq(two)).toEqual(["two"]);
    expect(await dlq(three)).toEqual([]);
    expect(await left(three)).toEqual({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
    // Matched: both messages' first two receives; the third receive of "three" is out of scope.
    expect((await sim("GET", "/_sim/faults")).json.faults).toMatchObject([{ matched: 4, fired: 4 }]);
  });

  it("scopes a fault to one mapping: of two SQS mappings on one function, only that one's message fails into its queue's DLQ", async () => {
    await start([echo("consumer")]);
    const mapped: { url: string; uuid: string }[] = [];
    for (const name of ["first", "second"]) {
      await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "30", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(`${name}-dlq`), maxReceiveCount: 2 }) } }))).QueueUrl!;
      const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: arn(name), BatchSize: 1 }));
      mapped.push({ url, uuid: UUID! });
    }
    expect((await sim("POST", "/_sim/faults", { kind: "error", mapping: mapped[0]!.uuid })).status).toBe(200);
    for (const { url } of mapped) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: url.split("/").at(-1) }));
    await sim("POST", "/_sim/clock/advance", { seconds: 300 });
    const dlq = async (url: string) => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${url}-dlq`, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body) ?? [];
    expect(await dlq(mapped[0]!.url)).toEqual(["first"]);
    expect(await dlq(mapped[1]!.url)).toEqual([]);
    const left = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: mapped[1]!.url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
    expect(left.Attributes).toEqual({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
    // Matched only the first mapping's two receives.
    expect((await sim("GET", "/_sim/faults")).json.faults).toMatchObject([{ matched: 2, fired: 2 }]);
  });

  it("makes a DLQ delivery fail: the async event is dropped, reported, and the DLQ stays empty", async () => {
    await start([echo("once", { deadLetterTargetArn: "sqs:dlq", eventInvokeConfig: { maximumRetryAttempts: 0 } })], [{ kind: "error", function: "once" }, { kind: "delivery-failure", target: "sqs:dlq", nth: 1 }]);
    await sqs.send(new CreateQueueCommand({ QueueName: "dlq" }));
    const events = new TelemetryRecorder(t!.sim.telemetry);
    // One event at a time: two queued together may finish in either order, and the fault takes the first delivery.
    for (let i = 0; i < 2; i++) {
      await lambda.send(new InvokeCommand({ FunctionName: "once", InvocationType: "Event", Payload: Buffer.from(`{"i":${i}}`) }));
      await sim("POST", "/_sim/clock/run-until-idle", {});
      await until(() => events.of("async.delivered").length + events.of("async.delivery-failed").length === i + 1);
    }
    expect(events.of("async.delivery-failed")).toMatchObject([{ destination: "DeadLetterQueue", error: "injected delivery failure" }]);
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${t!.endpoint}/000000000000/dlq`, MaxNumberOfMessages: 10 }));
    expect(dlq.Messages?.map((m) => JSON.parse(m.Body!))).toEqual([{ i: 1 }]);
    events.dispose();
  });

  it("makes an EventBridge bus destination (events:NAME) fail for one function's events: after its async retries, that OnFailure record is lost and counted", async () => {
    await start([model("notify"), model("billing")], [], [sqsSource, eventsSource, cloudwatchMetricsSource]);
    const events = new EventBridgeClient(t!.clientConfig);
    const cw = new CloudWatchClient(t!.clientConfig);
    try {
      const copies = (await sqs.send(new CreateQueueCommand({ QueueName: "failures-copy" }))).QueueUrl!;
      await events.send(new CreateEventBusCommand({ Name: "failures" }));
      await events.send(new PutRuleCommand({ Name: "all", EventBusName: "failures", EventPattern: '{"source":["lambda"]}' }));
      await events.send(new PutTargetsCommand({ Rule: "all", EventBusName: "failures", Targets: [{ Id: "q", Arn: arn("failures-copy") }] }));
      const bus = "arn:aws:events:us-east-1:000000000000:event-bus/failures";
      for (const fn of ["notify", "billing"]) {
        await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: bus } } }));
      }
      // Both functions fail every time; notify's first OnFailure delivery to the bus fails, billing's are untouched.
      const added = await sim("POST", "/_sim/faults", [{ kind: "error", errorType: "Declined" }, { kind: "delivery-failure", function: "notify", target: "events:failures", nth: 1 }]);
      expect(added.status).toBe(200);
      const seen = new TelemetryRecorder(t!.sim.telemetry);
      for (const [fn, n] of [["notify", 1], ["notify", 2], ["billing", 3]] as const) {
        await lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: "Event", Payload: Buffer.from(`{"n":${n}}`) }));
      }
      expect((await sim("POST", "/_sim/clock/run-until-idle", {})).status).toBe(200);
      // Every event was retried once (AWS retries function errors; a destination failure is not a function error).
      expect(seen.of("async.retry.scheduled")).toHaveLength(3);
      await until(() => seen.of("async.delivered").length + seen.of("async.delivery-failed").length === 3);
      expect(seen.of("async.delivery-failed")).toMatchObject([{ functionName: "notify", destination: "OnFailure", targetArn: bus, error: "injected delivery failure" }]);
      expect(seen.of("fault.fired").filter((e) => e.kind === "delivery-failure")).toMatchObject([{ functionName: "notify", targetArn: bus }]);
      // What reached the bus: one of notify's two events (the other's delivery failed) and billing's,
      // as Lambda Function Invocation Result events after the retry.
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: copies, MaxNumberOfMessages: 10 }));
      const records = (got.Messages ?? []).map((m) => JSON.parse(m.Body!)).sort((a, b) => a.detail.requestPayload.n - b.detail.requestPayload.n);
      expect(records.map((r) => [r["detail-type"], r.detail.requestContext.condition, r.detail.requestContext.approximateInvokeCount])).toEqual([
        ["Lambda Function Invocation Result - Failure", "RetriesExhausted", 2],
        ["Lambda Function Invocation Result - Failure", "RetriesExhausted", 2],
      ]);
      expect(records.map((r) => r.detail.requestContext.functionArn.split(":")[6])).toEqual(["notify", "billing"]);
      expect(records[0].detail.requestContext.requestId).not.toBe(seen.of("async.delivery-failed")[0]!.requestId);
      // As AWS counts it: DestinationDeliveryFailures of notify only.
      const failures = async (fn: string) => {
        const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName: "DestinationDeliveryFailures", Dimensions: [{ Name: "FunctionName", Value: fn }], StartTime: new Date(Date.UTC(2026, 5, 1)), EndTime: new Date(clock.now() + 60_000), Period: 3600, Statistics: ["Sum"] }));
        return (out.Datapoints ?? []).reduce((a, p) => a + (p.Sum ?? 0), 0);
      };
      await until(async () => (await failures("notify")) === 1);
      expect(await failures("billing")).toBe(0);
      seen.dispose();
    } finally {
      events.destroy();
      cw.destroy();
    }
  });

  it("makes a destination fail for an alias's invocations only when the fault is scoped with qualifier", async () => {
    await start([model("notify")], [{ kind: "error" }, { kind: "delivery-failure", function: "notify", qualifier: "live", target: "sqs:failures" }]);
    const failures = (await sqs.send(new CreateQueueCommand({ QueueName: "failures" }))).QueueUrl!;
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "notify" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "notify", Name: "live", FunctionVersion: Version! }));
    for (const qualifier of [undefined, "live", Version!]) {
      await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "notify", Qualifier: qualifier, MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: arn("failures") } } }));
    }
    const seen = new TelemetryRecorder(t!.sim.telemetry);
    // The alias's record fails; the same version invoked by number, and $LATEST, deliver theirs.
    const requestIds: string[] = [];
    for (const qualifier of [undefined, "live", Version!]) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: "notify", Qualifier: qualifier, InvocationType: "Event", Payload: Buffer.from("{}") }));
      requestIds.push(out.$metadata.requestId!);
    }
    await sim("POST", "/_sim/clock/run-until-idle", {});
    await until(() => seen.of("async.delivered").length + seen.of("async.delivery-failed").length === 3);
    expect(seen.of("async.delivery-failed")).toMatchObject([{ requestId: requestIds[1], destination: "OnFailure", error: "injected delivery failure" }]);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: failures, MaxNumberOfMessages: 10 }));
    const arns = (got.Messages ?? []).map((m) => JSON.parse(m.Body!).requestContext.functionArn.split(":").slice(6).join(":")).sort();
    expect(arns).toEqual(["notify:$LATEST", `notify:${Version}`]);
    seen.dispose();
  });

  it("refuses a bad fault with a 400 naming the key", async () => {
    await start([]);
    for (const body of [{ kind: "explode" }, { kind: "error", fraction: 2 }, { kind: "throttle", reason: "Busy" }, { kind: "latency" }, { kind: "error", typo: 1 }, "nope"]) {
      const r = await sim("POST", "/_sim/faults", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await sim("POST", "/_sim/faults", { kind: "error", fraction: 2 })).json.message).toBe("fault: fraction: expected a fraction between 0 and 1, got 2");
    // A list with one bad item: that item is named (newuser13: "expected a number, got a list of 2 items").
    expect((await sim("POST", "/_sim/faults", { kind: "error", nth: [1, "x"] })).json.message).toBe("fault: nth[1]: expected a whole number ≥ 1, got 'x'");
    // Another word for the key gets its name (newuser11 N1-3).
    const probability = await sim("POST", "/_sim/faults", { kind: "error", probability: 0.5 });
    expect([probability.status, probability.json.message]).toEqual([400, "fault: probability: unknown key (did you mean 'fraction'?)"]);
    // What it got is the kind's value, not the map around it (walkthrough newuser7 F12.5).
    expect((await sim("POST", "/_sim/faults", { kind: "nope" })).json.message).toBe("fault: kind: expected kind: one of error, timeout, crash, out-of-memory, latency, slow-cold-start, throttle, delivery-failure, got 'nope'");
    expect((await sim("POST", "/_sim/faults", { function: "f" })).json.message).toBe("fault: kind: expected kind: one of error, timeout, crash, out-of-memory, latency, slow-cold-start, throttle, delivery-failure, but it is missing");
    // A delivery carries a record, not the invocation's payload: that scope key is refused for it, not ignored.
    const poison = await sim("POST", "/_sim/faults", { kind: "delivery-failure", target: "sqs:dlq", payloadContains: "poison" });
    expect([poison.status, poison.json.message]).toEqual([400, "fault: payloadContains: does not apply to delivery-failure: a delivery carries a record, not an invocation's payload (scope it with function, qualifier, source or mapping)"]);
    const attempt = await sim("POST", "/_sim/faults", { kind: "delivery-failure", target: "sqs:dlq", attempt: 1 });
    expect([attempt.status, attempt.json.message]).toEqual([400, "fault: attempt: does not apply to delivery-failure: a delivery follows an event's last attempt (scope it with function, qualifier, source or mapping)"]);
    // A throttle is not an attempt: an event throttled at attempt 1 would be throttled at every retry (review40).
    const throttled = await sim("POST", "/_sim/faults", { kind: "throttle", attempt: 1 });
    expect([throttled.status, throttled.json.message]).toEqual([400, "fault: attempt: does not apply to throttle: a throttled event has not made its attempt, so it would be throttled again at every retry until it expires (use nth, or afterSeconds and forSeconds)"]);
    // A hold longer than Lambda's maximum timeout (15 minutes) is a unit mistake, not a fault (walkthrough F7).
    for (const kind of ["latency", "slow-cold-start"]) {
      const long = await sim("POST", "/_sim/faults", { kind, ms: 1e300 });
      expect([long.status, long.json.message]).toEqual([400, "fault: ms: expected at most 900000 milliseconds (15 minutes, the longest a Lambda function runs), got 1e+300"]);
    }
    expect((await sim("POST", "/_sim/faults", { kind: "latency", ms: 900_000, times: 1 })).status).toBe(200);
    expect((await sim("DELETE", "/_sim/faults/fault-99")).status).toBe(404);
  });
});
