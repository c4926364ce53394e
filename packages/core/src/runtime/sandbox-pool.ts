import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ColdStartBursts } from "./cold-start-bursts.ts";
import type { ProcessLedger } from "./process-ledger.ts";
import { specialisationFrame } from "./runtime-channel.ts";
import { genericEnvironment, startupVariables } from "./sandbox-environment.ts";
import { driverFor, withParentDeathSignal, withPrivateTmp, type ProcessCommand } from "./runtime-driver.ts";
import { channelOf, mountTableFile, mountTablesOf, SandboxProcess, spawnSandbox, type SandboxOptions } from "./sandbox-process.ts";
import { planSandbox, type SandboxPlan } from "./sandbox-plan.ts";
import { bindCodeReadOnly, canBindLater } from "./read-only-code.ts";
import { EXIT_STATUS_FD } from "./pid-namespace.ts";

export interface SandboxPoolOptions {
  /** Ready sandboxes kept per key (0 disables the pool). */
  size: number;
  /**
   * The most ready sandboxes one key grows to after a burst of its cold starts (ColdStartBursts),
   * while the whole pool holds fewer than `maxKeys` × `size` sandboxes. Default DEFAULT_SANDBOX_POOL_BURST.
   */
  burst?: number;
  /** Keys kept at once; the least recently used one's sandboxes go first. */
  maxKeys: number;
  tmpRoot: string;
  processes: ProcessLedger;
}

/** The default `size`: one ready sandbox per runtime command line that has been used. */
export const DEFAULT_SANDBOX_POOL_SIZE = 1;
export const DEFAULT_SANDBOX_POOL_KEYS = 8;
/** Our choice: the burst of 4 cold starts that bench/cold-start.ts measures, at most. */
export const DEFAULT_SANDBOX_POOL_BURST = 4;

/**
 * One start as the pool sees it (SandboxPool.kindOf): the key of the sandboxes that can serve it,
 * how such a sandbox is started (command and plan), and the start's options.
 */
export interface SandboxKind {
  readonly key: string;
  readonly command: ProcessCommand;
  readonly plan: SandboxPlan;
  readonly opts: SandboxOptions;
}

interface Pooled {
  id: string;
  child: ChildProcess;
  tmpDir: string;
  /**
   * The code folder its own mounts bind read-only: that of the function whose start filled the
   * pool, the likeliest to take it (a function's cold starts scaling out), and its identity then
   * (a folder made again at the same path is bound again). Another's is bound when it takes it.
   */
  codeDir: { path: string; identity: string } | undefined;
  /** The log stream name in its start-up environment (what the process ledger matches). */
  marker: string;
  /**
   * The folders under the host's /tmp bound into its private /tmp (a code folder under
   * `--in-memory`), as they were when it started: a folder deleted and made again at the same path
   * (a function deleted and created again from the same zip) is another directory, which the
   * sandbox's bind does not show (newuser12 N1-1: its cwd failed with ENOENT).
   */
  binds: { path: string; identity: string }[];
  discard: () => void;
}

/** A folder's identity (device and inode), "" when it is gone. */
function identity(path: string): string {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return "";
  }
}

/**
 * Pre-started, unspecialised sandboxes (issue 16's cold-start lever): the whole start chain
 * (parent-death signal, private mount namespace with /tmp on a fresh directory, the interpreter,
 * our bootstrap loaded with its private channel) already run, waiting for the function it will
 * serve. A cold start of a function that a generic sandbox can serve takes one: its Init (the
 * handler's import, Init Duration, init errors and timeouts) then runs as in a process started
 * for it. Which can: our own bootstraps (Node, Python) without layers, extensions or a wrapper
 * script. Sandboxes are keyed by their command line (runtime, interpreter flags such as the heap
 * cap that follows memorySize), the host paths bound under their /tmp, whether /tmp is private,
 * and the variables the runtime reads at start-up (STARTUP_VARIABLE); a key gets `size`
 * ready sandboxes once a function of that key has started, more after a burst of its cold starts
 * (up to `burst`, ColdStartBursts), and at most `maxKeys` keys are kept. A sandbox taken by a lone
 * cold start is replaced as it is taken; otherwise the key is refilled after an Init. Pooled
 * processes are in the process ledger and die with the simulator like any environment's.
 */
export class SandboxPool {
  private readonly opts: SandboxPoolOptions;
  /** Ready (or still starting) sandboxes per key, in least-recently-used key order. */
  private readonly ready = new Map<string, Pooled[]>();
  private readonly bursts: ColdStartBursts;
  private closed = false;

  constructor(opts: SandboxPoolOptions) {
    this.opts = opts;
    this.bursts = new ColdStartBursts(opts.size, opts.burst ?? DEFAULT_SANDBOX_POOL_BURST);
  }

  /**
   * The pool's view of starting `opts`: its key and how a sandbox of that key is started, or
   * undefined when no pooled sandbox can serve it (or the pool is off). Computed once per start
   * and passed to take(), refill() and initFailed(): it checks the entrypoint and plans the
   * environment, so it is not free.
   */
  kindOf(opts: SandboxOptions): SandboxKind | undefined {
    if (this.opts.size <= 0 || opts.extension !== undefined || opts.config.optDir !== undefined) return undefined;
    const driver = driverFor(opts.config.runtime);
    const command = driver.sandboxCommand?.(opts.config);
    if (command === undefined) return undefined;
    const plan = planSandbox(opts);
    if ("invalidEntrypoint" in plan || !plan.channel) return undefined;
    if (plan.env.AWS_LAMBDA_EXEC_WRAPPER !== undefined) return undefined;
    const underTmp = (plan.privateTmp?.keep ?? []).filter((p) => p.startsWith("/tmp/")).sort();
    // A user's sandbox serves only the code it was started with (its folder bound read-only as it
    // started: canBindLater()), so its code folder is part of its key (review23 M3: another
    // function's start found it at the head of the key's list, left it there, and never refilled).
    const code = opts.privateTmp && !canBindLater() ? [opts.config.codeDir] : [];
    return { key: JSON.stringify([command.command, command.args, underTmp, opts.privateTmp, startupVariables(plan.env), ...code]), command, plan, opts };
  }

  /**
   * A pooled sandbox of `kind` specialised for its options (the function's variables and code
   * directory sent on its channel), with the directory its /tmp is (the environment's from now
   * on), or undefined when there is none for its key. Only for an environment's first start: a
   * reset environment keeps its own /tmp. The sandbox may still be starting: the frame waits in
   * its channel, and it still has a head start on a new process.
   */
  take(kind: SandboxKind): { process: SandboxProcess; tmpDir: string } | undefined {
    const opts = kind.opts;
    this.bursts.began(kind.key, opts.environmentId);
    const list = this.ready.get(kind.key);
    let sandbox = list?.shift();
    // One that died a moment ago, before its exit was heard, or whose bound folders were replaced
    // since it started (a user's: its code folder too, bound as it started), is dropped.
    const stale = (p: Pooled) => p.binds.some((b) => identity(b.path) !== b.identity) || (!canBindLater() && p.codeDir !== undefined && identity(p.codeDir.path) !== p.codeDir.identity);
    while (sandbox !== undefined && (sandbox.child.exitCode !== null || sandbox.child.signalCode !== null || stale(sandbox))) {
      if (sandbox.child.exitCode === null && sandbox.child.signalCode === null) this.kill(sandbox);
      sandbox = list!.shift();
    }
    if (sandbox === undefined) return undefined;
    // Its code folder must be read-only in it, as in a process started for it (fuzz19 F3): bound
    // already when the function whose start filled the pool takes it, else bound now, which only
    // root can do from outside (canBindLater()): a user's start goes without the pool then.
    const bound = sandbox.codeDir?.path === opts.config.codeDir && sandbox.codeDir.identity === identity(opts.config.codeDir);
    if (opts.privateTmp && !bound && !canBindLater()) {
      // Its key names its code folder: only a sandbox dropped above could differ. Start normally, and refill.
      this.kill(sandbox);
      setImmediate(() => this.fill(kind));
      return undefined;
    }
    this.touch(kind.key, list!);
    this.opts.processes.forget(sandbox.id);
    sandbox.discard();
    // Without a private /tmp the function's TMPDIR names its directory, which the frame carries.
    const plan = opts.privateTmp ? kind.plan : planSandbox({ ...opts, tmpDir: sandbox.tmpDir });
    if ("invalidEntrypoint" in plan) return undefined;
    // The private /tmp's sh exports PWD (its working directory, resolved) to a process started
    // for the function; the sandbox's sh saw the pool's directory instead.
    const env = opts.privateTmp ? { ...plan.env, PWD: realpathSync(opts.config.codeDir) } : plan.env;
    const channel = channelOf(sandbox.child)!;
    const frame = specialisationFrame(opts.config.codeDir, env);
    // The handler loads once its code folder is read-only.
    if (opts.privateTmp && sandbox.child.pid !== undefined && !bound) bindCodeReadOnly(sandbox.child, kind.command.command, opts.config.codeDir, () => channel.events.write(frame));
    else channel.events.write(frame);
    // A lone cold start's sandbox is replaced at once, while its Init runs in the sandbox taken
    // (a cold start right behind it finds a head start, not a process spawned a moment before).
    // In a burst, the Inits get the cores and the key is refilled after the last (refill()).
    setImmediate(() => {
      if (this.bursts.inInit(kind.key) <= 1) this.fill(kind);
    });
    return { process: SandboxProcess.adopt(sandbox.child, { ...opts, tmpDir: sandbox.tmpDir }, sandbox.marker), tmpDir: sandbox.tmpDir };
  }

  /** An Init of `kind` succeeded: its key is refilled, off that Init's critical path. */
  refill(kind: SandboxKind): void {
    this.fill(kind, true);
  }

  /** An Init of `kind` failed or timed out: it no longer counts in a burst. */
  initFailed(kind: SandboxKind): void {
    this.bursts.ended(kind.key, kind.opts.environmentId);
  }

  /** Starts sandboxes for `kind`'s key until it has as many as it wants (`initEnded`: called by refill()). */
  private fill(kind: SandboxKind, initEnded = false): void {
    if (this.closed || this.opts.size <= 0) return;
    const key = kind.key;
    if (initEnded) this.bursts.ended(key, kind.opts.environmentId);
    const list = this.ready.get(key) ?? [];
    this.touch(key, list);
    // Beyond `size`, as many as the key's bursts call for once none of its Inits is running (they
    // get the cores first), and while the pool holds fewer than it does with every key at `size`:
    // the memory the pool may take stays bounded.
    const target = this.bursts.inInit(key) > 0 ? this.opts.size : this.bursts.target(key);
    while (list.length < this.opts.size || (list.length < target && this.size < this.opts.maxKeys * this.opts.size)) list.push(this.spawn(kind.command, kind.plan, list, kind.opts.config.codeDir));
    for (const k of [...this.ready.keys()].slice(0, Math.max(0, this.ready.size - this.opts.maxKeys))) {
      for (const s of this.ready.get(k)!) this.kill(s);
      this.ready.delete(k);
      this.bursts.forget(k);
    }
  }

  /**
   * Kills every pooled sandbox (shutdown), and forgets them in the process ledger now: the
   * simulator may exit before their exits are heard, and an entry left would be reaped, for
   * nothing, at the next start.
   */
  close(): void {
    this.closed = true;
    for (const list of this.ready.values()) {
      for (const s of list) {
        this.kill(s);
        this.opts.processes.forget(s.id);
      }
    }
    this.ready.clear();
  }

  /** How many sandboxes wait (started or starting). */
  get size(): number {
    let n = 0;
    for (const list of this.ready.values()) n += list.length;
    return n;
  }

  private spawn(command: ProcessCommand, plan: SandboxPlan, list: Pooled[], codeDir: string): Pooled {
    const id = `sandbox-${randomBytes(8).toString("hex")}`;
    const marker = `lambda-sim-${id}`;
    const tmpDir = join(this.opts.tmpRoot, id);
    mkdirSync(tmpDir, { recursive: true });
    const cmd = plan.privateTmp === undefined ? command : withPrivateTmp(command, tmpDir, plan.privateTmp.keep, mountTableFile(tmpDir), { emptyOpt: plan.privateTmp.emptyOpt, codeDir });
    const child = spawnSandbox(withParentDeathSignal(cmd), genericEnvironment(plan.env, marker), this.opts.tmpRoot, true);
    const drop = () => {};
    child.stdout!.on("data", drop);
    child.stderr!.on("data", drop);
    // A sandbox that dies while it waits leaves the pool (the next cold start starts normally).
    const gone = () => {
      // Its exit-status pipe (a PID namespace's) is read only by an adopted sandbox: closed here (review23 M1: one fd per dead sandbox).
      (child.stdio as unknown as ({ destroy(): void } | null | undefined)[])[EXIT_STATUS_FD]?.destroy();
      const i = list.indexOf(sandbox);
      if (i >= 0) list.splice(i, 1);
      this.opts.processes.forget(id);
      rmSync(tmpDir, { recursive: true, force: true });
      rmSync(mountTablesOf(tmpDir), { recursive: true, force: true });
    };
    child.on("exit", gone);
    child.on("error", gone);
    const sandbox: Pooled = {
      id,
      child,
      tmpDir,
      codeDir: plan.privateTmp === undefined ? undefined : { path: codeDir, identity: identity(codeDir) },
      marker,
      binds: (plan.privateTmp?.keep ?? []).filter((p) => p.startsWith("/tmp/")).map((path) => ({ path, identity: identity(path) })),
      discard: () => {
        child.stdout!.off("data", drop);
        child.stderr!.off("data", drop);
        child.off("exit", gone);
        child.off("error", gone);
      },
    };
    if (child.pid !== undefined) this.opts.processes.record(id, child.pid, marker);
    return sandbox;
  }

  private kill(s: Pooled): void {
    try {
      if (s.child.pid !== undefined) process.kill(-s.child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }

  private touch(key: string, list: Pooled[]): void {
    this.ready.delete(key);
    this.ready.set(key, list);
  }
}

/** Whether an environment's /tmp directory was never created (a first start, which a pooled sandbox can serve). */
export function firstStart(tmpDir: string): boolean {
  return !existsSync(tmpDir);
}
