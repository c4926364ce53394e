import { afterAll, beforeAll } from "vitest";
import { CreateFunctionCommand, LambdaClient, PublishLayerVersionCommand, type LoggingConfig, type Runtime } from "@aws-sdk/client-lambda";
import { startTestSimulator, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";
import { startReportCollector, type ReportCollector } from "./report-collector.ts";

export interface ExtensionFunction {
  /** The executables of the layer's /opt/extensions, by file name. */
  extensions: Record<string, string>;
  /** The function's code: index.js (`index.handler`) for Node, app.py (`app.handler`) for a Python runtime. */
  handler: string;
  /** nodejs24.x if not given. */
  runtime?: Runtime;
  /** Its environment (the extensions get it too): REPORT_URL, and what else they read. */
  variables: Record<string, string>;
  /** Seconds; AWS's default (3) if not given. */
  timeout?: number;
  /** MB; AWS's default (128) if not given. It holds the runtime and its extensions together. */
  memorySize?: number;
  /** Its LoggingConfig (LogFormat JSON for the platform's JSON records); Text if not given. */
  loggingConfig?: LoggingConfig;
}

/**
 * Publishes `f.extensions` as a layer and creates the function `name` with it, as a user of
 * an extension (an observability vendor's layer) does: PublishLayerVersion, then CreateFunction
 * with `Layers`.
 */
export async function createExtensionFunction(lambda: LambdaClient, name: string, f: ExtensionFunction): Promise<void> {
  const extensions = Object.entries(f.extensions).map(([file, data]) => ({ name: `extensions/${file}`, data, mode: 0o755 }));
  const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: `${name}-ext`, Content: { ZipFile: await zipFiles(extensions) } }));
  const runtime: Runtime = f.runtime ?? "nodejs24.x";
  const python = runtime.startsWith("python");
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime,
      Handler: python ? "app.handler" : "index.handler",
      Role: "arn:aws:iam::000000000000:role/x",
      Code: { ZipFile: await zipFiles([{ name: python ? "app.py" : "index.js", data: f.handler }]) },
      Layers: [layer.LayerVersionArn!],
      Timeout: f.timeout,
      MemorySize: f.memorySize,
      Environment: { Variables: f.variables },
      LoggingConfig: f.loggingConfig,
    }),
  );
}

/**
 * A log shipper's extension (the usual observability layer): registers for INVOKE and SHUTDOWN,
 * subscribes its listener to the Telemetry API's `types` (platform and function) with `buffering`,
 * reports every batch it receives to REPORT_URL's `/telemetry`, and answers each POST
 * `answerDelayMs` later (a listener slower than the function's output). At SHUTDOWN it finishes
 * reporting what it received (a shipper's final flush), reports the event to `/shutdown`, and exits.
 * `firstStartDelayMs`: on its first start in an environment only (its /tmp outlives a reset), it
 * takes that long before registering, as a shipper fetching its configuration might.
 */
export function telemetryShipper(buffering: { timeoutMs?: number; maxBytes?: number; maxItems?: number }, answerDelayMs = 0, types = ["platform", "function"], firstStartDelayMs = 0): string {
  return `#!${process.execPath}
const http = require("node:http");
const path = require("node:path");
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API;
const report = (what, body) => fetch(process.env.REPORT_URL + "/" + what, { method: "POST", body: JSON.stringify(body) });
const reporting = new Set();
(async () => {
  if (${firstStartDelayMs} > 0 && !require("node:fs").existsSync("/tmp/shipper-started")) {
    require("node:fs").writeFileSync("/tmp/shipper-started", "");
    await new Promise((r) => setTimeout(r, ${firstStartDelayMs}));
  }
  const reg = await fetch(api + "/2020-01-01/extension/register", { method: "POST", headers: { "Lambda-Extension-Name": path.basename(__filename) }, body: JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }) });
  const id = reg.headers.get("lambda-extension-identifier");
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const sent = report("telemetry", JSON.parse(body));
      reporting.add(sent);
      await sent;
      reporting.delete(sent);
      setTimeout(() => res.end(), ${answerDelayMs});
    });
  });
  await new Promise((r) => server.listen(0, "sandbox.localdomain", r));
  await fetch(api + "/2022-07-01/telemetry", { method: "PUT", headers: { "Lambda-Extension-Identifier": id }, body: JSON.stringify({ schemaVersion: "2022-12-13", destination: { protocol: "HTTP", URI: "http://sandbox.localdomain:" + server.address().port + "/" }, types: ${JSON.stringify(types)}, buffering: ${JSON.stringify(buffering)} }) });
  for (;;) {
    const event = await (await fetch(api + "/2020-01-01/extension/event/next", { headers: { "Lambda-Extension-Identifier": id } })).json();
    if (event.eventType === "SHUTDOWN") {
      await Promise.all(reporting);
      await report("shutdown", event);
      process.exit(0);
    }
  }
})();
`;
}

/**
 * A handler that writes 8,000 lines of 1 KB at once (8 MB, twice the 16 x 256 KB a subscriber's
 * Telemetry API buffer holds) and answers "done": the flood the backlog tests send.
 */
export const FLOOD_HANDLER = `exports.handler = async () => {
  const pad = "x".repeat(1000);
  for (let i = 0; i < 8000; i++) console.log("line-" + i + " " + pad);
  return "done";
};`;

/**
 * What a test file of extension functions starts before its tests and closes after them: a
 * simulator, a Lambda client on it, and the collector the extensions report to (`REPORT_URL`).
 */
export function extensionTestbed(): { readonly t: TestSimulator; readonly lambda: LambdaClient; readonly reports: ReportCollector } {
  let t: TestSimulator | undefined;
  let lambda: LambdaClient | undefined;
  let reports: ReportCollector | undefined;
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
  return {
    get t() {
      return t!;
    },
    get lambda() {
      return lambda!;
    },
    get reports() {
      return reports!;
    },
  };
}
