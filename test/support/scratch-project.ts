import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { userEnv } from "./user-env.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** `npm run package`: lambda-sim packed as users install it. Resolves to the tarball's path. */
export function packLambdaSim(): string {
  const out = mkdtempSync(join(tmpdir(), "lambda-sim-pack-"));
  const printed = execFileSync(process.execPath, [join(ROOT, "scripts/pack.ts"), "--out", out], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return printed.trim().split("\n").pop()!;
}

/**
 * A project of a user's own, outside the repository: a package.json, a function beside its
 * lambda-sim.yaml, and lambda-sim installed from `tarball` with `npm install -D`, by the
 * machine's own npm and Node.
 */
export function scratchProject(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), "my-app-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "my-app", private: true, type: "module", scripts: { sim: "exec lambda-sim start" } }, null, 2));
  mkdirSync(join(dir, "src/greet"), { recursive: true });
  writeFileSync(
    join(dir, "src/greet/index.mjs"),
    // The SDK comes from the runtime, un-bundled, as on AWS.
    'export const handler = async (event) => {\n  const { SQSClient } = await import("@aws-sdk/client-sqs");\n' +
      '  return { greeting: `Hi, ${event.name}!`, node: process.version, sdk: typeof SQSClient };\n};\n',
  );
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    "functions:\n  greet:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./src/greet\nqueues:\n  jobs:\n",
  );
  execFileSync("npm", ["install", "-D", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: dir, env: userEnv(), stdio: ["ignore", "ignore", "inherit"] });
  return dir;
}

/** Runs `args` (e.g. `npx lambda-sim start`) in `cwd` (in `env`, a user's shell's by default) until it prints its endpoint. */
export function startIn(cwd: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = userEnv()): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stderr!.on("data", (b: Buffer) => (out += b));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, endpoint: m[1]!, output: () => out });
    });
    child.on("exit", (code) => reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${out}`)));
  });
}
