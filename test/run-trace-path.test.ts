import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/** newuser8 R4: `lambda-sim run --trace` to a path it cannot write: one line and exit 1, no stack trace. */
describe("lambda-sim run --trace to a path it cannot write", () => {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-trace-path-"));
  const file = join(dir, "s.yaml");
  writeFileSync(file, "duration: 1m\nqueues: { q: {} }\n");

  it.each([
    [join(dir, "out/run.jsonl"), "its folder does not exist (ENOENT)"],
    [dir, "it is a folder (EISDIR)"],
  ])("%s", async (trace, why) => {
    const r = await runCli(["run", file, "--trace", trace]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`lambda-sim: --trace ${trace}: cannot write the trace file: ${why}\n`);
    expect(r.stdout).toBe("");
  }, 60_000);
});
