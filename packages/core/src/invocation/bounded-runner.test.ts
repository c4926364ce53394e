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
});
