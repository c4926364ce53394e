import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvokeCommand, PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { extensionTestbed } from "./support/extension-function.ts";
import { until } from "./support/until.ts";

/*
 * Issue 20: an OpenTelemetry layer written for AWS runs unchanged. The layer below has the layout of
 * the OpenTelemetry Node layer (open-telemetry/opentelemetry-lambda, and AWS's ADOT build of it in
 * aws-observability/aws-otel-lambda), its files written as small stand-ins that speak the real
 * files' protocol:
 *
 *   /opt/otel-handler       the AWS_LAMBDA_EXEC_WRAPPER script (nodejs/packages/layer/scripts/otel-handler)
 *   /opt/wrapper.js         the SDK preload it names in NODE_OPTIONS (--require), which wraps the handler
 *   /opt/extensions/collector  the collector extension (collector/internal/lifecycle/manager.go)
 */

/** The wrapper script: as the layer's, it adds its preload to NODE_OPTIONS, names the service, and execs the runtime. */
const OTEL_HANDLER = `#!/bin/bash
set -ef -o pipefail

export NODE_OPTIONS="\${NODE_OPTIONS} --require /opt/wrapper.js"

if [[ $OTEL_RESOURCE_ATTRIBUTES != *"service.name="* ]]; then
  if [[ -n "$OTEL_RESOURCE_ATTRIBUTES" ]]; then
    export OTEL_RESOURCE_ATTRIBUTES="service.name=\${AWS_LAMBDA_FUNCTION_NAME},\${OTEL_RESOURCE_ATTRIBUTES}"
  else
    export OTEL_RESOURCE_ATTRIBUTES="service.name=\${AWS_LAMBDA_FUNCTION_NAME}"
  fi
fi

if [[ -z "$OTEL_PROPAGATORS" ]]; then
  export OTEL_PROPAGATORS="tracecontext,baggage,xray"
fi

exec "$@"
`;

/**
 * The preload, as @opentelemetry/instrumentation-aws-lambda behaves: it hooks require (as
 * require-in-the-middle does) to wrap the function named by _HANDLER when the runtime loads it; the
 * wrapped handler ends its span and exports it over OTLP/HTTP to the collector on localhost:4318
 * (the SDK's default endpoint) before the response goes back, as the instrumentation's forceFlush does.
 */
const WRAPPER_JS = `const Module = require("node:module");
const path = require("node:path");
const { randomBytes } = require("node:crypto");
const [moduleName, fnName] = process.env._HANDLER.split(".");
const file = path.resolve(process.env.LAMBDA_TASK_ROOT, moduleName) + ".js";
const attributes = (o) => Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));
const resource = Object.fromEntries(process.env.OTEL_RESOURCE_ATTRIBUTES.split(",").map((kv) => kv.split("=")));
globalThis.__otelPreloaded = "otel-wrapper";

async function exportSpan(start, context) {
  const span = { traceId: randomBytes(16).toString("hex"), spanId: randomBytes(8).toString("hex"), name: process.env.AWS_LAMBDA_FUNCTION_NAME, kind: 2, startTimeUnixNano: String(start), endTimeUnixNano: String(BigInt(Date.now()) * 1000000n), attributes: attributes({ "faas.execution": context.awsRequestId, "faas.id": context.invokedFunctionArn }) };
  const body = { resourceSpans: [{ resource: { attributes: attributes(resource) }, scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-aws-lambda" }, spans: [span] }] }] };
  await fetch("http://localhost:4318/v1/traces", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

const original = Module.prototype.require;
Module.prototype.require = function (...args) {
  const exports = original.apply(this, args);
  const handler = exports?.[fnName];
  if (require.cache[file]?.exports === exports && typeof handler === "function" && !handler.__wrapped) {
    exports[fnName] = Object.assign(async (event, context) => {
      const start = BigInt(Date.now()) * 1000000n;
      try {
        return await handler(event, context);
      } finally {
        await exportSpan(start, context);
      }
    }, { __wrapped: true });
  }
  return exports;
};
`;

/**
 * The collector extension, following manager.go and its clients: registers for INVOKE and SHUTDOWN
 * with `Lambda-Extension-Accept-Feature: accountId` (extensionapi/client.go); starts its Telemetry
 * API listener on a random ephemeral port of sandbox.localdomain and subscribes it to `platform` with
 * schemaVersion 2022-07-01 and its buffering (telemetryapi/listener.go, client.go); receives OTLP/HTTP
 * on localhost:4318 (the layer's config.yaml); after each INVOKE waits for that request's
 * platform.runtimeDone before asking for the next event (listener.Wait); on SHUTDOWN closes its
 * listener, flushes what it holds, and exits. Its flush goes to a file in OTEL_EVIDENCE_DIR; each
 * OTLP POST is also reported to REPORT_URL before it is answered, so the test sees what arrived
 * while the function was still running.
 */
const COLLECTOR = `#!${process.execPath}
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API;
const spans = [];
const telemetry = [];
let waiting;

function listen(server, host, port) {
  return new Promise((resolve, reject) => { server.once("error", reject); server.listen(port, host, () => resolve(server)); });
}
function body(req) {
  return new Promise((resolve) => { let b = ""; req.on("data", (c) => (b += c)); req.on("end", () => resolve(b)); });
}
function runtimeDone(requestId) {
  const seen = () => telemetry.some((e) => e.type === "platform.runtimeDone" && e.record.requestId === requestId);
  return seen() ? Promise.resolve() : new Promise((resolve) => (waiting = () => seen() && (resolve(), true)));
}

(async () => {
  const reg = await fetch(api + "/2020-01-01/extension/register", { method: "POST", headers: { "Lambda-Extension-Name": path.basename(__filename), "Lambda-Extension-Accept-Feature": "accountId" }, body: JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }) });
  if (reg.status !== 200) throw new Error("register: " + reg.status);
  const id = reg.headers.get("lambda-extension-identifier");
  const registered = await reg.json();

  const listener = http.createServer(async (req, res) => {
    for (const event of JSON.parse(await body(req))) telemetry.push(event);
    if (waiting?.()) waiting = undefined;
    res.end();
  });
  let uri;
  for (let i = 0; uri === undefined; i++) {
    const port = 49152 + Math.floor(Math.random() * (65535 - 49152));
    try {
      await listen(listener, "sandbox.localdomain", port);
      uri = "http://sandbox.localdomain:" + port + "/";
    } catch (e) {
      if (e.code !== "EADDRINUSE" || i === 4) throw e;
    }
  }
  const subscription = { schemaVersion: "2022-07-01", types: ["platform"], buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 }, destination: { protocol: "HTTP", URI: uri, method: "POST", encoding: "JSON" } };
  const sub = await fetch(api + "/2022-07-01/telemetry", { method: "PUT", headers: { "Content-Type": "application/json", "Lambda-Extension-Identifier": id }, body: JSON.stringify(subscription) });
  const subscribed = { status: sub.status, body: await sub.text() };
  if (sub.status !== 200) throw new Error("subscribe: " + JSON.stringify(subscribed));

  const otlp = http.createServer(async (req, res) => {
    const received = { path: req.url, contentType: req.headers["content-type"], body: JSON.parse(await body(req)) };
    spans.push(received);
    await fetch(process.env.REPORT_URL + "/otlp", { method: "POST", body: JSON.stringify(received) });
    res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
  });
  await listen(otlp, "localhost", 4318);

  for (;;) {
    const event = await (await fetch(api + "/2020-01-01/extension/event/next", { headers: { "Lambda-Extension-Identifier": id } })).json();
    if (event.eventType === "SHUTDOWN") {
      listener.close();
      otlp.close();
      fs.writeFileSync(path.join(process.env.OTEL_EVIDENCE_DIR, "flushed.json"), JSON.stringify({ registered, subscribed, spans, telemetry, shutdown: event }));
      process.exit(0);
    }
    await runtimeDone(event.requestId);
  }
})();
`;

/** The user's function, unaware of the layer: it says what its process was started with. */
const HANDLER = `exports.handler = async (event, context) => ({
  requestId: context.awsRequestId,
  preloaded: globalThis.__otelPreloaded ?? null,
  nodeOptions: process.env.NODE_OPTIONS,
  resource: process.env.OTEL_RESOURCE_ATTRIBUTES,
  propagators: process.env.OTEL_PROPAGATORS,
});`;

const bed = extensionTestbed();
// Outside /tmp: each environment has a private /tmp, and the collector's flush must reach the test.
mkdirSync("/var/tmp", { recursive: true });
const evidence = mkdtempSync("/var/tmp/lambda-sim-otel-");
afterAll(() => rmSync(evidence, { recursive: true, force: true }));

async function invoke(name: string) {
  const out = await bed.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}"), LogType: "Tail" }));
  return { out, body: JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8")), log: Buffer.from(out.LogResult ?? "", "base64").toString("utf8") };
}

/** The invocation's REPORT line in the simulator's log (GET /_sim/invocations/{id}), once it has completed. */
async function reportOf(requestId: string): Promise<string> {
  let report: string | undefined;
  await until(async () => {
    const res = await fetch(`${bed.t.endpoint}/_sim/invocations/${requestId}`);
    if (res.status !== 200) return false;
    report = ((await res.json()) as { logs: string[] }).logs.find((l) => l.startsWith("REPORT"));
    return report !== undefined;
  });
  return report!;
}

/** The OTLP spans the collector reported receiving, with the request each belongs to. */
const spansFor = (posts: any[], requestId: string) =>
  posts.flatMap((p) => p.body.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans))).filter((s: any) => s.attributes.some((a: any) => a.key === "faas.execution" && a.value.stringValue === requestId));

describe("the OpenTelemetry Lambda layer's layout", () => {
  it("runs the otel-handler wrapper, the collector extension, its OTLP receiver and its Telemetry API listener as on AWS", async () => {
    const layer = await bed.lambda.send(
      new PublishLayerVersionCommand({
        LayerName: "opentelemetry-nodejs",
        CompatibleRuntimes: ["nodejs24.x"],
        Content: {
          ZipFile: await zipFiles([
            { name: "otel-handler", data: OTEL_HANDLER, mode: 0o755 },
            { name: "wrapper.js", data: WRAPPER_JS },
            { name: "extensions/collector", data: COLLECTOR, mode: 0o755 },
          ]),
        },
      }),
    );
    await bed.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "otel-traced",
        Runtime: "nodejs24.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/x",
        Code: { ZipFile: await zipFiles([{ name: "index.js", data: HANDLER }]) },
        Layers: [layer.LayerVersionArn!],
        Timeout: 5,
        Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: "/opt/otel-handler", REPORT_URL: bed.reports.url, OTEL_EVIDENCE_DIR: evidence } },
      }),
    );

    const first = await invoke("otel-traced");
    const id = first.out.$metadata.requestId!;
    expect(first.out.FunctionError).toBeUndefined();
    // The handler ran in a runtime started through /opt/otel-handler, with its preload loaded.
    expect(first.body).toEqual({ requestId: id, preloaded: "otel-wrapper", nodeOptions: expect.stringMatching(/--require \/opt\/wrapper\.js$/), resource: "service.name=otel-traced", propagators: "tracecontext,baggage,xray" });
    expect(first.log).toMatch(/EXTENSION\tName: collector\tState: Ready\tEvents: \[INVOKE,SHUTDOWN\]/);
    // The collector had the function's span before the caller had its response.
    const [span] = spansFor(bed.reports.got("otlp"), id);
    expect(span).toMatchObject({ name: "otel-traced", kind: 2, attributes: expect.arrayContaining([{ key: "faas.id", value: { stringValue: expect.stringMatching(/^arn:aws:lambda:[^:]+:\d{12}:function:otel-traced$/) } }]) });
    expect(bed.reports.got("otlp")[0]).toMatchObject({ path: "/v1/traces", contentType: "application/json" });

    // The collector lets the invocation complete once it has seen its platform.runtimeDone (the
    // REPORT line is written then); the environment then takes the next event warm, no new Init.
    // Sent before that, the event would get a second environment, as on AWS, whose collector could
    // not bind localhost:4318 here: environments share this machine's network (README).
    expect(await reportOf(id)).toMatch(/\tInit Duration: /);
    const second = await invoke("otel-traced");
    expect(second.body.preloaded).toBe("otel-wrapper");
    expect(second.log).not.toMatch(/EXTENSION|Init Duration/);
    expect(spansFor(bed.reports.got("otlp"), second.out.$metadata.requestId!)).toHaveLength(1);

    // A configuration change retires the environment: SHUTDOWN, after the telemetry still buffered.
    const flushed = join(evidence, "flushed.json");
    await bed.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "otel-traced", Description: "changed" }));
    await until(() => existsSync(flushed));
    const got = JSON.parse(readFileSync(flushed, "utf8"));
    expect(got.shutdown).toMatchObject({ eventType: "SHUTDOWN", shutdownReason: "spindown", deadlineMs: expect.any(Number) });
    expect(got.registered).toEqual({ functionName: "otel-traced", functionVersion: "$LATEST", handler: "index.handler", accountId: span.attributes.find((a: any) => a.key === "faas.id").value.stringValue.split(":")[4] });
    expect(got.subscribed).toEqual({ status: 200, body: "OK" });
    expect(spansFor(got.spans, id)).toHaveLength(1);
    for (const requestId of [id, second.out.$metadata.requestId]) {
      const types = got.telemetry.filter((e: any) => e.record?.requestId === requestId).map((e: any) => e.type);
      expect(types).toEqual(expect.arrayContaining(["platform.start", "platform.runtimeDone", "platform.report"]));
    }
    const report = got.telemetry.find((e: any) => e.type === "platform.report" && e.record.requestId === id);
    expect(report.record).toMatchObject({ status: "success", metrics: { initDurationMs: expect.any(Number) } });
  });
});
