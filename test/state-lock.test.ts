import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

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

  it.skipIf(process.platform !== "linux")("is taken over from a killed simulator that is still a zombie (its parent has not reaped it yet)", { timeout: 60_000 }, async () => {
    const state = mkdtempSync(join(tmpdir(), "lambda-sim-lock-"));
    // The simulator's parent becomes `sleep` (exec), which never waits for it: once SIGKILLed, it
    // stays a zombie, as a killed process does until a container's init reaps it (walkthrough F7).
    const parent = spawn("sh", ["-c", `"${process.execPath}" "${CLI}" start --port 0 --state "${state}" >/dev/null 2>&1 & exec sleep 120`], { stdio: "ignore" });
    try {
      const lock = join(state, "lambda-sim.lock");
      let pid = 0;
      await until(() => {
        try {
          const h = JSON.parse(readFileSync(lock, "utf8")) as { pid: number; endpoint?: string };
          pid = h.pid;
          return h.endpoint !== undefined;
        } catch {
          return false;
        }
      }, 30_000);
      process.kill(pid, "SIGKILL");
      const procState = () => {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      };
      await until(() => procState() === "Z", 10_000);
      const next = await startLambdaSim(["--state", state]);
      expect((await fetch(`${next.endpoint}/_sim/health`)).status).toBe(200);
      expect(procState()).toBe("Z"); // still unreaped: the lock was taken over from a zombie
      await next.kill();
    } finally {
      parent.kill("SIGKILL");
      rmSync(state, { recursive: true, force: true });
    }
  });
});
