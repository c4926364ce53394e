import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { VirtualClock, type FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";

// A function's service time (sim.serviceTimeMs, a scenario's `serviceTime:`) on the VirtualClock:
// it lasts as long as the invocation does, and no longer. An invocation that ends by timeout or
// crash leaves no service time pending (run-until-idle would advance to it), and one whose
// extensions work after the response ends when both are done.

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const SERVICE_TIME = "invoke.service-time:";

/** An extension that works 0.3 s after each INVOKE and then says so on its output. */
const POST_RESPONSE_EXTENSION = `#!/bin/bash
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $(basename "$0")" -d '{"events":["INVOKE"]}' | grep -i '^Lambda-Extension-Identifier' | tr -d '\\r' | awk '{print $2}')
while true; do
  curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID" > /dev/null
  sleep 0.3
  echo "post-response work done"
done
`;

let t: TestSimulator | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(fn: FunctionDefinition, layerDir?: string) {
  const clock = new VirtualClock();
  t = await startTestSimulator({ clock, functions: [fn], layers: layerDir === undefined ? [] : [{ layerName: "post-response", dir: layerDir }] });
  const recorder = new TelemetryRecorder(t.sim.telemetry);
  const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  const invoke = async (payload: unknown) => lambda.send(new InvokeCommand({ FunctionName: fn.functionName, Payload: Buffer.from(JSON.stringify(payload)) }));
  /** No service time is left pending, so run-until-idle has nothing to advance to. */
  const expectNoServiceTimePending = async () => {
    expect(clock.pendingTimers().filter((p) => p.label.startsWith(SERVICE_TIME))).toEqual([]);
    const before = clock.now();
    await clock.runUntilIdle();
    expect(clock.now()).toBe(before);
  };
  return { clock, recorder, lambda, invoke, expectNoServiceTimePending };
}

describe("a function's service time lasts as long as its invocation", () => {
  it("an invocation that times out or crashes leaves no service time pending: run-until-idle does not move the clock", async () => {
    const { lambda, invoke, expectNoServiceTimePending } = await start({ functionName: "worker", runtime: "nodejs24.x", handler: "index.sleep", codeDir, timeout: 1, sim: { serviceTimeMs: 600_000 } });
    const timedOut = await invoke({ ms: 5_000 });
    expect(timedOut.FunctionError).toBe("Unhandled");
    expect(JSON.parse(Buffer.from(timedOut.Payload!).toString()).errorType).toBe("Sandbox.Timedout");
    await expectNoServiceTimePending();
    lambda.destroy();
  }, 30_000);

  it("a crash (the runtime exits) ends its service time too", async () => {
    const { lambda, invoke, expectNoServiceTimePending } = await start({ functionName: "crasher", runtime: "nodejs24.x", handler: "index.exit", codeDir, sim: { serviceTimeMs: 600_000 } });
    const crashed = await invoke({ code: 3 });
    expect(JSON.parse(Buffer.from(crashed.Payload!).toString()).errorType).toBe("Runtime.ExitError");
    await expectNoServiceTimePending();
    lambda.destroy();
  }, 30_000);

  it("with an extension at work after the response, the invocation ends when the extension is done and the service time has passed", async () => {
    const layer = mkdtempSync(join(tmpdir(), "lambda-sim-service-time-layer-"));
    dirs.push(layer);
    mkdirSync(join(layer, "extensions"));
    writeFileSync(join(layer, "extensions", "post-response"), POST_RESPONSE_EXTENSION, { mode: 0o755 });
    const { clock, recorder, lambda, invoke } = await start({ functionName: "echoer", runtime: "nodejs24.x", handler: "index.echo", codeDir, layers: ["post-response"], timeout: 120, sim: { serviceTimeMs: 60_000 } }, layer);
    const started = clock.now();
    // The caller has its answer at once (the runtime responded); the invocation is not over.
    expect((await invoke({ hello: 1 })).StatusCode).toBe(200);
    await until(() => recorder.of("function.log").some((e) => e.text.includes("post-response work done")));
    // The extension is done, but 60 s of service time have not passed: still running.
    await until(() => clock.pendingTimers().some((p) => p.label.startsWith(SERVICE_TIME)) && clock.activeHolds().length === 0);
    expect(recorder.of("invocation.finished")).toEqual([]);
    await clock.advanceBy(59_999);
    expect(recorder.of("invocation.finished")).toEqual([]);
    await clock.advanceBy(1);
    await until(() => recorder.of("invocation.finished").length === 1);
    expect(clock.now() - started).toBe(60_000);
    lambda.destroy();
  }, 30_000);
});
