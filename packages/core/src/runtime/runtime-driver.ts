import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { hostCommand } from "./host-command.ts";
import { EXIT_STATUS_FD, pidNamespaceOptions } from "./pid-namespace.ts";
import { pythonDriver } from "./python-driver.ts";

/**
 * How one environment's process is started. Every process driver talks through the Runtime API;
 * the drivers of our own bootstraps also get the cheaper private channel (runtime-channel.ts).
 */
export interface ProcessCommand {
  command: string;
  args: string[];
  /** Started in a PID namespace of its own, whose PID 1 says how the runtime ended on EXIT_STATUS_FD (pid-namespace.ts). */
  pidNamespace?: boolean;
  /** Joins the namespaces of its environment's anchor (namespace-anchor.ts), through perl that ends as it ends. */
  joined?: boolean;
}

export interface RuntimeDriver {
  readonly name: string;
  /** The process to start for `config`; `env` is the complete environment it will get. */
  command(config: FunctionVersionConfig, env: Record<string, string>): ProcessCommand;
  /** Why this machine cannot run `config` at all (reported as Runtime.InvalidEntrypoint), if it cannot. */
  unavailable?(config: FunctionVersionConfig): string | undefined;
  /** Our own bootstrap, which speaks the private channel (runtime-channel.ts) as well as the Runtime API. */
  readonly privateChannel?: boolean;
  /**
   * The process of a pre-started sandbox that can serve `config` once specialised
   * (sandbox-pool.ts): the same interpreter and flags, our bootstrap's sandbox entry.
   */
  sandboxCommand?(config: FunctionVersionConfig): ProcessCommand | undefined;
}

const NODE_BOOTSTRAP = fileURLToPath(new URL("../../bootstrap/node/index.mjs", import.meta.url));
const NODE_SANDBOX = fileURLToPath(new URL("../../bootstrap/node/sandbox.mjs", import.meta.url));

/**
 * nodejs22.x / nodejs24.x: our own bootstrap loads the handler (the RIC's job on AWS). The heap is
 * capped at the function's memory so a leak ends as an out-of-memory error in its own environment.
 * `AWS_LAMBDA_EXEC_WRAPPER` receives the interpreter and its arguments (aws-facts §2.3).
 */
export const nodeDriver: RuntimeDriver = {
  name: "node",
  privateChannel: true,
  command(config, env) {
    const args = [...nodeFlags(config), NODE_BOOTSTRAP];
    const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
    if (wrapper) return { command: wrapper, args: [process.execPath, ...args] };
    return { command: process.execPath, args };
  },
  sandboxCommand(config) {
    return { command: process.execPath, args: [...nodeFlags(config), NODE_SANDBOX] };
  },
};

/** The interpreter's flags, the same for a process started for a function and a pooled sandbox: the heap capped at memorySize. */
function nodeFlags(config: FunctionVersionConfig): string[] {
  return [`--max-old-space-size=${config.memorySize}`];
}

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

/** unshare's options for a private mount namespace on this machine (probed once), or null: none. */
let namespaceOptions: string[] | null | undefined;
/**
 * A util-linux tool that execs the command it is given after `args` (setpriv, chrt), probed once
 * per process with `true`: the command wrapped where it works, unchanged elsewhere.
 */
function execWrapper(tool: string, args: readonly string[]): (cmd: ProcessCommand) => ProcessCommand {
  let supported: boolean | undefined;
  return (cmd) => {
    supported ??= process.platform === "linux" && spawnSync(hostCommand(tool), [...args, "true"], { stdio: "ignore" }).status === 0;
    return supported ? { ...cmd, command: hostCommand(tool), args: [...args, cmd.command, ...cmd.args] } : cmd;
  };
}

/**
 * Wraps a command so the kernel SIGKILLs the runtime when the simulator dies, however it dies
 * (PR_SET_PDEATHSIG through util-linux's setpriv, which execs). Without it, a SIGKILLed
 * lambda-sim leaves its environments running (a handler in a loop spins forever) until the next
 * start on the same state directory reaps them from the ledger. Elsewhere the command is unchanged.
 */
export const withParentDeathSignal = execWrapper("setpriv", ["--pdeathsig", "KILL"]);

/**
 * Runs the command under SCHED_BATCH (util-linux's chrt, which execs; inherited by everything it
 * starts). A runtime woken by its event then no longer preempts the simulator's thread on the
 * core it was woken from: the front door finishes what it is doing (the answer it is writing, the
 * next caller's request) and the runtime runs on the other core, or right after. CPU shares are
 * unchanged (SCHED_BATCH keeps the nice level); only wake-up preemption goes (sched(7)). Issue 16,
 * measured side by side on 2 cores: eight callers' warm invokes 4,157/s against 3,642/s without it
 * (7,879/s against 7,229/s in a second harness), one caller's p50 unchanged; nice levels instead
 * changed nothing. The price: chrt's exec, about 3 ms of a cold start that finds no pooled sandbox.
 * Elsewhere the command is unchanged.
 */
export const withBatchScheduling = execWrapper("chrt", ["--batch", "0"]);

/**
 * Whether this machine lets us give each environment its own `/tmp` (and `/opt`, `/etc/hosts`)
 * with a private mount namespace: as root, or, for a user, inside a user namespace of its own.
 * Probed once per process.
 */
export function supportsPrivateTmp(): boolean {
  return privateNamespaceOptions() !== null;
}

/**
 * Root gets a mount namespace alone. A user gets one inside its own user namespace, mapped to its
 * own uid (what a handler sees of itself is unchanged) and keeping the namespace's capabilities
 * across exec so the shell can mount (they are only over that namespace's own mounts). Elsewhere
 * (not Linux, user namespaces disabled) null: each environment's TMPDIR is its own directory instead.
 */
export function privateNamespaceOptions(): string[] | null {
  if (namespaceOptions === undefined) {
    namespaceOptions = null;
    if (process.platform === "linux") {
      for (const options of [["-m"], ["-U", "--map-current-user", "--keep-caps", "-m"]]) {
        const probe = spawnSync(hostCommand("unshare"), [...options, "--propagation", "private", "true"], { stdio: "ignore" });
        if (probe.status === 0) {
          namespaceOptions = options;
          break;
        }
      }
    }
  }
  return namespaceOptions;
}

/**
 * Wraps a command so that the process sees `tmpDir` mounted at `/tmp`. Paths it needs that live
 * under the host's /tmp (its code, when the state directory is there) are bound back in at the
 * same place first. All the mounts are one fstab (written to `fstabFile`) that a single
 * `mount --all` applies: one fork+exec instead of a `mkdir` and a `mount` per path (each cost
 * 5-15 ms of every cold start here); X-mount.mkdir creates the mount points. unshare and sh both
 * exec, so the pid we hold is the runtime's own pid.
 */
export function withPrivateTmp(cmd: ProcessCommand, tmpDir: string, keep: readonly string[], fstabFile: string, mounts: PrivateMounts = {}): ProcessCommand {
  writeFileSync(fstabFile, privateMountTable(tmpDir, keep, mounts));
  const base = privateNamespaceOptions() ?? ["-m"];
  // Where permitted, a PID namespace too, the runtime a child of its PID 1 (pid-namespace.ts); the
  // status fd that PID 1 writes to is closed for the runtime.
  const pid = pidNamespaceOptions(base);
  return {
    command: hostCommand("unshare"),
    // mount by its absolute path too (as "$1"): the shell's PATH is already the function's.
    args: [...base, "--propagation", "private", ...(pid ?? []), hostCommand("sh"), "-c", `"$1" --all --fstab "$0" || exit 1; shift; exec "$@"${pid === null ? "" : ` ${EXIT_STATUS_FD}>&-`}`, fstabFile, hostCommand("mount"), cmd.command, ...cmd.args],
    pidNamespace: pid !== null,
  };
}

/** What an environment's mount namespace holds besides its /tmp (all optional). */
export interface PrivateMounts {
  /** The function's layers, mounted read-only at /opt. */
  optDir?: string;
  /** No layers: an empty, read-only /opt (the host's is hidden), as on AWS. */
  emptyOpt?: boolean;
  /** The sandbox's /etc/hosts. */
  hostsFile?: string;
  /** The function's code folder, bound read-only onto itself (AWS's /var/task is read-only: EROFS). */
  codeDir?: string;
}

/** The mount table of a private /tmp (fstab(5) lines, applied in order). */
export function privateMountTable(tmpDir: string, keep: readonly string[], mounts: PrivateMounts = {}): string {
  const code = mounts.codeDir?.replace(/\/+$/, "");
  // Parents before children, so a nested path is bound on top of (not hidden by) its parent.
  const underTmp = [...new Set(keep.filter((p) => p.startsWith("/tmp/")).map((p) => p.replace(/\/+$/, "")))].sort((a, b) => a.length - b.length);
  // Code under the host's /tmp is bound in read-only (mount(8) binds, then remounts read-only).
  const lines = underTmp.map((p) => [p, tmpDir + p.slice("/tmp".length), "none", p === code ? "bind,ro,X-mount.mkdir" : "bind,X-mount.mkdir"]);
  // The function's layers at /opt, read-only as on AWS, or an empty read-only /opt without them;
  // and the sandbox's host names. Before /tmp: their sources may be host paths under /tmp.
  if (mounts.optDir !== undefined && mounts.optDir !== "") lines.push([mounts.optDir, "/opt", "none", "bind,ro"]);
  else if (mounts.emptyOpt === true) lines.push(["none", "/opt", "tmpfs", "ro,size=4k,mode=755"]);
  if (mounts.hostsFile !== undefined && mounts.hostsFile !== "") lines.push([mounts.hostsFile, "/etc/hosts", "none", "bind"]);
  lines.push([tmpDir, "/tmp", "none", "rbind"]);
  // Last, the code's read-only bind: a bind copies its source mount's read-only flag, and the state
  // directory (so this /tmp, the layers' folder, the hosts file) may live inside the code folder
  // (`codeUri: ./`, review23 R1: /tmp came out read-only).
  if (code !== undefined && !underTmp.includes(code)) lines.push([code, code, "none", "bind,ro"]);
  return lines.map((fields) => `${fields.map(fstabField).join(" ")} 0 0\n`).join("");
}

/** fstab(5) escapes spaces, tabs, newlines and backslashes in a path as octal. */
function fstabField(path: string): string {
  return path.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}
