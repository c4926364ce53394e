import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock, type FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { apiGatewaySource } from "@lambda-sim/sources";
import { apiConfigSchema, apiId } from "../packages/sources/src/http/api-config.ts";
import { httpCall, type HttpReply } from "./support/http-call.ts";
import { until } from "./support/until.ts";

/**
 * newuser15b F1: API Gateway's integration timeout (29 s REST, 30 s HTTP APIs) counts the service
 * time an invocation waits, not only its handler's wall time. A function made 40 s slow by a
 * latency fault, a `model` function taking 45 s, or a real one given a 35 s `serviceTime` gets
 * the 504/503 AWS gives once the virtual clock passes the timeout; 20 s of latency before a quick
 * handler still answers 200.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const real = (functionName: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: "index.echo", codeDir, timeout: 60, ...extra });
const model = (functionName: string, durationMs: number): FunctionDefinition => ({
  functionName,
  runtime: "model",
  codeDir: process.cwd(),
  timeout: 60,
  model: { durationMs, coldStartMs: 0, errorProbability: 0, timeoutProbability: 0 },
});

const apis = apiConfigSchema.parse({
  http: { routes: { "GET /slowed": "slowed", "GET /quick": "quick", "GET /model": "modelled", "GET /service": "service-timed" } },
  rest: { protocolType: "REST", routes: { "GET /slowed": "slowed" } },
});
const HTTP = apiId("000000000000", "us-east-1", "http");
const REST = apiId("000000000000", "us-east-1", "rest");

let t: TestSimulator;
let clock: VirtualClock;
let events: TelemetryRecorder;
beforeAll(async () => {
  clock = new VirtualClock(Date.UTC(2026, 5, 1));
  clock.startRunningDue();
  t = await startTestSimulator({
    clock,
    functions: [real("slowed"), real("quick"), model("modelled", 45_000), real("service-timed", { sim: { serviceTimeMs: 35_000 } })],
    sources: [apiGatewaySource],
    sourceConfig: { apis },
    faults: [
      { kind: "latency", function: "slowed", ms: 40_000 },
      { kind: "latency", function: "quick", ms: 20_000 },
    ],
  });
  events = new TelemetryRecorder(t.sim.telemetry);
});
afterAll(() => t?.close());

/**
 * A request whose answer waits on service time: sent, the clock advanced once that wait is on it;
 * `failedAfterMs`: the service time from the request to the front's timeout, if it timed out.
 */
async function throughServiceTime(url: string, seconds: number): Promise<{ reply: HttpReply; failedAfterMs?: number }> {
  const t0 = clock.now();
  const failures = events.of("http.integration-failed").length;
  const reply = httpCall(url);
  // A latency fault's and a model's sleep, a real function's serviceTime.
  await until(async () => (await clockTimers()).some((l) => l === "sleep" || l.startsWith("invoke.service-time") || l.startsWith("invoke.latency")));
  await fetch(`${t.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds }) });
  const failed = events.of("http.integration-failed")[failures];
  return { reply: await reply, failedAfterMs: failed && failed.time - t0 };
}

/** The budget's service-time part ends it: the timeout less the few wall ms spent before the wait. */
const atTimeout = (ms: number) => (v: number | undefined) => v !== undefined && v > ms - 1_000 && v <= ms;

async function clockTimers(): Promise<string[]> {
  const view = (await (await fetch(`${t.endpoint}/_sim/clock`)).json()) as { pendingTimers: { label: string }[] };
  return view.pendingTimers.map((p) => p.label);
}

describe("an API's integration timeout on the virtual clock", () => {
  it("HTTP API: 503 Service Unavailable for 40 s of injected latency, and the failure names the timeout", async () => {
    const { reply, failedAfterMs } = await throughServiceTime(`${t.endpoint}/_aws/execute-api/${HTTP}/slowed`, 60);
    expect([reply.status, reply.text]).toEqual([503, '{"message":"Service Unavailable"}']);
    expect(events.of("http.integration-failed").at(-1)).toMatchObject({ functionName: "slowed", status: 503, detail: "no answer within the integration timeout (30000 ms)" });
    // At the timeout (less the wall time the request took before its wait), not at the latency's end nor the advance's.
    expect(failedAfterMs).toSatisfy(atTimeout(30_000));
  });

  it("REST API: 504 Endpoint request timed out for the same latency", async () => {
    const { reply, failedAfterMs } = await throughServiceTime(`${t.endpoint}/_aws/execute-api/${REST}/Prod/slowed`, 60);
    expect(reply.status).toBe(504);
    expect(failedAfterMs).toSatisfy(atTimeout(29_000));
    expect(reply.json()).toEqual({ message: "Endpoint request timed out" });
  });

  it("answers 200 when the latency leaves the handler time inside the timeout", async () => {
    const { reply, failedAfterMs } = await throughServiceTime(`${t.endpoint}/_aws/execute-api/${HTTP}/quick`, 60);
    expect(reply.status).toBe(200);
    expect(failedAfterMs).toBeUndefined();
  });

  it("times out a model function's 45 s and a real function's 35 s serviceTime", async () => {
    const modelled = await throughServiceTime(`${t.endpoint}/_aws/execute-api/${HTTP}/model`, 60);
    expect(modelled.reply.status).toBe(503);
    expect(modelled.failedAfterMs).toSatisfy(atTimeout(30_000));
    const served = await throughServiceTime(`${t.endpoint}/_aws/execute-api/${HTTP}/service`, 60);
    expect(served.reply.status).toBe(503);
    expect(served.failedAfterMs).toSatisfy(atTimeout(30_000));
  });
});
