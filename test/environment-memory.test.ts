import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { pidNamespacesPermitted } from "./support/namespaces.ts";

// fuzz19 F10: MemorySize holds the whole environment, a handler's child processes included.
const HANDLER = `
import { spawnSync } from "node:child_process";
export const handler = async (event) => {
  // A child that fills event.mb of memory, holds it for event.holdMs, and exits.
  const script = "const b = Buffer.alloc(" + event.mb + " * 1024 * 1024, 1); setTimeout(() => console.log(b.length), " + event.holdMs + ");";
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  return { status: r.status, out: r.stdout.trim() };
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

async function start(): Promise<LambdaClient> {
  dir = mkdtempSync(join(tmpdir(), "lambda-sim-memory-"));
  mkdirSync(join(dir, "fn"));
  writeFileSync(join(dir, "fn/index.mjs"), HANDLER);
  const fn = (memory: number) => `    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\n    timeout: 30\n    memorySize: ${memory}\n`;
  writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n  small:\n${fn(128)}  roomy:\n${fn(1024)}`);
  sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, "state")]);
  return new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
}

async function invoke(lambda: LambdaClient, name: string, payload: unknown) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from(JSON.stringify(payload)) }));
  const log = Buffer.from(out.LogResult ?? "", "base64").toString();
  const used = Number(/Max Memory Used: (\d+) MB/.exec(log)?.[1]);
  return { error: out.FunctionError, payload: JSON.parse(Buffer.from(out.Payload!).toString()), used };
}

describe.skipIf(!permitted)("memory of an environment's child processes (skipped: this machine permits no private namespaces)", () => {
  it("a 128 MB function whose child holds 300 MB fails Runtime.OutOfMemory, and the environment serves again after", async () => {
    const lambda = await start();
    const r = await invoke(lambda, "small", { mb: 300, holdMs: 20_000 });
    expect(r.error).toBe("Unhandled");
    expect(r.payload).toMatchObject({ errorType: "Runtime.OutOfMemory", errorMessage: expect.stringContaining("Runtime exited with error: signal: killed") });
    expect(r.used).toBe(128);
    const small = await invoke(lambda, "small", { mb: 1, holdMs: 0 });
    expect(small.payload).toEqual({ status: 0, out: String(1024 * 1024) });
    lambda.destroy();
  });

  it("REPORT's Max Memory Used counts a child's memory under the limit", async () => {
    const lambda = await start();
    const r = await invoke(lambda, "roomy", { mb: 300, holdMs: 1500 });
    expect(r.payload).toEqual({ status: 0, out: String(300 * 1024 * 1024) });
    // The runtime alone uses some 50-70 MB; with its child, over 300.
    expect(r.used).toBeGreaterThan(300);
    expect(r.used).toBeLessThanOrEqual(1024);
    lambda.destroy();
  });
});
