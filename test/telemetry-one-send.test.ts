import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { createExtensionFunction, FLOOD_HANDLER } from "./support/extension-function.ts";
import { until } from "./support/until.ts";

/**
 * One batch on its way per subscriber, and none once its environment is gone: while a listener
 * holds a batch, a function flooding its output waits in the buffer (it is not one waiting send
 * per record, each posting once woken), and when the environment retires the batch still on its
 * way is abandoned, nothing more is posted. The listener here lives outside the environment (the
 * test's own server), so it outlives it and sees what would still come.
 */
const SUBSCRIBER = `#!${process.execPath}
const path = require("node:path");
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API;
(async () => {
  const reg = await fetch(api + "/2020-01-01/extension/register", { method: "POST", headers: { "Lambda-Extension-Name": path.basename(__filename) }, body: JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }) });
  const id = reg.headers.get("lambda-extension-identifier");
  await fetch(api + "/2022-07-01/telemetry", { method: "PUT", headers: { "Lambda-Extension-Identifier": id }, body: JSON.stringify({ schemaVersion: "2022-12-13", destination: { protocol: "HTTP", URI: process.env.LISTENER_URL }, types: ["platform", "function"], buffering: { timeoutMs: 25 } }) });
  for (;;) {
    const event = await (await fetch(api + "/2020-01-01/extension/event/next", { headers: { "Lambda-Extension-Identifier": id } })).json();
    if (event.eventType === "SHUTDOWN") process.exit(0);
  }
})();
`;


/** Longer than the whole Shutdown phase (2,000 ms): the listener holds its first batch past the retirement. */
const ANSWER_MS = 5_000;

let t: TestSimulator;
let lambda: LambdaClient;
let listener: Server;
const posts: { at: number; aborted: boolean; answered: boolean }[] = [];

beforeAll(async () => {
  listener = createServer((req, res) => {
    const post = { at: Date.now(), aborted: false, answered: false };
    posts.push(post);
    req.resume();
    const timer = setTimeout(() => {
      post.answered = true;
      res.end();
    }, ANSWER_MS);
    res.on("close", () => {
      if (!post.answered) post.aborted = true;
      clearTimeout(timer);
    });
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", () => r()));
  t = await startTestSimulator();
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
  listener?.closeAllConnections();
  listener?.close();
});

describe("Telemetry API sends", () => {
  it("keeps one batch on its way while the listener holds it, and posts nothing once the environment has retired", async () => {
    const events = new TelemetryRecorder(t.sim.telemetry);
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/`;
    await createExtensionFunction(lambda, "held", { extensions: { subscriber: SUBSCRIBER }, handler: FLOOD_HANDLER, timeout: 20, variables: { LISTENER_URL: url } });
    const out = await lambda.send(new InvokeCommand({ FunctionName: "held", Payload: Buffer.from("{}") }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"done"');
    expect(posts).toHaveLength(1);

    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "held", Description: "retire" }));
    await until(() => events.of("environment.state-changed").some((e) => e.functionName === "held" && e.to === "retired"));
    // The held batch is answered (or abandoned) after the retirement: whatever followed it would be posted to a gone environment's listener.
    await until(() => posts[0]!.aborted || posts.length > 1, ANSWER_MS + 10_000);
    events.dispose();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.aborted).toBe(true);
  }, 60_000);
});
