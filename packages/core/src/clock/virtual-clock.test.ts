import { describe, expect, it, vi } from "vitest";
import { VirtualClock } from "./virtual-clock.ts";

/** One macrotask turn: lets promise chains run without any real waiting. */
const turn = () => new Promise<void>((r) => setImmediate(r));

describe("VirtualClock ordering", () => {
  it.each([
    { name: "due time first", timers: [["c", 30], ["a", 10], ["b", 20]], order: ["a@10", "b@20", "c@30"] },
    { name: "ties in insertion order", timers: [["x", 5], ["y", 5], ["z", 5]], order: ["x@5", "y@5", "z@5"] },
    { name: "mixed", timers: [["c", 30], ["a", 10], ["d", 30], ["b", 10]], order: ["a@10", "b@10", "c@30", "d@30"] },
    { name: "zero and negative delays fire at now", timers: [["late", 1], ["neg", -5], ["zero", 0]], order: ["neg@0", "zero@0", "late@1"] },
  ] as const)("$name", async ({ timers, order }) => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    for (const [label, delay] of timers) clock.setTimer(delay, () => void seen.push(`${label}@${clock.now()}`), label);
    expect(clock.pendingTimers().map((t) => t.label)).toEqual(order.map((o) => o.split("@")[0]));
    await clock.runUntilIdle();
    expect(seen).toEqual(order);
  });

  it("starts at 2026-01-01T00:00:00Z by default and does not move on its own", async () => {
    const clock = new VirtualClock();
    expect(new Date(clock.now()).toISOString()).toBe("2026-01-01T00:00:00.000Z");
    await turn();
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
  });

  it("never fires a timer inside setTimer, even with a zero delay", () => {
    const clock = new VirtualClock(0);
    let fired = false;
    clock.setTimer(0, () => void (fired = true));
    expect(fired).toBe(false);
  });
});

describe("VirtualClock advancing", () => {
  it("advanceBy fires timers created inside the window (at the target too), then lands on the target", async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.setTimer(100, () => {
      seen.push(`outer@${clock.now()}`);
      clock.setTimer(50, () => void seen.push(`inner@${clock.now()}`), "inner");
      clock.setTimer(100, () => void seen.push(`edge@${clock.now()}`), "edge");
      clock.setTimer(500, () => void seen.push(`late@${clock.now()}`), "late");
    });
    await clock.advanceBy(200);
    expect(seen).toEqual(["outer@100", "inner@150", "edge@200"]);
    expect(clock.now()).toBe(200);
    expect(clock.pendingTimers()).toEqual([{ label: "late", dueAt: 600 }]);
  });

  it("advanceTo an absolute time; a target in the past leaves time alone", async () => {
    const clock = new VirtualClock(1_000);
    const seen: number[] = [];
    clock.setTimer(500, () => void seen.push(clock.now()));
    await clock.advanceTo(1_499);
    expect(seen).toEqual([]);
    await clock.advanceTo(1_500);
    expect(seen).toEqual([1_500]);
    await clock.advanceTo(10);
    expect(clock.now()).toBe(1_500);
  });

  it("rejects nonsense advances", async () => {
    const clock = new VirtualClock(0);
    await expect(clock.advanceBy(-1)).rejects.toThrow(RangeError);
    await expect(clock.advanceTo(Number.NaN)).rejects.toThrow(RangeError);
    expect(() => clock.setTimer(Number.NaN, () => {})).toThrow(RangeError);
  });

  it("awaits an async callback, and the work it continues, before the next timer", async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.setTimer(10, async () => {
      for (let i = 0; i < 3; i++) await turn(); // macrotask hops: only awaiting the callback covers them
      seen.push(`first done@${clock.now()}`);
    });
    clock.setTimer(10, () => void seen.push("second"));
    const slept = clock.sleep(5).then(async () => {
      await Promise.resolve();
      seen.push(`after sleep@${clock.now()}`);
    });
    await clock.runUntilIdle();
    await slept;
    expect(seen).toEqual(["after sleep@5", "first done@10", "second"]);
  });

  it("runNext fires one timer at a time and reports when none is left", async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(20, () => void seen.push(clock.now()));
    clock.setTimer(10, () => void seen.push(clock.now()));
    expect(await clock.runNext()).toBe(true);
    expect(seen).toEqual([10]);
    expect(await clock.runNext()).toBe(true);
    expect(await clock.runNext()).toBe(false);
    expect(seen).toEqual([10, 20]);
    expect(clock.now()).toBe(20);
  });

  it("rejects the advance with a callback's error, and keeps working afterwards", async () => {
    const clock = new VirtualClock(0);
    clock.setTimer(10, () => {
      throw new Error("boom");
    });
    let later = false;
    clock.setTimer(20, () => void (later = true));
    await expect(clock.advanceBy(100)).rejects.toThrow("boom");
    await clock.advanceBy(100);
    expect(later).toBe(true);
  });

  it("runs concurrent control calls one after the other", async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(10, () => void seen.push(clock.now()));
    clock.setTimer(150, () => void seen.push(clock.now()));
    await Promise.all([clock.advanceBy(100), clock.advanceBy(100)]);
    expect(seen).toEqual([10, 150]);
    expect(clock.now()).toBe(200);
  });
});

describe("VirtualClock cancel and sleep", () => {
  it("does not fire a cancelled timer; cancelling twice or after firing is harmless", async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    const a = clock.setTimer(10, () => void seen.push("a"), "a");
    const b = clock.setTimer(10, () => void seen.push("b"), "b");
    clock.setTimer(10, () => void seen.push("c"), "c");
    b.cancel();
    b.cancel();
    expect(clock.pendingTimers().map((t) => t.label)).toEqual(["a", "c"]);
    await clock.runUntilIdle();
    a.cancel();
    expect(seen).toEqual(["a", "c"]);
  });

  it("sleep resolves at the virtual time", async () => {
    const clock = new VirtualClock(0);
    const slept = clock.sleep(60_000).then(() => clock.now());
    await clock.advanceBy(59_999);
    expect(clock.pendingTimers()).toEqual([{ label: "sleep", dueAt: 60_000 }]);
    await clock.advanceBy(1);
    expect(await slept).toBe(60_000);
  });

  it("sleep rejects with the abort reason and leaves no timer behind", async () => {
    const clock = new VirtualClock(0);
    const ac = new AbortController();
    const aborted = clock.sleep(10, ac.signal);
    ac.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    expect(clock.pendingTimers()).toEqual([]);
    await expect(clock.sleep(10, ac.signal)).rejects.toThrow("stop");
    expect(clock.pendingTimers()).toEqual([]);
  });

  it("an infinite delay never fires and never blocks idling", async () => {
    const clock = new VirtualClock(0);
    clock.setTimer(Number.POSITIVE_INFINITY, () => {
      throw new Error("fired");
    });
    await clock.runUntilIdle();
    expect(clock.now()).toBe(0);
  });
});

describe("VirtualClock runaway timers", () => {
  it("runUntilIdle fails naming the pending labels when a timer re-arms forever", async () => {
    const clock = new VirtualClock(0);
    const tick = () => void clock.setTimer(1000, tick, "sqs.poller:orders");
    tick();
    clock.setTimer(1e9, () => {}, "env.idle-reap:abc");
    const err = await clock.runUntilIdle({ maxTimers: 50 }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/fired 50 timers and 2 are still pending \(sqs\.poller:orders, env\.idle-reap:abc; next due 1970-01-01T00:00:51\.000Z\)/);
  });

  it("a zero-delay loop fails instead of spinning advanceBy at one instant", async () => {
    const clock = new VirtualClock(0);
    const spin = () => void clock.setTimer(0, spin, "spin");
    spin();
    await expect(clock.advanceBy(1)).rejects.toThrow(/without time moving \(spin/);
  });
});

describe("VirtualClock holds", () => {
  it("does not jump while real work holds the clock", async () => {
    const clock = new VirtualClock(0);
    let fired = false;
    clock.setTimer(10, () => void (fired = true));
    const hold = clock.hold("handler running");
    expect(clock.activeHolds()).toEqual(["handler running"]);
    let done = false;
    const advancing = clock.advanceBy(100).then(() => void (done = true));
    for (let i = 0; i < 5; i++) await turn();
    expect(fired).toBe(false);
    expect(done).toBe(false);
    expect(clock.now()).toBe(0);
    hold.release();
    hold.release(); // idempotent: must not unbalance the count
    await advancing;
    expect(fired).toBe(true);
    expect(clock.now()).toBe(100);
    expect(clock.activeHolds()).toEqual([]);
  });

  it("a timer that starts real work lets that work schedule before the clock jumps on", async () => {
    // An invocation starts at 0 and, when the handler finishes, schedules a retry at +1 s. The
    // idle reaper at +60 s must not fire first just because the handler took real time.
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    let finishHandler!: () => void;
    clock.setTimer(0, () => {
      const hold = clock.hold("invoke:1");
      void new Promise<void>((r) => (finishHandler = r)).then(() => {
        clock.setTimer(1_000, () => void seen.push(`retry@${clock.now()}`), "retry");
        hold[Symbol.dispose]();
      });
    });
    clock.setTimer(60_000, () => void seen.push(`reap@${clock.now()}`), "reap");
    const idle = clock.runUntilIdle();
    for (let i = 0; i < 5; i++) await turn();
    expect(seen).toEqual([]);
    finishHandler();
    await idle;
    expect(seen).toEqual(["retry@1000", "reap@60000"]);
  });
});

describe("VirtualClock auto-advance", () => {
  it("jumps to each timer when nothing holds it, including timers set later", async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(1_000, () => void seen.push(clock.now()));
    clock.startAutoAdvance();
    for (let i = 0; i < 10; i++) await turn();
    expect(seen).toEqual([1_000]);
    const hold = clock.hold("request");
    clock.setTimer(5_000, () => void seen.push(clock.now()));
    for (let i = 0; i < 10; i++) await turn();
    expect(seen).toEqual([1_000]);
    hold.release();
    for (let i = 0; i < 10; i++) await turn();
    expect(seen).toEqual([1_000, 6_000]);
    await clock.stopAutoAdvance();
    clock.setTimer(1, () => void seen.push(clock.now()));
    for (let i = 0; i < 10; i++) await turn();
    expect(seen).toEqual([1_000, 6_000]);
  });

  it("reports a failing timer to onTimerError and keeps going", async () => {
    const errors: string[] = [];
    const clock = new VirtualClock(0, { onTimerError: (e, label) => errors.push(`${label}: ${(e as Error).message}`) });
    let later = false;
    clock.setTimer(1, async () => {
      throw new Error("boom");
    }, "bad");
    clock.setTimer(2, () => void (later = true));
    clock.startAutoAdvance();
    for (let i = 0; i < 20; i++) await turn();
    await clock.stopAutoAdvance();
    expect(errors).toEqual(["bad: boom"]);
    expect(later).toBe(true);
  });

  it("startRunningDue fires timers that are due without ever moving time", async () => {
    const clock = new VirtualClock(1_000);
    const seen: string[] = [];
    clock.startRunningDue();
    clock.setTimer(0, () => void seen.push(`now@${clock.now()}`));
    clock.setTimer(5_000, () => void seen.push(`later@${clock.now()}`));
    for (let i = 0; i < 10; i++) await turn();
    expect(seen).toEqual(["now@1000"]);
    expect(clock.now()).toBe(1_000);
    await clock.advanceBy(5_000);
    expect(seen).toEqual(["now@1000", "later@6000"]);
    clock.setTimer(0, () => void clock.setTimer(0, () => void seen.push(`chained@${clock.now()}`)));
    for (let i = 0; i < 10; i++) await turn();
    expect(seen.at(-1)).toBe("chained@6000");
    expect(clock.firedTimers).toBe(4);
    await clock.stopAutoAdvance();
  });

  it("queues at most one auto-step behind a long advance, however many timers the advance fires (F3: they piled up, one per timer)", async () => {
    const clock = new VirtualClock(0);
    clock.startRunningDue();
    const steps = vi.spyOn(clock as unknown as { autoStep(): Promise<void> }, "autoStep");
    // Each poll hands something on at once (a zero-delay timer), which kicks the auto-stepper.
    const tick = () => {
      clock.setTimer(0, () => {}, "hand-on");
      clock.setTimer(1_000, tick, "poll", { unref: true });
    };
    tick();
    await clock.advanceBy(10_000 * 1_000);
    expect(clock.firedTimers).toBeGreaterThanOrEqual(20_000);
    for (let i = 0; i < 10; i++) await turn();
    expect(steps.mock.calls.length).toBeLessThanOrEqual(2);
    await clock.stopAutoAdvance();
  });
});

describe("VirtualClock advance cancelled", () => {
  it("stops before the next timer when its signal aborts: time stays at the last timer fired, the rest stay pending", async () => {
    const clock = new VirtualClock(0);
    const stop = new AbortController();
    const fired: number[] = [];
    for (let i = 1; i <= 5; i++) {
      clock.setTimer(i * 1_000, () => {
        fired.push(clock.now());
        if (i === 3) stop.abort(new Error("client gone"));
      });
    }
    await expect(clock.advanceTo(60_000, stop.signal)).rejects.toThrow("client gone");
    expect(fired).toEqual([1_000, 2_000, 3_000]);
    expect(clock.now()).toBe(3_000);
    expect(clock.pendingTimers().map((t) => t.dueAt)).toEqual([4_000, 5_000]);
    // An advance queued behind it whose caller has already left does nothing.
    await expect(clock.advanceTo(60_000, stop.signal)).rejects.toThrow("client gone");
    expect(clock.now()).toBe(3_000);
    await clock.advanceTo(60_000);
    expect(fired).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
  });
});
