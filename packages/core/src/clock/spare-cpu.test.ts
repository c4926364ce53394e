import { describe, expect, it } from "vitest";
import { until } from "../../../../test/support/until.ts";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { SpareCpu } from "./spare-cpu.ts";

/** Linux, and /proc/stat counts exactly the CPUs this process may use (not a cpuset container, not `taskset`). */
const ALL_CPUS = process.platform === "linux" && (readFileSync("/proc/stat", "latin1").match(/^cpu\d/gm)?.length ?? 0) === availableParallelism();

/** Readings a test sets: the machine's busy ms and this process's own. */
function readings(cores: number) {
  const r = { busy: 0, own: 0, cores, machineBusyMs: (): number | undefined => r.busy, ownMs: () => r.own };
  return r;
}

describe("SpareCpu", () => {
  it("counts what other processes used over the interval, not this process's own work", () => {
    const r = readings(2);
    const spare = new SpareCpu(r);
    expect(spare.read(0)).toBeUndefined();
    // 1,000 ms: the machine busy 1,500 ms of CPU, 1,000 of them ours: others took half a core.
    r.busy = 1_500;
    r.own = 1_000;
    expect(spare.read(1_000)).toBeCloseTo(1.5);
    // The next second: another process spins a whole core and we do nothing.
    r.busy += 1_000;
    expect(spare.read(2_000)).toBeCloseTo(1);
    // Both cores taken by others.
    r.busy += 2_000;
    expect(spare.read(3_000)).toBeCloseTo(0);
  });

  it("knows nothing where the machine's CPU cannot be read", () => {
    const r = readings(2);
    r.machineBusyMs = () => undefined;
    const spare = new SpareCpu(r);
    expect(spare.read(0)).toBeUndefined();
    expect(spare.read(1_000)).toBeUndefined();
  });

  it.skipIf(!ALL_CPUS)("reads this machine's /proc/stat (skipped: not Linux, or this process may use only some of the CPUs /proc/stat counts)", async () => {
    const spare = new SpareCpu();
    expect(spare.read(performance.now())).toBeUndefined();
    // The next reading, once the clock has moved, is a number of cores.
    await until(() => typeof spare.read(performance.now()) === "number", 2_000);
  });

  it.skipIf(process.platform !== "linux" || ALL_CPUS)("knows nothing where this process may use only some of the CPUs /proc/stat counts (skipped: not Linux, or it may use them all)", () => {
    // A cpuset container or `taskset`: /proc/stat's load is the whole host's, not this process's share.
    const spare = new SpareCpu();
    expect(spare.read(1_000)).toBeUndefined();
    expect(spare.read(2_000)).toBeUndefined();
  });
});
