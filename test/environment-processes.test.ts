import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { GetFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { startTestSimulator } from "@lambda-sim/core/testing";
import { createExtensionFunction } from "./support/extension-function.ts";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { pidNamespacesPermitted, processWith } from "./support/namespaces.ts";
import { until } from "./support/until.ts";

// fuzz19 F1, F2: a handler reaches nothing past its own environment, and nothing it starts outlives it.
const HANDLER = `
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
export const handler = async (event) => {
  if (event.signal) {
    let error = null;
    try { process.kill(event.pid ?? process.ppid, event.signal); } catch (e) { error = e.code; }
    return { ppid: process.ppid, error, pids: readdirSync("/proc").filter((n) => /^\\d+$/.test(n)).map(Number) };
  }
  if (event.counter) {
    // A daemon of its own session: the handler's detached child counts in a file outside /tmp.
    const script = "let n = 0; setInterval(() => require('fs').writeFileSync(process.argv[1], String(++n)), 10);";
    spawn(process.execPath, ["-e", script, event.counter, event.marker], { detached: true, stdio: "ignore" }).unref();
    return "spawned";
  }
  if (event.die === "self-kill") process.kill(process.pid, "SIGKILL");
  if (event.die === "exit") process.exit(137);
  return "ok";
};
`;

const permitted = pidNamespacesPermitted();
let dir: string | undefined;
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  sim = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** A project outside /tmp (an environment's /tmp is its own): the function, its config, the state and the counter files. */
async function start(): Promise<{ lambda: LambdaClient; dir: string }> {
  mkdirSync("/var/tmp", { recursive: true });
  dir = mkdtempSync("/var/tmp/lambda-sim-processes-");
  mkdirSync(join(dir, "fn"));
  writeFileSync(join(dir, "fn/index.mjs"), HANDLER);
  writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  hostile:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\n    timeout: 10\n");
  sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, "state")]);
  const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  return { lambda, dir };
}

async function invoke(lambda: LambdaClient, payload: unknown) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "hostile", Payload: Buffer.from(JSON.stringify(payload)) }));
  return { error: out.FunctionError, payload: JSON.parse(Buffer.from(out.Payload!).toString()) };
}

function counterOf(file: string): number {
  return existsSync(file) ? Number(readFileSync(file, "utf8") || 0) : 0;
}

describe.skipIf(!permitted)("an environment's processes, in a PID namespace of its own (skipped: this machine permits no private namespaces)", () => {
  it("a handler cannot signal the simulator: SIGSTOP or SIGKILL to its parent or to the simulator's pid leaves the next invoke answering", async () => {
    const { lambda } = await start();
    const simPid = sim!.child.pid!;
    const probe = await invoke(lambda, { signal: "SIGSTOP" });
    // Its parent is the environment's own PID 1, and it sees only its environment's processes.
    expect(probe.payload.ppid).toBe(1);
    expect(probe.payload.pids.length).toBeLessThan(5);
    for (const signal of ["SIGSTOP", "SIGKILL"]) {
      const r = await invoke(lambda, { signal, pid: simPid });
      expect(r.payload.error).toBe("ESRCH");
      await invoke(lambda, { signal });
    }
    expect((await invoke(lambda, {})).payload).toBe("ok");
    lambda.destroy();
  });

  it("a runtime that kills itself or exits 137 is reported as RAPID reports it (signal: killed, exit status 137)", async () => {
    const { lambda } = await start();
    const killed = await invoke(lambda, { die: "self-kill" });
    expect(killed.error).toBe("Unhandled");
    expect(killed.payload).toMatchObject({ errorType: "Runtime.ExitError", errorMessage: expect.stringMatching(/Runtime exited with error: signal: killed$/) });
    const exited = await invoke(lambda, { die: "exit" });
    expect(exited.payload).toMatchObject({ errorType: "Runtime.ExitError", errorMessage: expect.stringMatching(/Runtime exited with error: exit status 137$/) });
    lambda.destroy();
  });

  it("a detached child is frozen with its environment, dies when UpdateFunctionConfiguration retires it, and when the simulator stops", async () => {
    const { lambda, dir } = await start();
    const marker = `child-${randomBytes(6).toString("hex")}`;
    const counter = join(dir, "state", `${marker}.count`);
    expect((await invoke(lambda, { counter, marker })).payload).toBe("spawned");
    // Frozen between invocations: the child is stopped (T) as the runtime is, and counts no more.
    await until(() => processWith(marker)?.state === "T");
    const frozenAt = counterOf(counter);
    await lambda.send(new GetFunctionCommand({ FunctionName: "hostile" }));
    expect(processWith(marker)?.state).toBe("T");
    expect(counterOf(counter)).toBe(frozenAt);
    // Thawed for an invocation, it counts again; frozen again after it.
    expect((await invoke(lambda, {})).payload).toBe("ok");
    await until(() => processWith(marker)?.state === "T");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "hostile", Environment: { Variables: { AB: "1" } } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: "hostile" });
    await until(() => processWith(marker) === undefined);

    // A new environment's child, then a clean stop of the simulator (SIGTERM).
    const second = `child-${randomBytes(6).toString("hex")}`;
    expect((await invoke(lambda, { counter: join(dir, "state", `${second}.count`), marker: second })).payload).toBe("spawned");
    await until(() => processWith(second) !== undefined);
    lambda.destroy();
    const stopped = new Promise((r) => sim!.child.once("exit", r));
    sim!.child.kill("SIGTERM");
    await stopped;
    await until(() => processWith(second) === undefined);
  });

  it("a detached child dies when the simulator is SIGKILLed", async () => {
    const { lambda, dir } = await start();
    const marker = `child-${randomBytes(6).toString("hex")}`;
    expect((await invoke(lambda, { counter: join(dir, "state", `${marker}.count`), marker })).payload).toBe("spawned");
    await until(() => processWith(marker) !== undefined);
    lambda.destroy();
    await sim!.kill();
    await until(() => processWith(marker) === undefined);
  });
});

// On AWS the extensions and the runtime share one microVM: here one PID namespace.
const WATCHER = `#!${process.execPath}
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API + "/2020-01-01/extension";
(async () => {
  const reg = await fetch(api + "/register", { method: "POST", headers: { "Lambda-Extension-Name": "watcher" }, body: JSON.stringify({ events: ["INVOKE"] }) });
  const id = reg.headers.get("lambda-extension-identifier");
  for (;;) await (await fetch(api + "/event/next", { headers: { "Lambda-Extension-Identifier": id } })).text();
})();
`;
const LOOKER = `const { readdirSync, readFileSync, readlinkSync } = require("node:fs");
exports.handler = async (event) => event.die ? process.kill(process.pid, "SIGKILL") : ({
  pids: readdirSync("/proc").filter((n) => /^\\d+$/.test(n)).map((p) => { try { return readFileSync("/proc/" + p + "/cmdline", "latin1").split("\\0").join(" "); } catch { return ""; } }),
});
`;

describe.skipIf(!permitted)("an environment with an external extension (skipped: this machine permits no private namespaces)", () => {
  it("runs the extension and the runtime in one PID namespace: each sees the other, nothing of the machine; the runtime's end is told as before", async () => {
    const state = mkdtempSync("/var/tmp/lambda-sim-ext-ns-");
    const t = await startTestSimulator({ stateDir: state });
    const lambda = new LambdaClient(t.clientConfig);
    try {
      await createExtensionFunction(lambda, "looker", { extensions: { watcher: WATCHER }, handler: LOOKER, variables: {} });
      const out = await lambda.send(new InvokeCommand({ FunctionName: "looker", Payload: Buffer.from("{}") }));
      const seen: string[] = JSON.parse(Buffer.from(out.Payload!).toString()).pids;
      expect(seen.some((c) => c.includes("/opt/extensions/watcher"))).toBe(true);
      expect(seen.some((c) => c.includes("bootstrap/node/index.mjs"))).toBe(true);
      // PID 1, the anchor, the extension and the runtime: no process of the machine.
      expect(seen.length).toBeLessThanOrEqual(5);
      // The runtime's end still reaches the log as RAPID words it.
      const died = await lambda.send(new InvokeCommand({ FunctionName: "looker", Payload: Buffer.from('{"die":true}') }));
      expect(JSON.parse(Buffer.from(died.Payload!).toString())).toMatchObject({ errorType: "Runtime.ExitError", errorMessage: expect.stringMatching(/signal: killed$/) });
    } finally {
      lambda.destroy();
      await t.close();
      rmSync(state, { recursive: true, force: true });
    }
  });
});
