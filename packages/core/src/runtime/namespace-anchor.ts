import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, realpathSync } from "node:fs";
import { stopwatch } from "../clock/stopwatch.ts";
import { hostCommand } from "./host-command.ts";
import { exeOf, firstChildOf, pidNamespacesInUse } from "./pid-namespace.ts";
import type { ProcessLedger } from "./process-ledger.ts";
import { planSandbox, type SandboxPlan } from "./sandbox-plan.ts";
import type { SandboxOptions } from "./sandbox-process.ts";
import { privateNamespaceOptions, withParentDeathSignal, withPrivateTmp, type PrivateMounts, type ProcessCommand } from "./runtime-driver.ts";

/** Our choice: how long an anchor may take to start before its environment goes without it. */
const READY_WAIT_MS = 10_000;
const READY_POLL_MS = 2;

/**
 * The namespaces of an environment with external extensions (fuzz19 F1/F2 for extensions): on AWS
 * the extensions and the runtime share one microVM, so here they share one mount and PID
 * namespace. Extensions start before the runtime, and any of them may exit or crash on its own,
 * so neither owns the namespaces: an anchor does, a process that only sleeps (the namespace's
 * PID 2, under its PID 1) with the environment's mounts made for the runtime and every extension
 * (`keep`: all their host paths under /tmp). The extensions and the runtime join it (joinCommand);
 * killing the anchor ends everything in the namespace, as retiring a microVM does. Recorded in the
 * process ledger as an environment's process is.
 */
export class NamespaceAnchor {
  private readonly child: ChildProcess;
  private readonly processes: ProcessLedger;
  private readonly id: string;
  private holderPid: number | undefined;

  private constructor(child: ChildProcess, processes: ProcessLedger, id: string) {
    this.child = child;
    this.processes = processes;
    this.id = id;
  }

  /**
   * The anchor of the environment whose runtime `base` starts with the external extensions
   * `names`: its mounts are the runtime's (its /tmp, /opt, /etc/hosts, code read-only), with the
   * host paths every one of them needs under /tmp. Undefined where environments get no PID
   * namespace, or nothing can be planned (an entrypoint missing: its start says so).
   */
  static forEnvironment(base: SandboxOptions, names: readonly string[], fstabFile: string): NamespaceAnchor | undefined {
    const plans = [planSandbox(base), ...names.map((extension) => planSandbox({ ...base, extension }))].filter((p): p is SandboxPlan => !("invalidEntrypoint" in p));
    const mounts = plans[0]?.privateTmp;
    if (mounts === undefined) return undefined;
    const keep = [...new Set(plans.flatMap((p) => p.privateTmp?.keep ?? []))];
    mkdirSync(base.tmpDir, { recursive: true });
    return NamespaceAnchor.start(`${base.environmentId}-anchor`, base.logStream, base.tmpDir, keep, fstabFile, mounts, base.processes);
  }

  /** Starts an anchor with `mounts`, or undefined where environments get no PID namespace. */
  static start(id: string, logStream: string, tmpDir: string, keep: readonly string[], fstabFile: string, mounts: PrivateMounts, processes: ProcessLedger): NamespaceAnchor | undefined {
    const sleep: ProcessCommand = { command: hostCommand("sleep"), args: ["2147483647"] };
    const cmd = withParentDeathSignal(withPrivateTmp(sleep, tmpDir, keep, fstabFile, mounts));
    if (cmd.pidNamespace !== true || !pidNamespacesInUse()) return undefined;
    // Its log stream name is what the ledger checks before it kills a leftover pid.
    const child = spawn(cmd.command, cmd.args, { cwd: "/", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AWS_LAMBDA_LOG_STREAM_NAME: logStream, PERL_BADLANG: "" }, detached: true, stdio: "ignore" });
    child.on("error", () => {});
    if (child.pid !== undefined) processes.record(id, child.pid, logStream);
    return new NamespaceAnchor(child, processes, id);
  }

  /**
   * The host pid of the namespace's PID 1 once the anchor's mounts are made (its `sleep` runs), or
   * undefined when it died or did not get there in time (then killed): the environment's
   * processes then get namespaces of their own, as without extensions.
   */
  async ready(): Promise<number | undefined> {
    const since = stopwatch.now();
    const sleep = realpathSync(hostCommand("sleep"));
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return undefined;
      const holder = firstChildOf(this.child.pid ?? -1);
      const anchor = holder === undefined ? undefined : firstChildOf(holder);
      if (anchor !== undefined && exeOf(anchor) === sleep) return (this.holderPid = holder);
      if (stopwatch.now() - since > READY_WAIT_MS) {
        this.kill();
        return undefined;
      }
      await new Promise<void>((r) => stopwatch.after(READY_POLL_MS, r));
    }
  }

  get holder(): number | undefined {
    return this.holderPid;
  }

  /** Ends the namespace: everything in it dies with its PID 1. */
  kill(): void {
    this.processes.forget(this.id);
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/**
 * Joins `cmd` to the namespaces whose PID 1 is `holder` (nsenter, in the working directory `cwd`).
 * `--no-fork`: nsenter's own fork would wait for its child with WUNTRACED and, seeing it stopped
 * (a freeze), stop itself and continue the child; instead perl, still in the machine's PID
 * namespace, forks the process into the environment's, waits for it, and ends as it ended (its
 * exit status, or the same signal raised on itself: not being a namespace's init, it can), so
 * RAPID's "exit status N" / "signal: killed" reach the simulator unchanged.
 */
export function joinCommand(cmd: ProcessCommand, holder: number, cwd: string): ProcessCommand {
  const user = privateNamespaceOptions()?.includes("-U") === true ? ["-U", "--preserve-credentials"] : [];
  const relay = [
    'delete $ENV{PERL_BADLANG} if ($ENV{PERL_BADLANG} // "x") eq "";',
    "my $p = fork; exit 127 unless defined $p;",
    "if (!$p) { exec { $ARGV[0] } @ARGV; exit 127 }",
    "waitpid($p, 0); my $s = $?;",
    "if ($s & 127) { kill($s & 127, $$); } exit($s >> 8);",
  ].join(" ");
  return {
    command: hostCommand("nsenter"),
    args: ["-t", String(holder), ...user, "-m", "-p", "--no-fork", `--wd=${cwd}`, hostCommand("perl"), "-e", relay, cmd.command, ...cmd.args],
    joined: true,
  };
}
