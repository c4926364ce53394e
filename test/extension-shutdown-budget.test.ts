import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { createExtensionFunction } from "./support/extension-function.ts";
import { until } from "./support/until.ts";
import { startReportCollector, type ReportCollector } from "./support/report-collector.ts";

/**
 * AWS bounds the Shutdown phase: 2,000 ms with external extensions, then they are killed
 * (aws-facts §2.2). The telemetry still buffered is delivered in it, so a subscriber that never
 * answers its last batch uses up that budget, and no more: the environment retires all the same.
 */
const STUCK_SUBSCRIBER = `#!${process.execPath}
const http = require("node:http");
const path = require("node:path");
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API;
const report = (what) => fetch(process.env.REPORT_URL + "/" + what, { method: "POST", body: "{}" });
(async () => {
  const reg = await fetch(api + "/2020-01-01/extension/register", { method: "POST", headers: { "Lambda-Extension-Name": path.basename(__filename) }, body: JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }) });
  const id = reg.headers.get("lambda-extension-identifier");
  // Takes every batch in, and never answers one.
  const server = http.createServer((req) => { req.resume(); req.on("end", () => void report("batch")); });
  await new Promise((r) => server.listen(0, "sandbox.localdomain", r));
  await fetch(api + "/2022-07-01/telemetry", { method: "PUT", headers: { "Lambda-Extension-Identifier": id }, body: JSON.stringify({ schemaVersion: "2022-12-13", destination: { protocol: "HTTP", URI: "http://sandbox.localdomain:" + server.address().port + "/" }, types: ["platform", "function"], buffering: { timeoutMs: 25 } }) });
  for (;;) {
    const event = await (await fetch(api + "/2020-01-01/extension/event/next", { headers: { "Lambda-Extension-Identifier": id } })).json();
    if (event.eventType === "SHUTDOWN") process.exit(0);
  }
})();
`;

let t: TestSimulator | undefined;
let lambda: LambdaClient;
let reports: ReportCollector | undefined;
let events: TelemetryRecorder | undefined;

afterEach(async () => {
  events?.dispose();
  lambda?.destroy();
  await t?.close();
  reports?.close();
  t = undefined;
});

describe("the Shutdown phase's budget", () => {
  it("retires an environment whose telemetry subscriber never accepts the last batch, once the 2,000 ms are up", async () => {
    reports = await startReportCollector();
    t = await startTestSimulator();
    events = new TelemetryRecorder(t.sim.telemetry);
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
    await createExtensionFunction(lambda, "stuck", {
      extensions: { "stuck-ext": STUCK_SUBSCRIBER },
      handler: "exports.handler = async () => { console.log('ran'); return 1; };",
      variables: { REPORT_URL: reports.url },
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "stuck", Payload: Buffer.from("{}") }));
    expect(out.FunctionError).toBeUndefined();
    await until(() => reports!.got("batch").length > 0);

    // A configuration change retires the environment: its Shutdown phase starts.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "stuck", Description: "changed" }));
    const moves = () => events!.of("environment.state-changed").filter((e) => e.functionName === "stuck" && (e.to === "retiring" || e.to === "retired"));
    await until(() => moves().some((e) => e.to === "retired"), 15_000);
    const [retiring, retired] = moves();
    // The whole budget went on the flush the subscriber never answered; then the extension was killed.
    expect(retired!.time - retiring!.time).toBeGreaterThanOrEqual(1_900);
  }, 30_000);
});
