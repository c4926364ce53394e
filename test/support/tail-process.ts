import { spawn, type ChildProcess } from "node:child_process";
import { CLI } from "./lambda-sim-process.ts";

/** `lambda-sim tail ARGS` without colour, its output gathered; `children` collects it for the test's cleanup. */
export function startTail(args: string[], children: ChildProcess[]) {
  const child = spawn(process.execPath, [CLI, "tail", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (out += b));
  child.stderr.on("data", (b: Buffer) => (err += b));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}
