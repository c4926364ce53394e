import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "./support/lambda-sim-process.ts";

// The README's vitest global setup ("Use it in your project") and its integration test (Fault
// injection), copied into a project of a user's own and run with vitest as written: the two once
// did not fit together (a hard-coded port, no virtual clock), and only running them keeps them so.
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The README's fenced blocks whose first line names a file (`// test/dlq.test.ts`, `# lambda-sim.yaml`). */
function readmeFiles(text: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of text.matchAll(/```\w+\n(?:\/\/|#) ([\w./-]+\.(?:js|mjs|ts|yaml))\n([\s\S]*?)```/g)) {
    // One block per file name: a second `# lambda-sim.yaml` elsewhere would be ambiguous.
    if (files.has(m[1]!)) throw new Error(`the README has two blocks named ${m[1]}: name one differently`);
    files.set(m[1]!, m[2]!);
  }
  return files;
}

let project: string | undefined;
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the README's vitest global setup and integration test", () => {
  it("pass when copied into a project and run with vitest", async () => {
    const files = readmeFiles(README);
    expect([...files.keys()]).toEqual(expect.arrayContaining(["vitest.global-setup.js", "lambda-sim.yaml", "src/orders/index.mjs", "test/dlq.test.ts"]));
    // The config is given inline: `globalSetup: [...]` in `vitest.config.js`.
    const globalSetup = /`(globalSetup: \[[^\]]*\])` in `vitest\.config\.js`/.exec(README);
    expect(globalSetup, "the README names vitest.config.js's globalSetup").not.toBeNull();

    // Not under /tmp: a function's private /tmp would hide the project around its code.
    project = mkdtempSync(join(homedir(), ".lambda-sim-test-readme-vitest-"));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(project!, path)), { recursive: true });
      writeFileSync(join(project!, path), text);
    };
    write("package.json", JSON.stringify({ name: "my-app", private: true, type: "module" }));
    write("vitest.config.js", `export default { test: { ${globalSetup![1]} } };\n`);
    for (const name of ["vitest.global-setup.js", "lambda-sim.yaml", "src/orders/index.mjs", "test/dlq.test.ts"]) write(name, files.get(name)!);
    // What `npm install -D lambda-sim vitest @aws-sdk/client-sqs` puts there: this checkout's.
    mkdirSync(join(project, "node_modules/.bin"), { recursive: true });
    mkdirSync(join(project, "node_modules/@aws-sdk"), { recursive: true });
    symlinkSync(CLI, join(project, "node_modules/.bin/lambda-sim"));
    symlinkSync(join(ROOT, "node_modules/vitest"), join(project, "node_modules/vitest"));
    symlinkSync(join(ROOT, "node_modules/@aws-sdk/client-sqs"), join(project, "node_modules/@aws-sdk/client-sqs"));

    // A user's shell: the Node 24 lambda-sim's bin wants first on PATH, none of this run's vitest
    // or AWS variables (the nested vitest would take them as its own).
    const env: NodeJS.ProcessEnv = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: homedir(), LANG: "C.UTF-8", NO_COLOR: "1" };
    const r = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--reporter", "verbose"], { cwd: project, env, encoding: "utf8", timeout: 150_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, output: stdout + stderr });
      });
    });
    expect(r, r.output).toMatchObject({ code: 0 });
    expect(r.output).toMatch(/✓ .*a message the consumer keeps failing ends in the DLQ/);
  }, 180_000);
});
