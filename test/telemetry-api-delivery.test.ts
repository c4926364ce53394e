import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { createExtensionFunction } from "./support/extension-function.ts";
import { until } from "./support/until.ts";
import { startReportCollector, type ReportCollector } from "./support/report-collector.ts";

/** How long the agent's listener keeps an idle connection open. */
const IDLE_MS = 200;

/**
 * An observability vendor's agent as an external extension: INVOKE and SHUTDOWN, a Telemetry API
 * subscription to its own listener, every batch reported (with the time it answers it) and
 * SHUTDOWN reported before it exits. Its listener closes a connection idle for IDLE_MS without
 * announcing it, as Go's net/http IdleTimeout does (Node's own keepAliveTimeout announces
 * `Keep-Alive: timeout=0` below a second, and Node's client then never reuses the connection;
 * at its default, 5 s, it behaves as this one does at 200 ms). GONE=1: the listener is closed
 * right after subscribing. Each report says which environment's agent sent it (`env`: a name it
 * keeps in the environment's /tmp, which outlives a reset).
 */
const AGENT = `#!${process.execPath}
const http = require("node:http");
const path = require("node:path");
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API;
const fs = require("node:fs");
if (!fs.existsSync("/tmp/agent-env")) fs.writeFileSync("/tmp/agent-env", String(Math.random()).slice(2));
const env = fs.readFileSync("/tmp/agent-env", "utf8");
const report = (what, body) => fetch(process.env.REPORT_URL + "/" + what, { method: "POST", body: JSON.stringify({ ...body, env }) });
(async () => {
  const reg = await fetch(api + "/2020-01-01/extension/register", { method: "POST", headers: { "Lambda-Extension-Name": path.basename(__filename) }, body: JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }) });
  const id = reg.headers.get("lambda-extension-identifier");
  const server = http.createServer((req, res) => {
    clearTimeout(req.socket.idle);
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      await report("batch", { records: JSON.parse(body), answeredAt: Date.now() });
      res.end();
      req.socket.idle = setTimeout(() => req.socket.destroy(), ${IDLE_MS});
    });
  });
  server.keepAliveTimeout = 0;
  await new Promise((r) => server.listen(0, "sandbox.localdomain", r));
  await fetch(api + "/2022-07-01/telemetry", { method: "PUT", headers: { "Lambda-Extension-Identifier": id }, body: JSON.stringify({ schemaVersion: "2022-12-13", destination: { protocol: "HTTP", URI: "http://sandbox.localdomain:" + server.address().port + "/" }, types: ["platform", "function"], buffering: { timeoutMs: 25 } }) });
  if (process.env.GONE === "1") server.close();
  for (;;) {
    const event = await (await fetch(api + "/2020-01-01/extension/event/next", { headers: { "Lambda-Extension-Identifier": id } })).json();
    if (event.eventType === "SHUTDOWN") { await report("shutdown", event); process.exit(0); }
  }
})();
`;

let t: TestSimulator | undefined;
let lambda: LambdaClient;
let reports: ReportCollector | undefined;
let events: TelemetryRecorder | undefined;
/** A test's directory of signal files for its handler, removed after it. */
let signals: string | undefined;

afterEach(async () => {
  events?.dispose();
  lambda?.destroy();
  await t?.close();
  reports?.close();
  t = undefined;
  if (signals !== undefined) rmSync(signals, { recursive: true, force: true });
  signals = undefined;
});

async function start(): Promise<void> {
  reports = await startReportCollector();
  t = await startTestSimulator();
  events = new TelemetryRecorder(t.sim.telemetry);
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
}

async function fn(name: string, handler: string, variables: Record<string, string> = {}, timeout?: number): Promise<void> {
  await createExtensionFunction(lambda, name, { extensions: { "vendor-agent": AGENT }, handler, variables: { REPORT_URL: reports!.url, ...variables }, timeout });
}

async function invoke(name: string): Promise<string> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
  expect(out.FunctionError).toBeUndefined();
  return out.$metadata.requestId!;
}

/** Retires the function's environment (a configuration change) and waits for its agent's SHUTDOWN. */
async function retire(name: string): Promise<void> {
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: "retire" }));
  await until(() => reports!.got("shutdown").length > 0);
}

/** Every record the agent received (the agent of the environment `env` only, if given), in arrival order, and "SHUTDOWN" where its SHUTDOWN came. */
function timeline(env?: string): any[] {
  const mine = reports!.received.filter((r) => env === undefined || r.body.env === env);
  return mine.flatMap((r) => (r.what === "batch" ? r.body.records : r.what === "shutdown" ? ["SHUTDOWN"] : []));
}

const isRecord = (type: string, requestId?: string) => (r: any) => r.type === type && (requestId === undefined || r.record.requestId === requestId);

describe("Telemetry API delivery", () => {
  it("delivers the last invocation's records before SHUTDOWN when the listener dropped the idle connection meanwhile", async () => {
    await start();
    // The handler runs until the test writes GO (under the home directory: the function's private
    // /tmp would hide a file of the test's /tmp), once the invocation's first records went out
    // while it runs, on a connection the agent then keeps; the rest are sent once the environment
    // is frozen, on that connection.
    signals = mkdtempSync(join(homedir(), ".lambda-sim-test-signal-"));
    const go = join(signals, "go");
    await fn("idle-then-retired", "const fs = require('node:fs'); exports.handler = async () => { console.log('working'); while (!fs.existsSync(process.env.GO)) await new Promise((r) => setTimeout(r, 10)); return 1; };", { GO: go }, 60);
    const running = invoke("idle-then-retired");
    await until(() => reports!.got("batch").some((b) => b.records.some((r: any) => r.type === "function" && String(r.record).includes("working"))));
    writeFileSync(go, "");
    const id = await running;
    // The agent's idle timeout passes while the environment sits frozen.
    const answeredLast = () => Math.max(...reports!.got("batch").map((b) => b.answeredAt as number));
    await until(() => reports!.got("batch").length > 0 && Date.now() - answeredLast() > 2 * IDLE_MS);

    await retire("idle-then-retired");
    const got = timeline();
    const report = got.findIndex(isRecord("platform.report", id));
    expect(report).toBeGreaterThanOrEqual(0);
    expect(got[report].record.status).toBe("success");
    expect(report).toBeLessThan(got.indexOf("SHUTDOWN"));
    expect(got.filter(isRecord("platform.runtimeDone", id))).toHaveLength(1);
    expect(events!.of("simulator.warning")).toEqual([]);
  }, 30_000);

  it("says so when a batch cannot be delivered, rather than dropping it silently", async () => {
    await start();
    await fn("listener-gone", "exports.handler = async () => 1;", { GONE: "1" });
    await invoke("listener-gone");
    await until(() => events!.of("simulator.warning").length > 0);
    expect(events!.of("simulator.warning")[0]!.message).toMatch(/^listener-gone: the Telemetry API could not deliver \d+ record\(s\) to vendor-agent's listener http:\/\/sandbox\.localdomain:\d+\/ \(connect ECONNREFUSED [\d.:]+\); they are dropped$/);
  }, 30_000);

  it("gives a reset environment's new agent the new Init's records from before it subscribed, and nothing to the agent the reset killed", async () => {
    await start();
    await fn("reset-agent", "exports.handler = () => new Promise(() => setInterval(() => {}, 1000));", {}, 1);
    const timedOut = async () => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: "reset-agent", Payload: Buffer.from("{}") }));
      expect(JSON.parse(Buffer.from(out.Payload!).toString()).errorType).toBe("Sandbox.Timedout");
      return out.$metadata.requestId!;
    };
    const environment = (id: string) => events!.of("invocation.started").find((e) => e.requestId === id)!.environmentId;
    const first = await timedOut();
    // The timeout resets the environment: its agent gets SHUTDOWN (reason timeout) and exits.
    await until(() => reports!.got("shutdown").length === 1);
    const env = reports!.got("shutdown")[0].env;
    // The next event runs a new Init in it, extensions included, once it has ended its agent; one
    // sent just before gets another environment (an Init of its own), and the event after it this one.
    let second = await timedOut();
    if (environment(second) !== environment(first)) second = await timedOut();
    expect(environment(second)).toBe(environment(first));
    await until(() => reports!.got("shutdown").filter((e) => e.env === env).length === 2);

    const got = timeline(env);
    const resetAt = got.indexOf("SHUTDOWN");
    const before = got.slice(0, resetAt);
    const after = got.slice(resetAt + 1).filter((r) => r !== "SHUTDOWN");
    // The new Init's agent subscribed during it: it hears that Init from its start, its own
    // platform.initStart from before it subscribed included, and not the killed agent's Init again.
    expect(after.slice(0, 3).map((r: any) => r.type)).toEqual(["platform.initStart", "platform.extension", "platform.telemetrySubscription"]);
    expect(Date.parse(after[0].time)).toBeGreaterThanOrEqual(Date.parse(before.find(isRecord("platform.report", first)).time));
    expect(after.filter(isRecord("platform.initStart"))).toHaveLength(1);
    expect(after.some(isRecord("platform.start", second))).toBe(true);
    expect(after.some(isRecord("platform.report", second))).toBe(true);
    // Nothing was sent to the killed agent's listener (each failed batch would be a warning).
    expect(events!.of("simulator.warning")).toEqual([]);
  }, 30_000);

  it("sends a cold start's Init records first, then the invocation's platform.start, as AWS's phases run", async () => {
    await start();
    await fn("cold-order", "console.log('init code'); exports.handler = async () => { console.log('handler ran'); return 1; };");
    const first = await invoke("cold-order");
    // The caller has its answer before the agent asks for its next event: the next event waits for
    // the invocation to complete, to find the same environment warm.
    await until(() => events!.of("invocation.finished").some((e) => e.requestId === first));
    const second = await invoke("cold-order");
    await retire("cold-order");

    const got = timeline().filter((r) => r !== "SHUTDOWN");
    const at = (type: string, requestId?: string) => {
      const i = got.findIndex(isRecord(type, requestId));
      expect(i, type).toBeGreaterThanOrEqual(0);
      return i;
    };
    const order = [
      at("platform.initStart"),
      at("platform.telemetrySubscription"),
      at("platform.initRuntimeDone"),
      at("platform.initReport"),
      at("platform.start", first),
      at("platform.runtimeDone", first),
      at("platform.report", first),
      at("platform.start", second),
      at("platform.runtimeDone", second),
      at("platform.report", second),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(got.filter(isRecord("platform.initStart"))).toHaveLength(1);
    expect(got.filter(isRecord("platform.start"))).toHaveLength(2);
    // The handler's own log line is the invocation's, inside its Invoke phase.
    const handlerRan = got.findIndex((r) => r.type === "function" && r.record.includes("handler ran"));
    expect(handlerRan).toBeGreaterThan(at("platform.start", first));
    expect(handlerRan).toBeLessThan(at("platform.report", first));
    // Stamped as they happen: the records' times never go back.
    const times = got.map((r) => Date.parse(r.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(got[at("platform.start", first)].record).toEqual({ requestId: first, version: "$LATEST" });
  }, 30_000);
});
