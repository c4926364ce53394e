import { describe, expect, it } from "vitest";
import { KeyedWaiters } from "./keyed-waiters.ts";
import { VirtualClock } from "./virtual-clock.ts";

describe("KeyedWaiters", () => {
  it("wakes the waiters of one key on notify, leaving the others to their timers", async () => {
    const clock = new VirtualClock(0);
    const waiters = new KeyedWaiters(clock, "test");
    let a = false;
    let b = false;
    void waiters.wait("a", 20_000).then(() => (a = true));
    void waiters.wait("b", 20_000).then(() => (b = true));
    waiters.notify("a");
    await Promise.resolve();
    expect([a, b]).toEqual([true, false]);
    expect(clock.pendingTimers().map((t) => t.label)).toEqual(["test:b"]);
    await clock.advanceBy(20_000);
    expect(b).toBe(true);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it("ends a wait when its time is up on the Clock, or at once for an aborted signal", async () => {
    const clock = new VirtualClock(0);
    const waiters = new KeyedWaiters(clock, "test");
    let done = false;
    void waiters.wait("q", 5_000).then(() => (done = true));
    await clock.advanceBy(4_999);
    expect(done).toBe(false);
    await clock.advanceBy(1);
    expect(done).toBe(true);
    const aborted = new AbortController();
    aborted.abort();
    await waiters.wait("q", 60_000, aborted.signal);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it("wakes only the longest waiter of a group on notify, and every waiter outside groups", async () => {
    const clock = new VirtualClock(0);
    const waiters = new KeyedWaiters(clock, "test");
    const lanes = {};
    const woken: string[] = [];
    for (const name of ["lane1", "lane2", "lane3"]) void waiters.wait("q", 20_000, undefined, { group: lanes }).then(() => woken.push(name));
    void waiters.wait("q", 20_000).then(() => woken.push("client"));
    waiters.notify("q");
    await Promise.resolve();
    expect(woken).toEqual(["lane1", "client"]);
    waiters.notify("q");
    await Promise.resolve();
    expect(woken).toEqual(["lane1", "client", "lane2"]);
    await clock.advanceBy(20_000);
    expect(woken).toEqual(["lane1", "client", "lane2", "lane3"]);
  });
});
