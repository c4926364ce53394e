import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { createExtensionFunction } from "./support/extension-function.ts";
import { until } from "./support/until.ts";
import { startReportCollector, type ReportCollector } from "./support/report-collector.ts";

/**
 * AWS bounds the Shutdown phase: 2,000 ms with external extensions, then they are killed
 * (aws-facts §2.2), and every extension registered for it gets SHUTDOWN. The telemetry still
 * buffered is delivered in it first, for at most half the budget (our choice): a subscriber that
 * never answers its last batch delays SHUTDOWN by that much and no more, and the environment
 * retires all the same.
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
    if (event.eventType === "SHUTDOWN") { await report("shutdown"); process.exit(0); }
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
  it("sends SHUTDOWN to an extension whose telemetry listener never accepts the last batch, half the budget in, and retires it", async () => {
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
    // Not waited for here: the environment freezes once the invocation is over, and a batch not yet
    // taken in by then reaches the listener when the Shutdown phase thaws it (a CI run froze first).

    // A configuration change retires the environment: its Shutdown phase starts.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "stuck", Description: "changed" }));
    const moves = () => events!.of("environment.state-changed").filter((e) => e.functionName === "stuck" && (e.to === "retiring" || e.to === "retired"));
    await until(() => moves().some((e) => e.to === "retired"), 15_000);
    const [retiring, retired] = moves();
    expect(reports!.got("shutdown").length).toBe(1);
    expect(reports!.got("batch").length).toBeGreaterThan(0);
    // Half the budget went on the batch the subscriber never answered; then SHUTDOWN, and the extension exited.
    expect(retired!.time - retiring!.time).toBeGreaterThanOrEqual(900);
  }, 30_000);
});
