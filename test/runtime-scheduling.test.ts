import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { HAS_PYTHON } from "./support/python.ts";

// Environments run under SCHED_BATCH (runtime-driver.ts withBatchScheduling): a runtime woken by
// its event does not preempt the simulator's front door. Every kind of start gets it: a process
// started for the function, one from the sandbox pool, a Python one, and what a handler spawns.

const SCHED_BATCH = 3;
/** The scheduling policy of a process: field 41 of /proc/PID/stat (proc(5)). */
const NODE_PROBE = `import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
const policy = (pid) => { const s = readFileSync(\`/proc/\${pid}/stat\`, "utf8"); return Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[38]); };
export const handler = async () => ({ own: policy("self"), child: Number(execFileSync("sh", ["-c", "cut -d' ' -f41 /proc/$$/stat"]).toString()) });
`;
const PY_PROBE = `def handler(event, context):
    s = open("/proc/self/stat").read()
    return {"own": int(s[s.rindex(")") + 2:].split(" ")[38])}
`;

let dir: string;
let t: TestSimulator;
let lambda: LambdaClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lambda-sim-sched-"));
  writeFileSync(join(dir, "probe.mjs"), NODE_PROBE);
  writeFileSync(join(dir, "probe.py"), PY_PROBE);
  t = await startTestSimulator({
    sandboxPool: 1,
    functions: [
      { functionName: "first", runtime: "nodejs24.x", handler: "probe.handler", codeDir: dir },
      { functionName: "second", runtime: "nodejs24.x", handler: "probe.handler", codeDir: dir },
      ...(HAS_PYTHON ? [{ functionName: "py", runtime: "python3.12", handler: "probe.handler", codeDir: dir }] : []),
    ],
  });
  lambda = new LambdaClient(t.clientConfig);
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function invoke(name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
  return JSON.parse(Buffer.from(out.Payload!).toString());
}

describe.runIf(process.platform === "linux")("the scheduling policy of environments", () => {
  it("is SCHED_BATCH for a Node runtime, pooled or not, and for what its handler starts", async () => {
    // The first cold start may take the pool's sandbox or start a process: both are checked.
    expect(await invoke("first")).toEqual({ own: SCHED_BATCH, child: SCHED_BATCH });
    expect(await invoke("second")).toEqual({ own: SCHED_BATCH, child: SCHED_BATCH });
  });

  it.runIf(HAS_PYTHON)("is SCHED_BATCH for a Python runtime", async () => {
    expect(await invoke("py")).toEqual({ own: SCHED_BATCH });
  });
});
