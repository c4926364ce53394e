import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

// One simulator per state directory (issue 13): two on one SQLite file both ran.
const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));

function runToExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("a state directory", () => {
  it("refuses a second simulator, naming the running one's pid and endpoint; a killed one leaves no lock behind", async () => {
    const state = mkdtempSync(join(tmpdir(), "lambda-sim-lock-"));
    try {
      const first = await startLambdaSim(["--state", state]);
      const second = await runToExit(["start", "--port", "0", "--state", state]);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        `lambda-sim: state directory ${state} is in use by another lambda-sim (pid ${first.child.pid}, listening on ${first.endpoint}): stop it, or give this one another --state\n`,
      );
      expect((await fetch(`${first.endpoint}/_sim/health`)).status).toBe(200);

      await first.kill(); // SIGKILL: no chance to remove its lock file
      const third = await startLambdaSim(["--state", state]);
      expect((await fetch(`${third.endpoint}/_sim/health`)).status).toBe(200);
      await third.kill();
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
