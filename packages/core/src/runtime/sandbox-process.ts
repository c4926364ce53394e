import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readSync } from "node:fs";
import { join } from "node:path";
import type { Duplex, Readable } from "node:stream";
import { stopwatch } from "../clock/stopwatch.ts";
import { peakMemoryMb, residentMemoryMb } from "./process-memory.ts";
import type { ProcessLedger } from "./process-ledger.ts";
import { RUNTIME_ANSWER_FD, RUNTIME_CHANNEL_FD, type ChannelSockets } from "./runtime-channel.ts";
import { joinCommand } from "./namespace-anchor.ts";
import { NamespaceTree } from "./namespace-tree.ts";
import { EXIT_STATUS_FD, namespaceExit } from "./pid-namespace.ts";
import { planSandbox, type SandboxSpec } from "./sandbox-plan.ts";
import { withBatchScheduling, withParentDeathSignal, withPrivateTmp, type ProcessCommand } from "./runtime-driver.ts";

/** What a sandbox runs (a SandboxSpec, planned by sandbox-plan.ts), and who its process reports to. */
export interface SandboxOptions extends SandboxSpec {
  environmentId: string;
  processes: ProcessLedger;
  /**
   * The host pid of the PID 1 of its environment's namespaces to join (an environment with
   * external extensions: namespace-anchor.ts), instead of namespaces of its own.
   */
  joinNamespace?: number;
  /** `pipe`: which of the process's pipes (a line continues only within its own). */
  onOutput: (chunk: Buffer, pipe: "stdout" | "stderr") => void;
  /** The process ended (not called after `kill()`, whose outcome the caller already decided). */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** Our choice: at most this much is read at once by drainOutput (a few pipe buffers). */
const DRAIN_MAX_BYTES = 4 * 1024 * 1024;
const drainBuffer = Buffer.alloc(64 * 1024);

/** How stale a warm invocation's "Max Memory Used" may be: a /proc read is four system calls. */
const MEMORY_SAMPLE_MS = 50;

/**
 * One runtime process of an execution environment: started by its RuntimeDriver in its own
 * process group (so the whole tree freezes, thaws and dies together), with its own /tmp, noted in
 * the process ledger while it lives.
 */
export class SandboxProcess {
  readonly pid: number | undefined;
  /** The private channel to our bootstrap (runtime-channel.ts), for the runtimes whose bootstrap is ours. */
  readonly channel: ChannelSockets | undefined;
  frozen = false;
  private readonly child: ChildProcess;
  private readonly opts: SandboxOptions;
  private alive = true;
  private lastPeakMb = 1;
  private lastPeakReadAt = Number.NEGATIVE_INFINITY;
  /** Its PID namespace's processes, where it has one (pid-namespace.ts): `pid` is then unshare's. */
  private readonly tree: NamespaceTree | undefined;

  /**
   * Starts the runtime, or returns RAPID's Runtime.InvalidEntrypoint message when its executable
   * is missing or not executable (aws-facts §1.5).
   */
  static start(opts: SandboxOptions): SandboxProcess | { invalidEntrypoint: string } {
    const plan = planSandbox(opts);
    if ("invalidEntrypoint" in plan) return plan;
    mkdirSync(opts.tmpDir, { recursive: true });
    const cmd =
      plan.privateTmp === undefined ? plan.command
      : opts.joinNamespace !== undefined ? joinCommand(plan.command, opts.joinNamespace, opts.config.codeDir)
      : withPrivateTmp(plan.command, opts.tmpDir, plan.privateTmp.keep, mountTableFile(opts.tmpDir), plan.privateTmp);
    const child = spawnSandbox(withParentDeathSignal(cmd), plan.env, opts.config.codeDir, plan.channel);
    return new SandboxProcess(child, opts, opts.logStream);
  }

  /**
   * A process started ahead of its function (a pooled sandbox, sandbox-pool.ts) now serving
   * `opts`. `ledgerMarker` is the log stream name its own start-up environment carries, which
   * the process ledger checks before killing a leftover pid.
   */
  static adopt(child: ChildProcess, opts: SandboxOptions, ledgerMarker: string): SandboxProcess {
    return new SandboxProcess(child, opts, ledgerMarker);
  }

  private constructor(child: ChildProcess, opts: SandboxOptions, ledgerMarker: string) {
    this.child = child;
    this.opts = opts;
    this.pid = child.pid;
    this.channel = channelOf(child);
    this.tree = child.pid === undefined ? undefined : statusPipeOf(child) ? new NamespaceTree(child.pid) : opts.joinNamespace !== undefined ? new NamespaceTree(child.pid, opts.joinNamespace) : undefined;
    if (child.pid !== undefined) opts.processes.record(opts.environmentId, child.pid, ledgerMarker);
    child.stdout!.on("data", (chunk: Buffer) => opts.onOutput(chunk, "stdout"));
    child.stderr!.on("data", (chunk: Buffer) => opts.onOutput(chunk, "stderr"));
    child.on("error", () => this.ended(127, null));
    child.on("exit", (code, signal) => this.exited(code, signal));
    // A pooled process may have ended before it was adopted.
    if (child.exitCode !== null || child.signalCode !== null) setImmediate(() => this.exited(child.exitCode, child.signalCode));
  }

  /**
   * Reads now what the process wrote to stdout and stderr and the event loop has not read yet,
   * and hands it to `onOutput`. The runtime writes its output before it answers, but the answer
   * comes over another pipe (the Runtime API, the private channel), so its last pipeful (up to a
   * pipe's buffer: the writer waited for the rest to be read) could be read after it, and land
   * after END in CloudWatch Logs, a line cut in two. The simulator's ends of the pipes are
   * non-blocking (libuv's), so a read finds what is there or EAGAIN; bounded, in case the process
   * keeps writing.
   */
  drainOutput(maxBytes = DRAIN_MAX_BYTES): void {
    // Each pipe ends with an EAGAIN: thrown without a stack, it costs less (still some 25 µs).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      this.drainPipes(maxBytes);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }

  private drainPipes(maxBytes: number): void {
    let total = 0;
    for (const [stream, pipe] of [[this.child.stdout, "stdout"], [this.child.stderr, "stderr"]] as const) {
      const fd = (stream as unknown as { _handle?: { fd?: number } } | null)?._handle?.fd;
      if (typeof fd !== "number" || fd < 0) continue;
      while (total < maxBytes) {
        let n: number;
        try {
          n = readSync(fd, drainBuffer, 0, drainBuffer.length, null);
        } catch {
          break; // EAGAIN: nothing more (or the pipe is gone).
        }
        if (n <= 0) break;
        total += n;
        this.opts.onOutput(Buffer.from(drainBuffer.subarray(0, n)), pipe);
      }
    }
  }

  /**
   * SIGSTOP the group: the environment is frozen between invocations (aws-facts §3). In a PID
   * namespace, every other process of it too (a handler's `setsid` children: NamespaceTree).
   */
  freeze(): void {
    this.signal("SIGSTOP");
    if (this.pid !== undefined) this.tree?.stopOthers(this.pid);
    this.frozen = true;
  }

  thaw(): void {
    this.signal("SIGCONT");
    this.tree?.continueOthers();
    this.frozen = false;
  }

  /** SIGKILL the group (timeout, out of memory, retirement); no exit callback follows. */
  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    this.opts.processes.forget(this.opts.environmentId);
    this.signal("SIGKILL");
  }

  /**
   * A peak RSS the process read of itself (our bootstraps send it with each answer): it counts as
   * a fresh sample, so peakMemoryMb() has no /proc file to read for this invocation.
   */
  notePeakKb(kb: number): void {
    if (!(kb > 0)) return;
    this.lastPeakReadAt = stopwatch.now();
    this.lastPeakMb = Math.max(this.lastPeakMb, Math.round(kb / 1024));
  }

  /** Peak RSS (VmHWM) in MB, sampled at most every 50 ms; the last reading outlives the process. */
  peakMemoryMb(): number {
    const now = stopwatch.now();
    if (now - this.lastPeakReadAt >= MEMORY_SAMPLE_MS) {
      this.lastPeakReadAt = now;
      const mb = this.tree === undefined ? peakMemoryMb(this.pid) : this.tree.runtimePeakMb();
      if (mb > 0) this.lastPeakMb = Math.max(this.lastPeakMb, Math.round(mb));
    }
    return this.lastPeakMb;
  }

  residentMemoryMb(): number {
    // In a PID namespace, every process of the environment (fuzz19 F10: a handler's children count).
    const mb = this.tree === undefined ? residentMemoryMb(this.pid) : this.tree.residentMb();
    this.lastPeakMb = Math.max(this.lastPeakMb, Math.round(mb));
    return mb;
  }

  /** The process we hold ended: in a PID namespace, how the runtime ended is what its PID 1 says. */
  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.tree === undefined) return this.ended(code, signal);
    const e = namespaceExit(statusPipeOf(this.child), code, signal);
    this.ended(e.code, e.signal);
  }

  private ended(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.alive) return;
    this.alive = false;
    this.frozen = false;
    this.opts.processes.forget(this.opts.environmentId);
    this.opts.onExit(code, signal);
  }

  /** Signals the whole process group (the runtime and anything it spawned). */
  private signal(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Spawns a runtime in its own process group, with fds 3 and 4 as its private channel when `channel`. */
export function spawnSandbox(cmd: ProcessCommand, env: Record<string, string>, cwd: string, channel: boolean): ChildProcess {
  const stdio: ("ignore" | "pipe")[] = channel ? ["ignore", "pipe", "pipe", "pipe", "pipe"] : ["ignore", "pipe", "pipe"];
  // The fd on which the namespace's PID 1 says how the runtime ended (pid-namespace.ts).
  if (cmd.pidNamespace === true) while (stdio.length <= EXIT_STATUS_FD) stdio.push(stdio.length === EXIT_STATUS_FD ? "pipe" : "ignore");
  const run = withBatchScheduling(cmd);
  // Perl (the namespace's PID 1) warns on stderr of a locale the machine lacks; PERL_BADLANG="" quiets it, and PID 1 removes it.
  const started = (cmd.pidNamespace === true || cmd.joined === true) && env.PERL_BADLANG === undefined ? { ...env, PERL_BADLANG: "" } : env;
  return spawn(run.command, run.args, { cwd, env: started, detached: true, stdio });
}

/** The pipe on which a PID namespace's PID 1 says how the runtime ended, when the process has one. */
function statusPipeOf(child: ChildProcess): Readable | undefined {
  return ((child.stdio as unknown as (Readable | null | undefined)[])[EXIT_STATUS_FD]) ?? undefined;
}

/** The simulator's ends of a spawned runtime's channel, when it has one. */
export function channelOf(child: ChildProcess): ChannelSockets | undefined {
  const events = child.stdio[RUNTIME_CHANNEL_FD] as Duplex | null | undefined;
  const answers = child.stdio[RUNTIME_ANSWER_FD] as Duplex | null | undefined;
  return events && answers ? { events, answers } : undefined;
}

let mountTables = 0;

/** Where a process's mount table is written (beside its /tmp directory, removed with it: mountTablesOf). */
export function mountTableFile(tmpDir: string): string {
  const dir = mountTablesOf(tmpDir);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${++mountTables}.fstab`);
}

export function mountTablesOf(tmpDir: string): string {
  return `${tmpDir}.mounts`;
}

/** Go's spelling of signals, as RAPID reports them ("signal: killed"). */
export function signalText(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = { SIGKILL: "killed", SIGABRT: "aborted", SIGSEGV: "segmentation fault", SIGTERM: "terminated" };
  return names[signal] ?? signal;
}
