import { describe, expect, it } from "vitest";
import { BoundedRunner } from "./bounded-runner.ts";

const tick = () => new Promise<void>((r) => setImmediate(r));

describe("BoundedRunner", () => {
  it("runs tasks in order, never more than its concurrency at once, and reports idle", async () => {
    const runner = new BoundedRunner(2);
    const started: number[] = [];
    const release: (() => void)[] = [];
    for (let i = 0; i < 5; i++) runner.add(() => new Promise<void>((r) => (started.push(i), release.push(r))));
    expect(started).toEqual([0, 1]);
    expect(runner.pending).toBe(5);
    release.shift()!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    let idle = false;
    void runner.onIdle().then(() => (idle = true));
    while (release.length > 0) {
      release.shift()!();
      await tick();
    }
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(idle).toBe(true);
    expect(runner.pending).toBe(0);
  });

  it("keeps going after a failing task, and clear() drops what waits", async () => {
    const runner = new BoundedRunner(1);
    const ran: string[] = [];
    runner.add(async () => {
      ran.push("a");
      throw new Error("x");
    });
    runner.add(async () => void ran.push("b"));
    runner.add(async () => void ran.push("c"));
    runner.clear();
    await runner.onIdle();
    expect(ran).toEqual(["a"]);
    runner.add(async () => void ran.push("d"));
    await runner.onIdle();
    expect(ran).toEqual(["a", "d"]);
  });

  it("keeps a quarter of the slots from any one key: another key's task runs while one key's hang (fuzz19 F14)", async () => {
    const runner = new BoundedRunner(8);
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const task = (name: string) => () => new Promise<void>((r) => (started.push(name), release.set(name, r)));
    for (let i = 0; i < 10; i++) runner.add(task(`slow${i}`), "slow");
    runner.add(task("other"), "other");
    // 6 of 8 slots for `slow`, and `other` runs at once although it came after all of them.
    expect(started).toEqual(["slow0", "slow1", "slow2", "slow3", "slow4", "slow5", "other"]);
    expect(runner.pending).toBe(11);
    // A slow task finishing lets the oldest one set aside run, before anything newer of its key.
    runner.add(task("slow10"), "slow");
    release.get("slow0")!();
    await tick();
    expect(started.slice(7)).toEqual(["slow6"]);
    for (const name of ["slow1", "slow2", "slow3", "slow4", "slow5", "slow6", "other"]) release.get(name)!();
    await tick();
    await tick();
    expect(started.slice(8)).toEqual(["slow7", "slow8", "slow9", "slow10"]);
  });

  it("holds to the limit allowed now when it shrinks, and runs what waits aside when it grows (review20 R20-6)", async () => {
    let allowed = 8;
    const runner = new BoundedRunner(8, () => allowed);
    let running = 0;
    const release: (() => void)[] = [];
    const task = () => () => new Promise<void>((r) => {
      running++;
      release.push(() => (running--, r()));
    });
    for (let i = 0; i < 20; i++) runner.add(task(), "one");
    expect(running).toBe(6); // its share of 8
    allowed = 2;
    // Finishing tasks start nothing while more than the 2 allowed now run, then keep it at 2.
    for (const expected of [5, 4, 3, 2, 2, 2]) {
      release.shift()!();
      await tick();
      expect(running).toBe(expected);
    }
    allowed = 8;
    runner.add(task(), "two"); // a pump: the set-aside ones of `one` fill its share again
    expect(running).toBeGreaterThanOrEqual(6);
    while (release.length > 0) {
      release.shift()!();
      await tick();
    }
    await runner.onIdle();
    expect(runner.pending).toBe(0);
  });
});
