import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach } from "vitest";

/** The `lambda-sim` bin, as a user's shell runs it. */
export const CLI = fileURLToPath(new URL("../../packages/cli/bin/lambda-sim.js", import.meta.url));

/** One `lambda-sim ARGS` run to its exit, its output gathered (`env` replaces the environment when given). */
export function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b));
    child.stderr.on("data", (b: Buffer) => (stderr += b));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `lambda-sim start` in its own process, as users run it (the durability tests SIGKILL it). */
export interface LambdaSimProcess {
  child: ChildProcess;
  endpoint: string;
  /** Everything it wrote so far: function logs on stdout, warnings on stderr. */
  output(): string;
  /** SIGKILL, resolved once the process has gone. */
  kill(): Promise<void>;
}

const started: ChildProcess[] = [];
// Whatever a test leaves running dies with it, passing or failing.
afterEach(() => {
  for (const c of started.splice(0)) c.kill("SIGKILL");
});
const startedForFile: ChildProcess[] = [];
afterAll(() => {
  for (const c of startedForFile.splice(0)) c.kill("SIGKILL");
});

/** Runs `lambda-sim start --port 0 ...args` (with `env` added to the environment) and resolves once it listens; killed after the test. */
export function startLambdaSim(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<LambdaSimProcess> {
  return spawnLambdaSim(args, env, started);
}

/**
 * One `lambda-sim start` shared by the tests of a file that do not interfere: started by the first
 * call of the returned function (`args()` then makes its project), killed after the file's last
 * test. Each start costs a process (~0.5 s of CPU); a test that needs a fresh one uses startLambdaSim.
 */
export function perFileLambdaSim(args: () => readonly string[], env: NodeJS.ProcessEnv = {}): () => Promise<LambdaSimProcess> {
  const children: ChildProcess[] = [];
  let sim: Promise<LambdaSimProcess> | undefined;
  afterAll(() => {
    for (const c of children.splice(0)) c.kill("SIGKILL");
  });
  return () => (sim ??= spawnLambdaSim(args(), env, children));
}

/**
 * `startLambdaSim` for the tests of a file that share one simulator (they must not interfere): it
 * dies after the file's tests, passing or failing, not after the test that started it.
 */
export function startLambdaSimForFile(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<LambdaSimProcess> {
  return spawnLambdaSim(args, env, startedForFile);
}

function spawnLambdaSim(args: readonly string[], env: NodeJS.ProcessEnv, owner: ChildProcess[]): Promise<LambdaSimProcess> {
  const child = spawn(process.execPath, [CLI, "start", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  owner.push(child);
  let out = "";
  child.stderr!.on("data", (b: Buffer) => (out += b));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        resolve({
          child,
          endpoint: m[1]!,
          output: () => out,
          kill: () => {
            if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
            const gone = new Promise<void>((r) => child.once("exit", () => r()));
            child.kill("SIGKILL");
            return gone;
          },
        });
      }
    });
    child.on("exit", (code) => reject(new Error(`lambda-sim exited ${code}: ${out}`)));
  });
}

/**
 * The PATH of a user's shell in the repository or a project that installed lambda-sim: this
 * process's, less the `node_modules/.bin` folders npm and vitest put on it (the start banner's
 * suggested commands name lambda-sim as that shell runs it: cli-name.ts).
 */
export const USER_SHELL_PATH = (process.env.PATH ?? "").split(":").filter((dir) => !dir.endsWith("/node_modules/.bin")).join(":");
