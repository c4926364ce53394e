import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { HAS_PYTHON } from "./support/python.ts";
import { until } from "./support/until.ts";
import { alive } from "./support/process-alive.ts";

// Cold starts served by a pre-started sandbox (README "Cold starts") must look to the function
// exactly like a process started for it: its own variables, its code directory as cwd, a /tmp as
// empty as a fresh start's, its Init (errors, timeouts, Init Duration) as before; and the pool's
// processes must not outlive the simulator.

const NODE_PROBE = `import { readdirSync, readlinkSync } from "node:fs";
export const handler = async () => ({ pid: process.pid, ns: readlinkSync("/proc/self/ns/pid"), ppid: process.ppid, cwd: process.cwd(), env: { ...process.env }, tmp: readdirSync("/tmp").sort(), hour: new Date(0).getHours() });
export const write = async () => { (await import("node:fs")).writeFileSync("/tmp/left-by-a", "x"); return "ok"; };
`;
const NODE_BAD = `throw new Error("cannot initialise");\n`;
const NODE_SLOW = `await new Promise((r) => setTimeout(r, 60_000));\nexport const handler = async () => "never";\n`;
const PY_PROBE = `import os
def handler(event, context):
    return {"pid": os.getpid(), "ns": os.readlink("/proc/self/ns/pid"), "ppid": os.getppid(), "cwd": os.getcwd(), "env": dict(os.environ), "tmp": sorted(os.listdir("/tmp"))}
def write(event, context):
    open("/tmp/left-by-a", "w").write("x")
    return "ok"
`;

let stateDir: string;
let codeDir: string;
let t: TestSimulator;
let lambda: LambdaClient;

const fn = (functionName: string, runtime: string, handler: string, environment: Record<string, string>): FunctionDefinition => ({ functionName, runtime, handler, codeDir, environment, timeout: 15 });

// The init timeout is AWS's 10 s (init-limit.test.ts); 5 s here tells a pooled sandbox's timeout
// from a fresh process's just as well, without waiting 10 s. Read at each cold start of this
// in-process simulator; more than any Init here takes on a loaded machine.
const INIT_LIMIT_MS = 5_000;

beforeAll(async () => {
  process.env.LAMBDA_SIM_INIT_LIMIT_MS = String(INIT_LIMIT_MS);
  stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-pool-state-"));
  codeDir = mkdtempSync(join(tmpdir(), "lambda-sim-pool-code-"));
  writeFileSync(join(codeDir, "probe.mjs"), NODE_PROBE);
  writeFileSync(join(codeDir, "bad.mjs"), NODE_BAD);
  // An Init that lasts until the test has seen the burst's four in Init (a file in the code
  // directory, its cwd): they overlap on a loaded machine too (a burst is counted by overlap: cold-start-bursts.ts).
  writeFileSync(join(codeDir, "burst.mjs"), `import { existsSync } from "node:fs";\nwhile (!existsSync("burst-release")) await new Promise((r) => setTimeout(r, 10));\nexport { handler } from "./probe.mjs";\n`);
  writeFileSync(join(codeDir, "slow.mjs"), NODE_SLOW);
  writeFileSync(join(codeDir, "probe.py"), PY_PROBE);
  mkdirSync(join(codeDir, "unused"));
  t = await startTestSimulator({
    stateDir,
    sandboxPool: 1,
    functions: [
      fn("node-a", "nodejs24.x", "probe.write", { WHO: "a", ONLY_A: "1" }),
      fn("node-b", "nodejs24.x", "probe.handler", { WHO: "b", TZ: "Asia/Tokyo" }),
      fn("node-fresh", "nodejs24.x", "probe.handler", { WHO: "fresh" }),
      fn("node-c", "nodejs24.x", "probe.write", {}),
      fn("node-bad", "nodejs24.x", "bad.handler", {}),
      // Its Init outlasts the limit, and again when retried inside the invocation, within its 2 s timeout.
      { ...fn("node-slow", "nodejs24.x", "slow.handler", {}), timeout: 2 },
      // memorySize sets Node's heap cap: a kind of sandbox of their own.
      ...[0, 1, 2, 3].map((i) => ({ ...fn(`burst-${i}`, "nodejs24.x", "burst.handler", {}), memorySize: 256 })),
      fn("py-a", "python3.12", "probe.write", { WHO: "a", ONLY_A: "1" }),
      fn("py-b", "python3.12", "probe.handler", { WHO: "b" }),
      fn("py-fresh", "python3.12", "probe.handler", { WHO: "fresh" }),
    ],
  });
  lambda = new LambdaClient(t.clientConfig);
});

let closed = false;
async function close(): Promise<void> {
  if (closed) return;
  closed = true;
  lambda?.destroy();
  await t?.close();
}

afterAll(async () => {
  await close();
  delete process.env.LAMBDA_SIM_INIT_LIMIT_MS;
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
  rmSync(codeDir, { recursive: true, force: true });
});

/** The pids of the sandboxes waiting in the pool, from the process ledger. */
function pooledPids(): number[] {
  const ledger = join(stateDir, "run", "processes");
  return readdirSync(ledger)
    .filter((f) => f.startsWith("sandbox-"))
    .map((f) => Number(readFileSync(join(ledger, f), "utf8").split(" ")[0]));
}

const HOST_PID_NAMESPACE = readlinkSync("/proc/self/ns/pid");

/**
 * Which sandbox a process is: where environments have PID namespaces of their own, the namespace
 * its ledger pid (unshare) starts its children in, as the handler names its own; elsewhere its pid.
 */
function sandboxOf(pid: number): string {
  try {
    const ns = readlinkSync(`/proc/${pid}/ns/pid_for_children`);
    return ns === HOST_PID_NAMESPACE ? String(pid) : ns;
  } catch {
    return String(pid);
  }
}

/** The sandbox a handler ran in, as sandboxOf() names it. */
function servedBy(body: { pid: number; ns: string }): string {
  return body.ns === HOST_PID_NAMESPACE ? String(body.pid) : body.ns;
}

async function invoke(name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail" }));
  return { out, body: JSON.parse(Buffer.from(out.Payload!).toString()), log: Buffer.from(out.LogResult ?? "", "base64").toString() };
}

/** Cold-starts `first` (which leaves a file in its /tmp) and waits for the sandbox the pool starts after its Init. */
async function poolAfter(first: string): Promise<number[]> {
  const before = pooledPids();
  expect((await invoke(first)).body).toBe("ok");
  await until(() => pooledPids().some((p) => !before.includes(p)));
  return pooledPids().filter((p) => !before.includes(p));
}

describe.runIf(process.platform === "linux")("cold starts from the sandbox pool", () => {
  it("a Node function gets its own variables, its code directory as cwd and a fresh /tmp, and reports Init Duration", async () => {
    // A first start without the pool, for reference.
    const fresh = (await invoke("node-fresh")).body;
    const pooled = await poolAfter("node-a");
    const { body, log } = await invoke("node-b");
    expect(pooled.map(sandboxOf)).toContain(servedBy(body));
    expect(body.env.WHO).toBe("b");
    expect(body.env.ONLY_A).toBeUndefined();
    expect(body.env.AWS_LAMBDA_FUNCTION_NAME).toBe("node-b");
    expect(body.env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(Object.keys(body.env).filter((k) => k.startsWith("_LAMBDA_SIM"))).toEqual([]);
    // The same variables as a process started for it, no more, no fewer.
    expect(Object.keys(body.env).sort()).toEqual(Object.keys(fresh.env).sort());
    expect(body.env.PWD).toBe(fresh.env.PWD);
    expect(body.hour).toBe(9); // TZ=Asia/Tokyo, set by the function, is in force
    expect(body.cwd).toBe(codeDir.replace(/\/$/, ""));
    expect(body.tmp).toEqual(fresh.tmp);
    expect(body.tmp).not.toContain("left-by-a");
    expect(body.ppid).toBe(fresh.ppid);
    expect(log).toMatch(/\tInit Duration: \d+\.\d\d ms\t\n$/);
  });

  it("reports an init error and an init timeout as a process started for the function does", async () => {
    await until(() => pooledPids().length > 0);
    let pooled = pooledPids();
    const bad = await invoke("node-bad");
    // The sandbox that served the failed Init is killed as the answer goes out: wait for its exit.
    await until(() => !pooled.some(alive), 5_000);
    expect(bad.out.FunctionError).toBe("Unhandled");
    expect(bad.body).toMatchObject({ errorType: "Error", errorMessage: "cannot initialise" });
    expect(bad.log).toMatch(/Init Duration: [\d.]+ ms\t/);

    // A successful Init leaves a sandbox ready for the next cold start.
    pooled = await poolAfter("node-c");
    const slow = await invoke("node-slow");
    await until(() => !pooled.some(alive), 5_000);
    expect(slow.body).toEqual({ errorType: "Sandbox.Timedout", errorMessage: expect.stringMatching(/Task timed out after 2.00 seconds$/) });
    // The first Init's INIT_REPORT at the 5 s limit; the retried Init's, in the invoke phase, at the
    // function's timeout, which is the REPORT's Duration too.
    expect(slow.log).toMatch(/INIT_REPORT Init Duration: 5\d{3}\.\d\d ms\tPhase: init\tStatus: timeout\n/);
    expect(slow.log).toMatch(/INIT_REPORT Init Duration: 2\d{3}\.\d\d ms\tPhase: invoke\tStatus: timeout\n/);
    expect(slow.log).toMatch(/REPORT RequestId: [^\n]*\tDuration: 2\d{3}\.\d\d ms\t[^\n]*\tStatus: timeout/);
    expect(slow.log).not.toMatch(/\nREPORT [^\n]*Init Duration/);
    // The runtime's memory, read as its Init was killed (it was never read before: 1 MB).
    expect(Number(/Max Memory Used: (\d+) MB/.exec(slow.log)?.[1])).toBeGreaterThan(5);
  }, 30_000);

  it.runIf(HAS_PYTHON)("a Python function gets its own variables, its code directory as cwd and a fresh /tmp", async () => {
    const fresh = (await invoke("py-fresh")).body;
    const pooled = await poolAfter("py-a");
    const { body, log } = await invoke("py-b");
    expect(Object.keys(body.env).sort()).toEqual(Object.keys(fresh.env).sort());
    expect(body.env.PWD).toBe(fresh.env.PWD);
    expect(body.tmp).toEqual(fresh.tmp);
    expect(pooled.map(sandboxOf)).toContain(servedBy(body));
    expect(body.env.WHO).toBe("b");
    expect(body.env.ONLY_A).toBeUndefined();
    expect(body.env.AWS_LAMBDA_FUNCTION_NAME).toBe("py-b");
    expect(Object.keys(body.env).filter((k) => k.startsWith("_LAMBDA_SIM"))).toEqual([]);
    expect(body.cwd).toBe(codeDir.replace(/\/$/, ""));
    expect(body.tmp).not.toContain("left-by-a");
    expect(body.ppid).toBe(fresh.ppid);
    expect(log).toContain("Init Duration");
  });

  it("keeps as many sandboxes of a kind ready as the burst of its cold starts it has seen", async () => {
    const before = pooledPids();
    const events = new TelemetryRecorder(t.sim.telemetry);
    const pending = Promise.all([0, 1, 2, 3].map((i) => invoke(`burst-${i}`)));
    await until(() => new Set(events.of("environment.state-changed").filter((e) => e.to === "initializing" && e.functionName.startsWith("burst-")).map((e) => e.environmentId)).size === 4);
    writeFileSync(join(codeDir, "burst-release"), "");
    const burst = await pending;
    events.dispose();
    expect(new Set(burst.map((b) => servedBy(b.body))).size).toBe(4);
    // Refilled after the Inits (LAMBDA_SIM_SANDBOX_POOL_BURST, default 4): four of this kind now wait.
    await until(() => pooledPids().filter((p) => !before.includes(p)).length >= 4);
  });

  it("leaves no pooled process behind after shutdown", async () => {
    await until(() => pooledPids().length > 0);
    const pids = pooledPids();
    expect(pids.every(alive)).toBe(true);
    await close();
    await until(() => !pids.some(alive));
    // Nor their entries in the process ledger: a clean shutdown leaves nothing for the next start to reap.
    expect(readdirSync(join(stateDir, "run", "processes"))).toEqual([]);
  });
});
