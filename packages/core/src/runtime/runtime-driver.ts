import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { pythonDriver } from "./python-driver.ts";

/** How one environment's process is started; every process driver talks only through the Runtime API. */
export interface ProcessCommand {
  command: string;
  args: string[];
}

export interface RuntimeDriver {
  readonly name: string;
  /** The process to start for `config`; `env` is the complete environment it will get. */
  command(config: FunctionVersionConfig, env: Record<string, string>): ProcessCommand;
  /** Why this machine cannot run `config` at all (reported as Runtime.InvalidEntrypoint), if it cannot. */
  unavailable?(config: FunctionVersionConfig): string | undefined;
}

const NODE_BOOTSTRAP = fileURLToPath(new URL("../../bootstrap/node/index.mjs", import.meta.url));

/**
 * nodejs22.x / nodejs24.x: our own bootstrap loads the handler (the RIC's job on AWS). The heap is
 * capped at the function's memory so a leak ends as an out-of-memory error in its own environment.
 * `AWS_LAMBDA_EXEC_WRAPPER` receives the interpreter and its arguments (aws-facts §2.3).
 */
export const nodeDriver: RuntimeDriver = {
  name: "node",
  command(config, env) {
    const args = [`--max-old-space-size=${config.memorySize}`, NODE_BOOTSTRAP];
    const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
    if (wrapper) return { command: wrapper, args: [process.execPath, ...args] };
    return { command: process.execPath, args };
  },
};

/**
 * provided.al2023 / provided.al2: the user's executable `bootstrap` at the code root, any language.
 * AWS_LAMBDA_EXEC_WRAPPER is not supported on provided runtimes (aws-facts §2.3).
 */
export const providedDriver: RuntimeDriver = {
  name: "provided",
  command(config) {
    return { command: join(config.codeDir, "bootstrap"), args: [] };
  },
};

export function driverFor(runtime: string): RuntimeDriver {
  if (runtime.startsWith("nodejs")) return nodeDriver;
  if (runtime.startsWith("provided")) return providedDriver;
  if (runtime.startsWith("python")) return pythonDriver;
  throw new Error(`no runtime driver for ${runtime}`);
}

/** Checks what AWS's Runtime.InvalidEntrypoint would catch before spawning a provided bootstrap. */
export function entrypointProblem(cmd: ProcessCommand): string | undefined {
  try {
    accessSync(cmd.command, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file or directory" : "permission denied";
  }
}

let privateTmpSupport: boolean | undefined;
let deathSignalSupport: boolean | undefined;

/**
 * Wraps a command so the kernel SIGKILLs the runtime when the simulator dies, however it dies
 * (PR_SET_PDEATHSIG through util-linux's setpriv, which execs). Without it, a SIGKILLed
 * lambda-sim leaves its environments running (a handler in a loop spins forever) until the next
 * start on the same state directory reaps them from the ledger. Elsewhere the command is unchanged.
 */
export function withParentDeathSignal(cmd: ProcessCommand): ProcessCommand {
  if (deathSignalSupport === undefined) {
    deathSignalSupport = process.platform === "linux" && spawnSync("setpriv", ["--pdeathsig", "KILL", "true"], { stdio: "ignore" }).status === 0;
  }
  return deathSignalSupport ? { command: "setpriv", args: ["--pdeathsig", "KILL", cmd.command, ...cmd.args] } : cmd;
}

/**
 * Whether this machine lets us give each environment its own `/tmp` with a private mount
 * namespace (Linux, root or user namespaces allowed). Probed once per process.
 */
export function supportsPrivateTmp(): boolean {
  if (privateTmpSupport === undefined) {
    if (process.platform !== "linux") privateTmpSupport = false;
    else {
      const probe = spawnSync("unshare", ["-m", "--propagation", "private", "true"], { stdio: "ignore" });
      privateTmpSupport = probe.status === 0;
    }
  }
  return privateTmpSupport;
}

/**
 * Wraps a command so that the process sees `tmpDir` mounted at `/tmp`. Paths it needs that live
 * under the host's /tmp (its code, when the state directory is there) are bound back in at the
 * same place first. unshare and sh both exec, so the pid we hold is the runtime's own pid.
 */
export function withPrivateTmp(cmd: ProcessCommand, tmpDir: string, keep: readonly string[], optDir = "", hostsFile = ""): ProcessCommand {
  // Parents before children, so a nested path is bound on top of (not hidden by) its parent.
  const underTmp = [...new Set(keep.filter((p) => p.startsWith("/tmp/")).map((p) => p.replace(/\/+$/, "")))].sort((a, b) => a.length - b.length);
  // The function's layers at /opt, read-only as on AWS (the bind first: a read-only remount
  // applies to a bind mount, not to the directory it shows), and the sandbox's host names.
  const script =
    'set -e; t="$0"; o="$1"; h="$2"; n="$3"; shift 3; while [ "$n" -gt 0 ]; do p="$1"; shift; n=$((n-1)); ' +
    'mkdir -p "$t${p#/tmp}"; mount --bind "$p" "$t${p#/tmp}"; done; ' +
    'if [ -n "$o" ]; then mount --bind "$o" /opt; mount -o remount,bind,ro /opt; fi; ' +
    'if [ -n "$h" ]; then mount --bind "$h" /etc/hosts; fi; mount --rbind "$t" /tmp; exec "$@"';
  return {
    command: "unshare",
    args: ["-m", "--propagation", "private", "sh", "-c", script, tmpDir, optDir, hostsFile, String(underTmp.length), ...underTmp, cmd.command, ...cmd.args],
  };
}
