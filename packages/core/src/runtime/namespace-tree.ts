import { readFileSync } from "node:fs";
import { descendantsOf, firstChildOf, namespacePids, namespacePrivateKb } from "./pid-namespace.ts";
import { peakMemoryMb, residentMemoryMb } from "./process-memory.ts";

/**
 * The processes of one environment that has a PID namespace (pid-namespace.ts), seen from the
 * machine: `outer` is the process the simulator holds (unshare, the group leader), its child the
 * namespace's PID 1 (the holder), the holder's first child the runtime. Everything a handler
 * starts is in the namespace, `setsid` or not (its orphans go to the holder), so the namespace's
 * own /proc lists the whole environment. The common case, a runtime with no children, is found
 * with one directory read (two pids: the holder and the runtime), and then costs what a process
 * group did: one group signal to freeze, one status file to weigh.
 */
export class NamespaceTree {
  private readonly outer: number;
  private holderPid: number | undefined;
  private runtimePid: number | undefined;
  /** The runtime's pid as its namespace numbers it. */
  private runtimeNsPid: number | undefined;
  /** Processes outside the runtime's group that the last freeze stopped (host pids): thawed with it. */
  private stopped = new Set<number>();

  /** Joined to an anchor's namespace (namespace-anchor.ts): its PID 1 is `joined`, its PID 2 the anchor. */
  private readonly joined: boolean;

  /** `holder`: the PID 1 of the anchor's namespace that the process `outer` joined (perl, the runtime's parent). */
  constructor(outer: number, holder?: number) {
    this.outer = outer;
    this.holderPid = holder;
    this.joined = holder !== undefined;
  }

  /** The namespace's PID 1 (host pid), once unshare has forked it. */
  get holder(): number | undefined {
    this.holderPid ??= firstChildOf(this.outer);
    return this.holderPid;
  }

  /** The runtime (host pid), once the holder has forked it: the holder's first child (orphans come after it). */
  get runtime(): number | undefined {
    const parent = this.joined ? this.outer : this.holder;
    if (parent !== undefined) this.runtimePid ??= firstChildOf(parent);
    return this.runtimePid;
  }

  /** More processes than the holder and the runtime are in the namespace. */
  private crowded(): boolean {
    const holder = this.holder;
    return holder !== undefined && namespacePids(holder).length > 2;
  }

  /**
   * After the group is stopped: stops every other process of the namespace (a handler's
   * `setsid` children and their own), walked again until no new one appears (one that was still
   * running may have forked meanwhile).
   */
  stopOthers(group: number): void {
    this.stopped = new Set();
    if (!this.crowded()) return;
    for (let round = 0; round < 5; round++) {
      const tree = this.joined ? [...descendantsOf(this.outer, MAX_WALKED), ...descendantsOf(this.holder!, MAX_WALKED)] : descendantsOf(this.holder!, MAX_WALKED);
      const found = tree.filter((pid) => !this.stopped.has(pid) && groupOf(pid) !== group);
      if (found.length === 0) return;
      for (const pid of found) {
        signal(pid, "SIGSTOP");
        this.stopped.add(pid);
      }
    }
  }

  /** Thaws what stopOthers() stopped (after the group's SIGCONT). */
  continueOthers(): void {
    for (const pid of this.stopped) signal(pid, "SIGCONT");
    this.stopped = new Set();
  }

  /**
   * Resident memory of the whole environment in MB: the runtime's (VmRSS, as without a
   * namespace) and the private memory of every other process of the namespace (a handler's
   * children; joined, the extensions too: one microVM's memory on AWS), but PID 1 (RAPID's part)
   * and an anchor (PID 2). The runtime alone when it has no company: one directory read more.
   */
  residentMb(): number {
    const holder = this.holder;
    const runtime = this.runtime;
    if (holder === undefined || runtime === undefined) return 0;
    const own = residentMemoryMb(runtime);
    const pids = namespacePids(holder);
    if (pids.length <= 2 && !this.joined) return own;
    this.runtimeNsPid ??= nsPidOf(runtime);
    const others = pids.filter((p) => p !== 1 && p !== this.runtimeNsPid && !(this.joined && p === 2)).slice(0, MAX_WALKED);
    return own + namespacePrivateKb(holder, others) / 1024;
  }

  /** The runtime's own peak (VmHWM); its children's weigh in through residentMb()'s samples. */
  runtimePeakMb(): number {
    return peakMemoryMb(this.runtime);
  }
}

/**
 * The most processes of one environment a freeze walks or a memory sample weighs (our choice): each
 * costs a /proc read on the simulator's thread, so a handler that leaves thousands of children
 * behind slows its own freezes by a few ms, not the whole simulator (review23 M2). Past it, the
 * rest run on while the environment is frozen and weigh nothing.
 */
const MAX_WALKED = 512;

function groupOf(pid: number): number {
  try {
    // /proc/PID/stat: "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const text = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return Number(fields[2]);
  } catch {
    return -1;
  }
}

/** A process's pid in its own PID namespace: the last of its status's NSpid line. */
function nsPidOf(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "latin1");
    const i = text.indexOf("NSpid:");
    const line = text.slice(i + 6, text.indexOf("\n", i)).trim().split(/\s+/);
    return i < 0 ? undefined : Number(line[line.length - 1]);
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone meanwhile.
  }
}
