import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "./support/lambda-sim-process.ts";

// The README's pytest fixture (conftest.py) and its DLQ test in Python, copied into a project of a
// user's own with the Fault injection section's lambda-sim.yaml and consumer, and run with pytest
// as written: only running them keeps them true.
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const HAS_PYTEST = spawnSync("python3", ["-c", "import pytest, boto3"], { stdio: "ignore" }).status === 0;

/** The README's fenced block whose first line names `name` (`# conftest.py`, `// x.mjs`). */
function readmeFile(name: string): string {
  const blocks = [...README.matchAll(/```\w+\n(?:\/\/|#) ([\w./-]+)\n([\s\S]*?)```/g)].filter((m) => m[1] === name);
  expect(blocks.length, `the README has one block named ${name}`).toBe(1);
  return blocks[0]![2]!;
}

let project: string | undefined;
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe(HAS_PYTEST ? "the README's pytest fixture and DLQ test" : "the README's pytest fixture and DLQ test (skipped: no python3 with pytest and boto3 here)", () => {
  it.runIf(HAS_PYTEST)("pass when copied into a project and run with pytest", async () => {
    // Not under /tmp: a function's private /tmp would hide the project around its code.
    project = mkdtempSync(join(homedir(), ".lambda-sim-test-readme-pytest-"));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(project!, path)), { recursive: true });
      writeFileSync(join(project!, path), text);
    };
    for (const name of ["conftest.py", "test_dlq.py", "lambda-sim.yaml", "src/orders/index.mjs"]) write(name, readmeFile(name));
    // What `npm install -D lambda-sim` puts there: this checkout's.
    mkdirSync(join(project, "node_modules/.bin"), { recursive: true });
    symlinkSync(CLI, join(project, "node_modules/.bin/lambda-sim"));

    // A user's shell (their python3 on PATH): none of this run's AWS variables.
    const env: NodeJS.ProcessEnv = { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: homedir(), LANG: "C.UTF-8" };
    const r = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile("python3", ["-m", "pytest", "-v", "-p", "no:cacheprovider"], { cwd: project, env, encoding: "utf8", timeout: 150_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, output: stdout + stderr });
      });
    });
    expect(r, r.output).toMatchObject({ code: 0 });
    expect(r.output).toMatch(/test_a_message_the_consumer_keeps_failing_ends_in_the_dlq PASSED/);
  }, 180_000);
});
