import { readFileSync } from "node:fs";
import { descendantsOf, firstChildOf, namespacePids, namespaceResidentKb } from "./pid-namespace.ts";
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
  /** Processes outside the runtime's group that the last freeze stopped (host pids): thawed with it. */
  private stopped: number[] = [];

  constructor(outer: number) {
    this.outer = outer;
  }

  /** The namespace's PID 1 (host pid), once unshare has forked it. */
  get holder(): number | undefined {
    this.holderPid ??= firstChildOf(this.outer);
    return this.holderPid;
  }

  /** The runtime (host pid), once the holder has forked it: the holder's first child (orphans come after it). */
  get runtime(): number | undefined {
    const holder = this.holder;
    if (holder !== undefined) this.runtimePid ??= firstChildOf(holder);
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
    this.stopped = [];
    if (!this.crowded()) return;
    for (let round = 0; round < 5; round++) {
      const found = descendantsOf(this.holder!).filter((pid) => !this.stopped.includes(pid) && groupOf(pid) !== group);
      if (found.length === 0) return;
      for (const pid of found) signal(pid, "SIGSTOP");
      this.stopped.push(...found);
    }
  }

  /** Thaws what stopOthers() stopped (after the group's SIGCONT). */
  continueOthers(): void {
    for (const pid of this.stopped) signal(pid, "SIGCONT");
    this.stopped = [];
  }

  /**
   * Resident memory of the whole environment in MB: every process of the namespace but the
   * holder (RAPID's part, not the function's), the runtime alone when it has no company.
   */
  residentMb(): number {
    const holder = this.holder;
    if (holder === undefined) return 0;
    const pids = namespacePids(holder);
    if (pids.length <= 2) return residentMemoryMb(this.runtime);
    return namespaceResidentKb(holder, pids) / 1024;
  }

  /** The runtime's own peak (VmHWM); its children's weigh in through residentMb()'s samples. */
  runtimePeakMb(): number {
    return peakMemoryMb(this.runtime);
  }
}

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

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone meanwhile.
  }
}
