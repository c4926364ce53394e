import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { pidNamespacesPermitted } from "./support/namespaces.ts";
import { HAS_PYTHON } from "./support/python.ts";
import { until } from "./support/until.ts";

// fuzz19 F3: as on AWS, the function's code is read-only and /opt is empty and read-only without layers.
const NODE = `
import { readdirSync, writeFileSync } from "node:fs";
const attempt = (path) => { try { writeFileSync(path, "x"); return "written"; } catch (e) { return e.code; } };
export const handler = async () => ({ code: attempt(process.env.LAMBDA_TASK_ROOT + "/written-by-handler.txt"), opt: readdirSync("/opt"), optWrite: attempt("/opt/x"), tmp: attempt("/tmp/x") });
`;
const PYTHON = `import errno, os
import helper  # a module beside it still imports (no __pycache__ written: skipped, as on AWS)
def attempt(path):
    try:
        open(path, "w").write("x")
        return "written"
    except OSError as e:
        return errno.errorcode[e.errno]
def handler(event, context):
    return {"code": attempt(os.environ["LAMBDA_TASK_ROOT"] + "/written-by-handler.txt"), "opt": sorted(os.listdir("/opt")), "optWrite": attempt("/opt/x"), "tmp": attempt("/tmp/x"), "helper": helper.VALUE}
`;

let dir: string;
let sim: LambdaSimProcess;
let lambda: LambdaClient;

/** A simulator of its own per test (startLambdaSim's are SIGKILLed after each test). */
async function start(): Promise<void> {
  // Outside /tmp: a code folder under it is part of a pooled sandbox's kind (bound in with its /tmp), and b must share a's kind.
  mkdirSync("/var/tmp", { recursive: true });
  dir = mkdtempSync("/var/tmp/lambda-sim-filesystem-");
  // Two folders of each runtime: a's start is a process started for it; b's takes the sandbox the
  // pool started after a's Init (its code folder bound read-only as it takes it); c's, the one
  // started after b's (bound read-only as it started: c's code is b's).
  for (const name of ["node-a", "node-b", "python-a", "python-b"]) mkdirSync(join(dir, name));
  for (const name of ["node-a", "node-b"]) writeFileSync(join(dir, name, "index.mjs"), NODE);
  for (const name of ["python-a", "python-b"]) {
    writeFileSync(join(dir, name, "app.py"), PYTHON);
    writeFileSync(join(dir, name, "helper.py"), "VALUE = 42\n");
  }
  const fn = (runtime: string, handler: string, code: string) => `    runtime: ${runtime}\n    handler: ${handler}\n    codeUri: ./${code}\n`;
  const node = (name: string, code: string) => `  ${name}:\n${fn("nodejs24.x", "index.handler", code)}`;
  const py = (name: string, code: string) => `  ${name}:\n${fn("python3.12", "app.handler", code)}`;
  writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n${node("node-a", "node-a")}${node("node-b", "node-b")}${node("node-c", "node-b")}${py("py-a", "python-a")}${py("py-b", "python-b")}${py("py-c", "python-b")}`);
  sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, "state")]);
  lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
}

afterEach(async () => {
  lambda?.destroy();
  await sim?.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function invoke(name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
  const body = JSON.parse(Buffer.from(out.Payload!).toString());
  if (out.FunctionError !== undefined) throw new Error(JSON.stringify(body));
  return body;
}

const pooled = () => readdirSync(join(dir, "state", "run", "processes")).filter((f) => f.startsWith("sandbox-"));

/** The sandbox the pool keeps ready for the next cold start, once started after the first's Init. */
async function poolReady(): Promise<string[]> {
  await until(() => pooled().length > 0);
  return pooled();
}

describe.skipIf(!pidNamespacesPermitted())("an environment's file system (skipped: this machine permits no private namespaces)", () => {
  it("a Node handler's write beside its code fails EROFS, started for it or in a pooled sandbox; /opt is empty and read-only", async () => {
    await start();
    const a = await invoke("node-a");
    let ready = await poolReady();
    const b = await invoke("node-b");
    // b's cold start took the pooled sandbox (it left the ledger's sandbox entries), and so did c's.
    expect(pooled().filter((f) => ready.includes(f))).toEqual([]);
    ready = await poolReady();
    const c = await invoke("node-c");
    expect(pooled().filter((f) => ready.includes(f))).toEqual([]);
    for (const r of [a, b, c]) expect(r).toEqual({ code: "EROFS", opt: [], optWrite: "EROFS", tmp: "written" });
    for (const code of ["node-a", "node-b"]) expect(existsSync(join(dir, code, "written-by-handler.txt"))).toBe(false);
  });

  // review23 R1: a bind copies its source's read-only flag; with the state directory (so the
  // environment's /tmp) inside the read-only code folder, /tmp came out read-only.
  it("keeps /tmp writable when the state directory lives inside the function's folder (codeUri: ./)", async () => {
    mkdirSync("/var/tmp", { recursive: true });
    dir = mkdtempSync("/var/tmp/lambda-sim-filesystem-");
    writeFileSync(join(dir, "index.mjs"), NODE);
    writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  here: { runtime: nodejs24.x, handler: index.handler, codeUri: ./ }\n  again: { runtime: nodejs24.x, handler: index.handler, codeUri: ./ }\n");
    sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, ".lambda-sim")]);
    lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    expect(await invoke("here")).toEqual({ code: "EROFS", opt: [], optWrite: "EROFS", tmp: "written" });
    // And in the sandbox the pool started after it.
    await until(() => existsSync(join(dir, ".lambda-sim", "run", "processes")) && readdirSync(join(dir, ".lambda-sim", "run", "processes")).some((f) => f.startsWith("sandbox-")));
    expect(await invoke("again")).toEqual({ code: "EROFS", opt: [], optWrite: "EROFS", tmp: "written" });
  });

  it.runIf(HAS_PYTHON)("a Python handler imports its modules (no bytecode cached) and its writes beside its code fail EROFS", async () => {
    await start();
    const a = await invoke("py-a");
    let ready = await poolReady();
    const b = await invoke("py-b");
    // b's cold start took the pooled sandbox (it left the ledger's sandbox entries), and so did c's.
    expect(pooled().filter((f) => ready.includes(f))).toEqual([]);
    ready = await poolReady();
    const c = await invoke("py-c");
    expect(pooled().filter((f) => ready.includes(f))).toEqual([]);
    for (const r of [a, b, c]) expect(r).toEqual({ code: "EROFS", opt: [], optWrite: "EROFS", tmp: "written", helper: 42 });
    for (const code of ["python-a", "python-b"]) {
      expect(existsSync(join(dir, code, "__pycache__"))).toBe(false);
      expect(existsSync(join(dir, code, "written-by-handler.txt"))).toBe(false);
    }
  });
});
