import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, readSync } from "node:fs";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { hostCommand } from "./host-command.ts";

/**
 * The fd on which an environment's PID 1 writes how the runtime ended ("e<status>" or
 * "s<signal>"), read by the simulator when the process it holds exits (namespaceExit).
 */
export const EXIT_STATUS_FD = 5;

/**
 * PID 1 of an environment's PID namespace (fuzz19 F1, F2): RAPID's part on AWS, where the runtime
 * is a child of the microVM's init. The runtime is its child, not PID 1 itself: a PID namespace's
 * init ignores every signal it has no handler for when it comes from inside (pid_namespaces(7)),
 * so a runtime that is PID 1 would survive its own `process.kill(process.pid, "SIGKILL")` or
 * abort(). It reaps whatever is orphaned to it (a handler's finished daemons), and when the
 * runtime ends, writes how on EXIT_STATUS_FD and exits: the kernel then kills everything left in
 * the namespace. Its exit status alone could not say it: util-linux's `unshare --fork` (2.38)
 * exits 1 when its child dies of a signal, and a status of 137 is also an exit code. Perl, because
 * the machine's own start chain needs a process that can wait (sh's `wait` cannot tell
 * `exit 137` from SIGKILL either); a few ms of a cold start that finds no pooled sandbox.
 */
const HOLDER = [
  // PERL_BADLANG="" silenced perl's warning about a locale the machine lacks (the function's LANG): not the runtime's.
  'delete $ENV{PERL_BADLANG} if ($ENV{PERL_BADLANG} // "x") eq "";',
  "my $p = fork; exit 127 unless defined $p;",
  "if (!$p) { exec { $ARGV[0] } @ARGV; exit 127 }",
  "while (1) { my $w = wait; exit 1 if $w == -1; next unless $w == $p; my $s = $?;",
  `if (open(my $f, ">&=", ${EXIT_STATUS_FD})) { syswrite($f, ($s & 127) ? "s" . ($s & 127) : "e" . ($s >> 8)) }`,
  "exit(($s & 127) ? 128 + ($s & 127) : $s >> 8) }",
].join(" ");

let pidOptions: string[] | null | undefined;

/**
 * unshare's options that give a command a PID namespace of its own with a fresh /proc and the
 * holder as its PID 1, appended to the mount namespace's `base` options; null where this machine
 * refuses them (no perl, PID namespaces not permitted): environments then run as before, process
 * groups of the machine. Probed once. `--kill-child`: the holder is SIGKILLed when unshare dies
 * (unshare itself dies with the simulator: setpriv's parent-death signal), and the namespace with it.
 */
export function pidNamespaceOptions(base: readonly string[]): string[] | null {
  if (pidOptions === undefined) {
    // LAMBDA_SIM_NO_PID_NAMESPACE=1 (or true) turns them off; 0 and an empty value do not (review23 L4).
    const off = /^(1|true|yes)$/i.test(process.env.LAMBDA_SIM_NO_PID_NAMESPACE ?? "");
    const options = ["--pid", "--fork", "--mount-proc", "--kill-child", hostCommand("perl"), "-e", HOLDER];
    pidOptions = !off && spawnSync(hostCommand("unshare"), [...base, ...options, hostCommand("true")], { stdio: "ignore" }).status === 0 ? options : null;
  }
  return pidOptions;
}

/** Whether environments get a PID namespace (probed by pidNamespaceOptions(); false before it). */
export function pidNamespacesInUse(): boolean {
  return pidOptions !== undefined && pidOptions !== null;
}

/**
 * How the runtime of a namespace ended, as its PID 1 wrote it, in place of what the process we
 * hold (unshare) reports; the exit as reported when there is nothing to read (the holder was
 * killed from outside, the namespace never started).
 */
export function namespaceExit(statusPipe: Readable | null | undefined, code: number | null, signal: NodeJS.Signals | null): { code: number | null; signal: NodeJS.Signals | null } {
  if (statusPipe === null || statusPipe === undefined) return { code, signal };
  // A socket Node made for a child's pipe starts reading at once: what it read is buffered in the
  // stream, the rest still in the pipe (read now, without waiting for the event loop).
  const buffered = statusPipe.read() as Buffer | null;
  const buf = Buffer.alloc(32);
  let n = 0;
  const fd = (statusPipe as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd === "number" && fd >= 0) {
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch {
      // EAGAIN: nothing more in the pipe.
    }
  }
  // The last record PID 1 wrote: a handler can write to PID 1's fd 5 (/proc/1/fd/5) before it ends,
  // but not after (review23 L1: "e0" written ahead made "e0e1" read as exit 0).
  const all = Buffer.concat([buffered ?? Buffer.alloc(0), buf.subarray(0, n)]).toString("latin1");
  const text = all.slice(Math.max(all.lastIndexOf("e"), all.lastIndexOf("s")));
  const value = Number.parseInt(text.slice(1), 10);
  if (text.startsWith("e") && Number.isInteger(value)) return { code: value, signal: null };
  if (text.startsWith("s") && Number.isInteger(value)) {
    const name = (Object.keys(constants.signals) as NodeJS.Signals[]).find((s) => constants.signals[s] === value);
    if (name !== undefined) return { code: null, signal: name };
  }
  return { code, signal };
}

/** The children of `pid` (all its threads'), from /proc (CONFIG_PROC_CHILDREN). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, "latin1").split(" ")) if (c !== "" && c !== "\n") out.push(Number(c));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/** The first child of a single-threaded process (unshare's holder, the holder's runtime): one read. */
export function firstChildOf(pid: number): number | undefined {
  try {
    const first = Number.parseInt(readFileSync(`/proc/${pid}/task/${pid}/children`, "latin1"), 10);
    return Number.isInteger(first) ? first : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pids of the namespace whose PID 1 is `holder`, as the namespace numbers them, from the
 * namespace's own /proc (reached through the holder's root): one directory read.
 */
export function namespacePids(holder: number): number[] {
  try {
    return readdirSync(`/proc/${holder}/root/proc`).filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57).map(Number);
  } catch {
    return [];
  }
}

/**
 * The private memory (RssAnon: heap, stacks, buffers) of the namespace's processes `pids` (as the
 * namespace numbers them), in kB, read through its own /proc. Not their VmRSS: that counts the
 * pages of a binary and its libraries once per process mapping them, where the microVM (a memory
 * cgroup) holds them once; two Node processes would weigh some 40 MB more than they use.
 */
export function namespacePrivateKb(holder: number, pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${holder}/root/proc/${pid}/status`, "latin1");
      const i = text.indexOf("RssAnon:");
      if (i >= 0) kb += Number.parseInt(text.slice(i + 8), 10) || 0;
    } catch {
      // Ended meanwhile.
    }
  }
  return kb;
}

/** The descendants of `root` on the machine's side (host pids), walked through /proc's children lists: at most `max`. */
export function descendantsOf(root: number, max = Number.POSITIVE_INFINITY): number[] {
  const seen = new Set<number>();
  const queue = [root];
  for (let i = 0; i < queue.length && seen.size < max; i++) {
    for (const c of childrenOf(queue[i]!)) {
      if (seen.has(c) || seen.size >= max) continue;
      seen.add(c);
      queue.push(c);
    }
  }
  return [...seen];
}

/** The executable a process runs (its /proc exe link), undefined when it is gone. */
export function exeOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}
