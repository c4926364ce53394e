import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { createExtensionFunction } from "./support/extension-function.ts";
import { startReportCollector, type ReportCollector } from "./support/report-collector.ts";
import { until } from "./support/until.ts";

/**
 * A Telemetry API subscriber that does not keep up with a function flooding stdout: lambda-sim
 * holds a bounded buffer for it (16 times its maxBytes), drops the function records past that,
 * and tells it with a platform.logsDropped record ({ reason, droppedRecords, droppedBytes }, as
 * AWS's Telemetry and Logs APIs do), instead of buffering without end. Every line is either
 * delivered or counted as dropped.
 */
const SLOW_SHIPPER = `#!${process.execPath}
const http = require("node:http");
const path = require("node:path");
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API;
const report = (what, body) => fetch(process.env.REPORT_URL + "/" + what, { method: "POST", body: JSON.stringify(body) });
(async () => {
  const reg = await fetch(api + "/2020-01-01/extension/register", { method: "POST", headers: { "Lambda-Extension-Name": path.basename(__filename) }, body: JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }) });
  const id = reg.headers.get("lambda-extension-identifier");
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    // A listener slower than the function's output.
    req.on("end", async () => { await report("telemetry", JSON.parse(body)); setTimeout(() => res.end(), 40); });
  });
  await new Promise((r) => server.listen(0, "sandbox.localdomain", r));
  await fetch(api + "/2022-07-01/telemetry", { method: "PUT", headers: { "Lambda-Extension-Identifier": id }, body: JSON.stringify({ schemaVersion: "2022-12-13", destination: { protocol: "HTTP", URI: "http://sandbox.localdomain:" + server.address().port + "/" }, types: ["platform", "function"], buffering: { timeoutMs: 25, maxBytes: 262144 } }) });
  for (;;) {
    const event = await (await fetch(api + "/2020-01-01/extension/event/next", { headers: { "Lambda-Extension-Identifier": id } })).json();
    if (event.eventType === "SHUTDOWN") process.exit(0);
  }
})();
`;

/** 8,000 lines of 1 KB at once: 8 MB, twice what the subscriber's buffer holds (16 x 256 KB). */
const FLOOD = `exports.handler = async () => {
  const pad = "x".repeat(1000);
  for (let i = 0; i < 8000; i++) console.log("line-" + i + " " + pad);
  return "done";
};`;

let t: TestSimulator;
let lambda: LambdaClient;
let reports: ReportCollector;

beforeAll(async () => {
  reports = await startReportCollector();
  t = await startTestSimulator();
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
  reports?.close();
});

describe("a Telemetry API subscriber that falls behind", () => {
  it("gets platform.logsDropped with the count of the records it missed, and every other line", async () => {
    await createExtensionFunction(lambda, "flood", { extensions: { shipper: SLOW_SHIPPER }, handler: FLOOD, timeout: 20, variables: { REPORT_URL: reports.url } });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "flood", Payload: Buffer.from("{}") }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"done"');
    const requestId = out.$metadata.requestId;
    const records = () => reports.got("telemetry").flat() as { type: string; record: any }[];
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "flood", Description: "retire" }));
    await until(() => records().some((r) => r.type === "platform.report" && r.record.requestId === requestId), 20_000);

    const dropped = records().filter((r) => r.type === "platform.logsDropped");
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]!.record).toMatchObject({ reason: expect.any(String), droppedRecords: expect.any(Number), droppedBytes: expect.any(Number) });
    const missed = dropped.reduce((n, r) => n + r.record.droppedRecords, 0);
    const delivered = records().filter((r) => r.type === "function" && String(r.record).includes("line-")).length;
    expect(missed).toBeGreaterThan(0);
    expect(delivered + missed).toBe(8000);
    // No POST over the subscription's maxBytes.
    for (const batch of reports.got("telemetry") as unknown[][]) expect(batch.reduce((n: number, r) => n + Buffer.byteLength(JSON.stringify(r)), 0)).toBeLessThanOrEqual(262_144);
  }, 60_000);
});
