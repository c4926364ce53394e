import { describe, expect, it } from "vitest";
import { networkInterfaces } from "node:os";
import { InvokeCommand, PutFunctionConcurrencyCommand, TooManyRequestsException, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { createExtensionFunction, extensionTestbed, telemetryShipper } from "./support/extension-function.ts";
import { HAS_PYTHON } from "./support/python.ts";
import { until } from "./support/until.ts";

/** An extension in bash: post-response work on INVOKE, a report on SHUTDOWN. */
const BASH_EXTENSION = `#!/bin/bash
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
HDRS=$(mktemp)
curl -sS -D "$HDRS" -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $(basename "$0")" -d '{"events":["INVOKE","SHUTDOWN"]}'
ID=$(grep -i '^Lambda-Extension-Identifier' "$HDRS" | tr -d '\\r' | awk '{print $2}')
echo "bash extension registered"
while true; do
  EVENT=$(curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID")
  case "$EVENT" in
    *SHUTDOWN*) curl -sS -X POST "$REPORT_URL/bash-shutdown" -d "$EVENT"; exit 0;;
    *INVOKE*) sleep 0.3; curl -sS -X POST "$REPORT_URL/bash-invoke" -d "$EVENT";;
  esac
done
`;

/** An extension in Node: subscribes to the Telemetry API on a local listener and forwards what it gets. */
const NODE_EXTENSION = `#!${process.execPath}
const http = require("node:http");
const path = require("node:path");
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API;
const report = (what, body) => fetch(process.env.REPORT_URL + "/" + what, { method: "POST", body: JSON.stringify(body) });
(async () => {
  const reg = await fetch(api + "/2020-01-01/extension/register", { method: "POST", headers: { "Lambda-Extension-Name": path.basename(__filename) }, body: JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }) });
  const id = reg.headers.get("lambda-extension-identifier");
  await report("node-registered", await reg.json());
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => { await report(req.url === "/logs" ? "logs" : "telemetry", JSON.parse(body)); res.end(); });
  });
  // As extensions written for AWS do: the sandbox's own host name.
  await new Promise((r) => server.listen(0, "sandbox.localdomain", r));
  const subscribe = (api_, uri, buffering) => fetch(api + api_, { method: "PUT", headers: { "Lambda-Extension-Identifier": id }, body: JSON.stringify({ schemaVersion: "2022-12-13", destination: { protocol: "HTTP", URI: "http://sandbox.localdomain:" + server.address().port + uri }, types: ["platform", "function"], buffering }) });
  const bad = await subscribe("/2022-07-01/telemetry", "/", { timeoutMs: 5 });
  await report("node-bad-subscription", { status: bad.status, body: await bad.json() });
  // fuzz19 F16: the simulator's own Invoke URL (any loopback name, its port) is no destination.
  const own = new URL(process.env.AWS_ENDPOINT_URL).port;
  const loops = [];
  // And the machine's own LAN address, which reaches a simulator listening on every interface.
  const lan = Object.values(require("node:os").networkInterfaces()).flat().find((a) => a.family === "IPv4" && !a.internal);
  for (const host of ["127.0.0.1", "localhost", "sandbox.localdomain", "[::1]", ...(lan ? [lan.address] : [])]) {
    const r = await fetch(api + "/2022-07-01/telemetry", { method: "PUT", headers: { "Lambda-Extension-Identifier": id }, body: JSON.stringify({ schemaVersion: "2022-12-13", destination: { protocol: "HTTP", URI: "http://" + host + ":" + own + "/2015-03-31/functions/observed/invocations" }, types: ["platform"] }) });
    loops.push({ host, status: r.status, body: await r.json() });
  }
  await report("node-loop-subscriptions", loops);
  const sub = await subscribe("/2022-07-01/telemetry", "/", { timeoutMs: 25 });
  await report("node-subscribed", { status: sub.status, body: await sub.text() });
  const logs = await subscribe("/2020-08-15/logs", "/logs", { timeoutMs: 25 });
  await report("node-logs-subscribed", { status: logs.status });
  for (;;) {
    const event = await (await fetch(api + "/2020-01-01/extension/event/next", { headers: { "Lambda-Extension-Identifier": id } })).json();
    if (event.eventType === "SHUTDOWN") { await report("node-shutdown", event); process.exit(0); }
    await new Promise((r) => setTimeout(r, 200));
    await report("node-invoke", event);
  }
})();
`;

const CRASHING = "#!/bin/bash\necho 'about to crash'\nexit 3\n";
const INIT_ERROR = `#!/bin/bash
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $(basename "$0")" -d '{"events":["INVOKE"]}' | grep -i '^Lambda-Extension-Identifier' | tr -d '\\r' | awk '{print $2}')
curl -sS -X POST "$API/init/error" -H "Lambda-Extension-Identifier: $ID" -H "Lambda-Extension-Function-Error-Type: Extension.ConfigInvalid" -d '{}'
sleep 5
`;
const CRASH_ON_INVOKE = `#!/bin/bash
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $(basename "$0")" -d '{"events":["INVOKE"]}' | grep -i '^Lambda-Extension-Identifier' | tr -d '\\r' | awk '{print $2}')
curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID" > /dev/null
exit 2
`;

/** Post-response work: a second after each INVOKE, then it says it is done (`slow-done`). */
const SLOW_EXTENSION = `#!/bin/bash
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $(basename "$0")" -d '{"events":["INVOKE"]}' | grep -i '^Lambda-Extension-Identifier' | tr -d '\\r' | awk '{print $2}')
while true; do
  EVENT=$(curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID")
  sleep 1
  curl -sS -X POST "$REPORT_URL/slow-done" -d "$EVENT"
done
`;

const bed = extensionTestbed();

const HANDLER = "exports.handler = async (e) => { console.log('handler ran'); return { ok: true }; };";

async function fn(name: string, extensions: Record<string, string>, opts: { handler?: string; timeout?: number } = {}): Promise<void> {
  await createExtensionFunction(bed.lambda, name, { extensions, handler: opts.handler ?? HANDLER, timeout: opts.timeout ?? 5, variables: { REPORT_URL: bed.reports.url } });
}

/** The invocation's REPORT line in the simulator's log (GET /_sim/invocations/{id}), once it has completed. */
async function reportOf(requestId: string): Promise<string> {
  let report: string | undefined;
  await until(async () => {
    const res = await fetch(`${bed.t.endpoint}/_sim/invocations/${requestId}`);
    if (res.status !== 200) return false;
    report = (((await res.json()) as { logs: string[] }).logs).find((l) => l.startsWith("REPORT"));
    return report !== undefined;
  });
  return report!;
}

const durationIn = (report: string) => Number(/\tDuration: ([\d.]+) ms/.exec(report)![1]);

async function invoke(name: string) {
  const out = await bed.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}"), LogType: "Tail" }));
  return { out, body: JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8")), log: Buffer.from(out.LogResult ?? "", "base64").toString("utf8") };
}

const got = (what: string) => bed.reports.got(what);
/** The requests whose post-response work SLOW_EXTENSION has finished. */
const done = () => got("slow-done").map((e) => e.requestId as string);

describe("Extensions API and Telemetry API", () => {
  it("runs bash and Node extensions: INVOKE events, billed post-response work, telemetry, SHUTDOWN on retirement", async () => {
    await fn("observed", { "bash-ext": BASH_EXTENSION, "node-ext": NODE_EXTENSION });
    const first = await invoke("observed");
    expect(first.out.FunctionError).toBeUndefined();
    expect(first.body).toEqual({ ok: true });
    expect(first.log).toMatch(/EXTENSION\tName: bash-ext\tState: Ready\tEvents: \[INVOKE,SHUTDOWN\]/);
    // The caller has its answer; the invocation ends when both extensions have asked for their
    // next event: 300 ms of bash work in its Duration. Then the environment is free again.
    expect(durationIn(await reportOf(first.out.$metadata.requestId!))).toBeGreaterThanOrEqual(300);
    expect(got("bash-invoke").map((e) => e.requestId)).toContain(first.out.$metadata.requestId);
    expect(got("node-invoke")[0]).toMatchObject({ eventType: "INVOKE", requestId: first.out.$metadata.requestId, invokedFunctionArn: expect.stringContaining(":function:observed"), tracing: { type: "X-Amzn-Trace-Id" } });
    expect(got("node-registered")[0]).toEqual({ functionName: "observed", functionVersion: "$LATEST", handler: "index.handler" });
    expect(got("node-subscribed")[0]).toEqual({ status: 200, body: "OK" });
    expect(got("node-logs-subscribed")[0]).toEqual({ status: 200 });
    expect(got("node-bad-subscription")[0]).toEqual({ status: 400, body: { errorType: "ValidationError", errorMessage: "buffering.timeoutMs must be an integer between 25 and 30000" } });
    // A subscriber cannot make the simulator invoke itself with each batch (fuzz19 F16).
    const port = new URL(bed.t.endpoint).port;
    const lan = Object.values(networkInterfaces()).flat().find((a) => a?.family === "IPv4" && !a.internal);
    expect(got("node-loop-subscriptions")[0]).toEqual(
      ["127.0.0.1", "localhost", "sandbox.localdomain", "[::1]", ...(lan ? [lan.address] : [])].map((host) => ({ host, status: 400, body: { errorType: "ValidationError", errorMessage: `destination.URI must be a listener in the execution environment, not lambda-sim's own endpoint (${host}:${port})` } })),
    );

    const second = await invoke("observed");
    expect(second.log).not.toMatch(/EXTENSION/);

    // A configuration change retires the environment: SHUTDOWN, after the telemetry still buffered.
    await bed.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "observed", Description: "changed" }));
    await until(() => got("bash-shutdown").length > 0 && got("node-shutdown").length > 0);
    expect(got("node-shutdown")[0]).toMatchObject({ eventType: "SHUTDOWN", shutdownReason: "spindown", deadlineMs: expect.any(Number) });
    const records = got("telemetry").flat();
    const types = new Set(records.map((r: any) => r.type));
    for (const type of ["platform.initStart", "platform.initRuntimeDone", "platform.initReport", "platform.extension", "platform.start", "platform.runtimeDone", "platform.report", "function"]) expect(types).toContain(type);
    // Each extension's state at the end of its init, as AWS's Telemetry API schema reference shapes it.
    const extensionRecords = records.filter((r: any) => r.type === "platform.extension").map((r: any) => r.record);
    expect(extensionRecords).toContainEqual({ name: "bash-ext", state: "Ready", events: ["INVOKE", "SHUTDOWN"] });
    expect(extensionRecords).toContainEqual({ name: "node-ext", state: "Ready", events: ["INVOKE", "SHUTDOWN"] });
    const report = records.find((r: any) => r.type === "platform.report" && r.record.requestId === first.out.$metadata.requestId);
    expect(report.record).toMatchObject({ status: "success", metrics: { durationMs: expect.any(Number), billedDurationMs: expect.any(Number), memorySizeMB: 128, maxMemoryUsedMB: expect.any(Number), initDurationMs: expect.any(Number) } });
    // platform.report counts the extensions' post-response work; platform.runtimeDone the runtime's alone.
    expect(report.record.metrics.durationMs).toBeGreaterThanOrEqual(300);
    const runtimeDone = records.find((r: any) => r.type === "platform.runtimeDone" && r.record.requestId === first.out.$metadata.requestId);
    expect(runtimeDone.record.metrics.durationMs).toBeLessThan(report.record.metrics.durationMs);
    expect(records.find((r: any) => r.type === "function").record).toContain("handler ran");
    expect(Date.parse(records[0].time)).not.toBeNaN();
    // The Logs API's own record shapes.
    const logRecords = got("logs").flat();
    const end = logRecords.find((r: any) => r.type === "platform.end" && r.record.requestId === first.out.$metadata.requestId);
    expect(end).toBeDefined();
    expect(logRecords.filter((r: any) => r.type === "platform.extension").map((r: any) => r.record)).toContainEqual({ name: "bash-ext", state: "Ready", events: ["INVOKE", "SHUTDOWN"] });
    const logsReport = logRecords.find((r: any) => r.type === "platform.report" && r.record.requestId === first.out.$metadata.requestId);
    expect(logsReport.record).toEqual({ requestId: first.out.$metadata.requestId, metrics: report.record.metrics });
  });

  it.skipIf(!HAS_PYTHON)("runs external extensions beside a Python function: INVOKE, post-response work in REPORT, function records, SHUTDOWN (skipped without python3)", async () => {
    // An observability layer on a Python function, the usual case: its own REPORT_URL prefix keeps its reports apart.
    const handler = "def handler(event, context):\n    print('python handler ran')\n    return {'ok': True}\n";
    await createExtensionFunction(bed.lambda, "py-observed", { runtime: "python3.12", handler, timeout: 5, extensions: { "bash-ext": BASH_EXTENSION, shipper: telemetryShipper({ timeoutMs: 25 }) }, variables: { REPORT_URL: `${bed.reports.url}/py` } });
    const first = await invoke("py-observed");
    const id = first.out.$metadata.requestId!;
    expect(first.out.FunctionError).toBeUndefined();
    expect(first.body).toEqual({ ok: true });
    expect(first.log).toMatch(/EXTENSION\tName: bash-ext\tState: Ready\tEvents: \[INVOKE,SHUTDOWN\][^]*EXTENSION\tName: shipper\tState: Ready/);
    expect(durationIn(await reportOf(id))).toBeGreaterThanOrEqual(300);
    expect(got("py/bash-invoke").map((e) => e.requestId)).toContain(id);

    await bed.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "py-observed", Description: "changed" }));
    await until(() => got("py/bash-shutdown").length > 0 && got("py/shutdown").length > 0);
    expect(got("py/shutdown")[0]).toMatchObject({ eventType: "SHUTDOWN", shutdownReason: "spindown" });
    const records = got("py/telemetry").flat();
    expect(records.filter((r: any) => r.type === "function").map((r: any) => r.record)).toContain("python handler ran");
    const report = records.find((r: any) => r.type === "platform.report" && r.record.requestId === id);
    expect(report.record).toMatchObject({ status: "success", metrics: { initDurationMs: expect.any(Number) } });
    expect(report.record.metrics.durationMs).toBeGreaterThanOrEqual(300);
  });

  it("delivers an extension's output on the Telemetry API's extension stream, apart from the function's", async () => {
    const talker = `#!/bin/bash
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $(basename "$0")" -d '{"events":["INVOKE"]}' | grep -i '^Lambda-Extension-Identifier' | tr -d '\\r' | awk '{print $2}')
while true; do
  EVENT=$(curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID")
  echo "talker saw an invoke"
done
`;
    await createExtensionFunction(bed.lambda, "talked-about", { handler: HANDLER, timeout: 5, extensions: { talker, shipper: telemetryShipper({ timeoutMs: 25 }, 0, ["platform", "function", "extension"]) }, variables: { REPORT_URL: `${bed.reports.url}/talk` } });
    expect((await invoke("talked-about")).body).toEqual({ ok: true });
    await bed.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "talked-about", Description: "changed" }));
    await until(() => got("talk/shutdown").length > 0);
    const records = got("talk/telemetry").flat();
    expect(records).toContainEqual({ time: expect.any(String), type: "extension", record: "talker saw an invoke" });
    expect(records).toContainEqual({ time: expect.any(String), type: "function", record: expect.stringContaining("handler ran") });
    expect(records.filter((r: any) => r.type === "function").map((r: any) => r.record).join("\n")).not.toContain("talker");
  });

  it("fails the invocation with Extension.Crash when an extension dies during init", async () => {
    await fn("crashing", { crasher: CRASHING });
    const { out, body, log } = await invoke("crashing");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Extension.Crash", errorMessage: `RequestId: ${out.$metadata.requestId} Error: exit status 3` });
    expect(log).toContain("about to crash");
    // The failed Init's line, as AWS writes it, before the invocation's START.
    expect(log).toMatch(/^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Extension\.Crash$/m);
    expect(log.indexOf("INIT_REPORT")).toBeLessThan(log.indexOf(`START RequestId: ${out.$metadata.requestId}`));
  });

  it("fails the init when an extension reports an init error", async () => {
    await fn("init-error", { reporter: INIT_ERROR });
    const { out, body, log } = await invoke("init-error");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("Extension.InitError");
    expect(body.errorMessage).toContain("Extension.ConfigInvalid");
    expect(log).toMatch(/^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Extension\.InitError$/m);
  });

  it("fails the invocation with Extension.Crash when an extension dies during it, and starts again after", async () => {
    // The handler is still at work when the extension dies (after the response, the caller would have it).
    await fn("crash-on-invoke", { dies: CRASH_ON_INVOKE }, { handler: "exports.handler = () => new Promise((r) => setTimeout(r, 4000));" });
    const { out, body } = await invoke("crash-on-invoke");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Extension.Crash", errorMessage: `RequestId: ${out.$metadata.requestId} Error: exit status 2` });
    // The environment was reset: the next invocation runs a new Init, extensions included.
    const again = await invoke("crash-on-invoke");
    expect(again.log).toMatch(/Init Duration/);
    expect(again.body.errorType).toBe("Extension.Crash");
  });

  it("answers the caller when the runtime responds while an extension's post-response work keeps the environment busy and billed", async () => {
    await fn("post-response", { slow: SLOW_EXTENSION });
    const first = await invoke("post-response");
    const id = first.out.$metadata.requestId!;
    expect(first.body).toEqual({ ok: true });
    expect(done()).not.toContain(id);
    // Meanwhile the environment is still in the Invoke phase: another event gets a new one (an Init).
    const second = await invoke("post-response");
    expect(second.body).toEqual({ ok: true });
    expect(second.log).toMatch(/EXTENSION\tName: slow\tState: Ready/);
    await until(() => done().includes(id));
    const report = await reportOf(id);
    expect(durationIn(report)).toBeGreaterThanOrEqual(1000);
    expect(Number(/Billed Duration: (\d+) ms/.exec(report)![1])).toBeGreaterThanOrEqual(1000);
    // Once complete, the first environment takes the next event warm: no extension init in its log.
    await reportOf(second.out.$metadata.requestId!);
    expect((await invoke("post-response")).log).not.toMatch(/EXTENSION/);
  });

  it("counts the post-response work against the function's concurrency: a second event meanwhile is throttled", async () => {
    await fn("post-response-reserved", { slow: SLOW_EXTENSION });
    await bed.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "post-response-reserved", ReservedConcurrentExecutions: 1 }));
    const first = await invoke("post-response-reserved");
    const id = first.out.$metadata.requestId!;
    expect(first.body).toEqual({ ok: true });
    const throttled = await invoke("post-response-reserved").catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect(done()).not.toContain(id);
    await reportOf(id);
    expect((await invoke("post-response-reserved")).body).toEqual({ ok: true });
  });

  it("sends SHUTDOWN with reason timeout to the extensions of an environment reset by a timeout", async () => {
    await fn("times-out", { "bash-ext": BASH_EXTENSION }, { handler: "exports.handler = () => new Promise((r) => setTimeout(r, 60_000));", timeout: 1 });
    const { out, body } = await invoke("times-out");
    expect(body.errorType).toBe("Sandbox.Timedout");
    await until(() => got("bash-shutdown").some((e) => e.shutdownReason === "timeout"));
    expect(got("bash-shutdown").find((e) => e.shutdownReason === "timeout")).toMatchObject({ eventType: "SHUTDOWN", deadlineMs: expect.any(Number) });
    expect(out.FunctionError).toBe("Unhandled");
  });
  it("an injected error on a cold start waits for the extensions' Init, is answered once, and the extensions get its INVOKE (newuser14 F19)", async () => {
    await fn("faulted", { slow: SLOW_EXTENSION });
    const added = await fetch(`${bed.t.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "error", function: "faulted", times: 1, errorType: "PaymentDeclined" }) });
    expect(added.status).toBe(200);
    const first = await invoke("faulted");
    expect(first.out.FunctionError).toBe("Unhandled");
    expect(first.body).toEqual({ errorType: "PaymentDeclined", errorMessage: "injected fault", trace: [] });
    const id = first.out.$metadata.requestId!;
    // The handler did not run; the extension's Init came first, and the cold start is in the REPORT.
    expect(first.log).not.toContain("handler ran");
    expect(first.log).toMatch(new RegExp(`EXTENSION\tName: slow\tState: Ready[^]*START RequestId: ${id}[^]*\tERROR\tInvoke Error \t`));
    expect(await reportOf(id)).toMatch(/\tInit Duration: /);
    await until(() => done().includes(id));
    // The next one runs the handler in the same environment.
    const second = await invoke("faulted");
    expect(second.body).toEqual({ ok: true });
  });
});
