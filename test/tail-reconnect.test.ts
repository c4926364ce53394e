import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";

/**
 * `lambda-sim tail` follows a simulator through a restart on the same address, as the dashboard
 * page does (newuser9 P3-4: a teacher restarts after a config change and the terminal beside the
 * projector went quiet); `--no-reconnect` keeps the old exit for scripts.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

// A fixed port, so the restarted simulator is where tail looks for it.
const PORT = "3657";

function config(): string {
  const file = join(mkdtempSync(join(tmpdir(), "lambda-sim-tail-restart-")), "lambda-sim.yaml");
  writeFileSync(file, "functions:\n  fn: { runtime: model, model: { durationMs: 5 } }\n");
  return file;
}

/** SIGTERM, as Ctrl-C in the simulator's terminal; resolved once it has gone. */
function stop(sim: LambdaSimProcess): Promise<void> {
  const gone = new Promise<void>((r) => sim.child.once("exit", () => r()));
  sim.child.kill("SIGTERM");
  return gone;
}

describe("lambda-sim tail across a simulator restart", () => {
  it("says the stream closed, reconnects once the simulator is back, and prints its events; --no-reconnect exits", { timeout: 180_000 }, async () => {
    const file = config();
    const first = await startLambdaSim(["--port", PORT, "--config", file, "--in-memory"]);
    const following = startTail(["--endpoint", first.endpoint], children);
    const once = startTail(["--endpoint", first.endpoint, "--no-reconnect"], children);
    await until(() => following.err().includes("following") && once.err().includes("following"), 60_000);
    await stop(first);
    expect(await once.exit).toBe(0);
    expect(once.err()).toContain("lambda-sim tail: the simulator closed the stream\n");
    await until(() => following.err().includes("reconnecting"), 30_000);
    expect(following.child.exitCode).toBeNull();
    const second = await startLambdaSim(["--port", PORT, "--config", file, "--in-memory"]);
    await until(() => following.err().includes(`lambda-sim tail: reconnected to ${second.endpoint}\n`), 30_000);
    const r = await runCli(["invoke", "fn", "--endpoint", second.endpoint]);
    expect(r.code, r.stderr).toBe(0);
    // The reconnected tail prints the invocation once: not again from the next snapshot's recent events.
    await until(() => /invoked fn [0-9a-f]{8}: /.test(following.out()), 30_000);
    expect(following.out().match(/invoked fn /g)).toHaveLength(1);
    following.child.kill("SIGINT");
    expect(await following.exit).toBe(0);
  });
});
