import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../examples/lambda-sim.yaml", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

describe.runIf(process.platform === "linux")("environments of a killed simulator", () => {
  it("die with it: a SIGKILLed lambda-sim leaves no frozen or running environment behind", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-orphans-"));
    try {
      const child = spawn(process.execPath, [CLI, "start", "--config", EXAMPLE, "--state", stateDir, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
      children.push(child);
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (b: Buffer) => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec((out += b));
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const lambda = new LambdaClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      const out = await lambda.send(new InvokeCommand({ FunctionName: "hello", Payload: Buffer.from('{"name":"Ada"}') }));
      expect(out.FunctionError).toBeUndefined();
      lambda.destroy();
      // The ledger names every live environment process; hello's is now idle and frozen.
      const ledger = join(stateDir, "run", "processes");
      const pids = readdirSync(ledger).map((f) => Number(readFileSync(join(ledger, f), "utf8").split(" ")[0]));
      expect(pids.length).toBeGreaterThan(0);
      expect(pids.every(alive)).toBe(true);

      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
