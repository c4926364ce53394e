import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Linux's USER_HZ: /proc/stat counts in hundredths of a second. */
const TICK_MS = 10;

/** Where the readings come from (tests give their own). */
export interface CpuReadings {
  /** All CPUs' busy time so far (ms), or undefined where it cannot be read. */
  machineBusyMs(): number | undefined;
  /** This process's CPU time so far (ms). */
  ownMs(): number;
  cores: number;
}

const LINUX: CpuReadings = {
  machineBusyMs,
  ownMs: () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  },
  cores: availableParallelism(),
};

/**
 * How much of the machine's CPU other processes leave unused: cores' worth over the interval
 * since the last reading, from /proc/stat's busy ticks (steal counted busy: a virtual machine's
 * host took them) less this process's own CPU time. Busy polling asks it whether a core is left
 * for its spinning thread (busy-poll.ts). Linux only; elsewhere, or on a first reading, unknown.
 */
export class SpareCpu {
  private readonly readings: CpuReadings;
  private last: { atMs: number; busyMs: number; ownMs: number } | undefined;

  constructor(readings: CpuReadings = LINUX) {
    this.readings = readings;
  }

  /** Cores' worth other processes left unused since the last call; undefined when unknown. */
  read(nowMs: number): number | undefined {
    const busy = this.readings.machineBusyMs();
    if (busy === undefined) return undefined;
    const own = this.readings.ownMs();
    const prev = this.last;
    this.last = { atMs: nowMs, busyMs: busy, ownMs: own };
    if (prev === undefined || nowMs <= prev.atMs) return undefined;
    const others = Math.max(0, busy - prev.busyMs - (own - prev.ownMs));
    return this.readings.cores - others / (nowMs - prev.atMs);
  }
}

/**
 * user, nice, system, irq, softirq and steal of /proc/stat's first line, in ms. Unknown when
 * /proc/stat counts other CPUs than this process may use (a container limited to some of its
 * host's CPUs sees the whole host there): other processes' load would then be the host's.
 */
function machineBusyMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/stat", "latin1");
    if ((stat.match(/^cpu\d/gm)?.length ?? 0) !== LINUX.cores) return undefined;
    const f = stat.slice(0, stat.indexOf("\n")).trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = f.slice(1).map(Number);
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    return Number.isFinite(busy) ? busy * TICK_MS : undefined;
  } catch {
    return undefined;
  }
}
