import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { SimError } from "../errors/sim-error.ts";

/** What the lock file says about the simulator holding the state directory. */
interface Holder {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for it. */
  started?: number;
  endpoint?: string;
}

/**
 * One simulator per state directory: two on one SQLite file and one `run/` directory would
 * deliver messages twice and kill each other's environments. `<state>/lambda-sim.lock` names the
 * holder's pid (and, once it listens, its endpoint); it is created exclusively, and one whose
 * process has gone (a crash, SIGKILL) is taken over rather than left stuck, as PostgreSQL treats
 * its postmaster.pid.
 */
export class StateLock {
  private readonly file: string;
  private released = false;

  private constructor(file: string) {
    this.file = file;
  }

  static acquire(stateDir: string): StateLock {
    const dir = resolve(stateDir);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "lambda-sim.lock");
    const me: Holder = { pid: process.pid, started: startTicks(process.pid) };
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = openSync(file, "wx");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const holder = readHolder(file);
        if (holder !== undefined && isRunning(holder)) {
          const where = holder.endpoint === undefined ? "still starting" : `listening on ${holder.endpoint}`;
          throw new SimError("ERR_STATE_IN_USE", `state directory ${dir} is in use by another lambda-sim (pid ${holder.pid}, ${where}): stop it, or give this one another --state`);
        }
        // Left by a simulator that is gone: take it over.
        rmSync(file, { force: true });
        continue;
      }
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return new StateLock(file);
    }
    throw new SimError("ERR_STATE_IN_USE", `state directory ${dir}: could not take ${file} (another lambda-sim starting at the same moment?)`);
  }

  /** Adds the endpoint once listening, for the message a second simulator prints. */
  record(endpoint: string): void {
    writeFileSync(this.file, JSON.stringify({ pid: process.pid, started: startTicks(process.pid), endpoint } satisfies Holder));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    // Only our own: a lock that was taken over (we were presumed dead) belongs to its new holder.
    if (readHolder(this.file)?.pid === process.pid) rmSync(this.file, { force: true });
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as Holder;
    return typeof h.pid === "number" ? h : undefined;
  } catch {
    // Unreadable or half-written: a holder that died while writing it, or one writing it now.
    return undefined;
  }
}

function isRunning(h: Holder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = procStat(h.pid);
  // A zombie (Z) or dead (X) process answers kill(0) until its parent reaps it (in a container,
  // init may take a second or more after a SIGKILL): it holds nothing, so its lock is stale.
  if (now !== undefined && (now.state === "Z" || now.state === "X")) return false;
  return h.started === undefined || now === undefined || now.started === h.started;
}

/** Field 22 of /proc/PID/stat: the start time in clock ticks since boot; undefined off Linux. */
function startTicks(pid: number): number | undefined {
  return procStat(pid)?.started;
}

/** Fields 3 (state) and 22 (start time) of /proc/PID/stat, after the parenthesised command name. */
function procStat(pid: number): { state: string; started: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, started: Number(fields[19]) };
  } catch {
    return undefined;
  }
}
