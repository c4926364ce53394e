import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

// The README's vitest global setup ("Use it in your project") and its integration test (Fault
// injection), copied into a project of a user's own and run with vitest as written.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

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

/**
 * Writes the README's setup, config, function and test into `project` (whose node_modules/.bin
 * has a lambda-sim), links this checkout's vitest and SQS client in where the project has none (what
 * `npm install -D vitest @aws-sdk/client-sqs` would put there), and runs vitest there as a user's
 * shell does, with `node` first on PATH: resolves to its exit code and output.
 */
export async function runReadmeVitestSetup(project: string, node: string): Promise<{ code: number; output: string }> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const files = readmeFiles(readme);
  expect([...files.keys()]).toEqual(expect.arrayContaining(["vitest.global-setup.js", "lambda-sim.yaml", "src/orders/index.mjs", "test/dlq.test.ts"]));
  // The config is given inline: `globalSetup: [...]` in `vitest.config.js`.
  const globalSetup = /`(globalSetup: \[[^\]]*\])` in `vitest\.config\.js`/.exec(readme);
  expect(globalSetup, "the README names vitest.config.js's globalSetup").not.toBeNull();
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), text);
  };
  write("vitest.config.js", `export default { test: { ${globalSetup![1]} } };\n`);
  for (const name of ["vitest.global-setup.js", "lambda-sim.yaml", "src/orders/index.mjs", "test/dlq.test.ts"]) write(name, files.get(name)!);
  for (const pkg of ["vitest", "@aws-sdk/client-sqs"]) {
    const at = join(project, "node_modules", pkg);
    if (existsSync(at)) continue;
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", pkg), at);
  }
  // A user's shell: none of this run's vitest or AWS variables (the nested vitest would take them as its own).
  const env: NodeJS.ProcessEnv = { PATH: `${dirname(node)}:/usr/bin:/bin`, HOME: homedir(), LANG: "C.UTF-8", NO_COLOR: "1" };
  return new Promise((resolve) => {
    execFile(node, [join(project, "node_modules/vitest/vitest.mjs"), "run", "--reporter", "verbose"], { cwd: project, env, encoding: "utf8", timeout: 150_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, output: stdout + stderr });
    });
  });
}
