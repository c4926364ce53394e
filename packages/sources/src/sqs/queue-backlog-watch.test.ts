import { VirtualClock } from "@lambda-sim/core";
import { describe, expect, it } from "vitest";
import { QueueBacklogWatch, type BacklogChange } from "./queue-backlog-watch.ts";
import type { QueueStore } from "./queue-store.ts";

/** A queue of `n` visible messages, as the watch reads one. */
function storeOf(count: () => number): QueueStore {
  return {
    getQueue: () => ({ name: "q" }),
    counts: () => ({ visible: count(), inflight: 0, delayed: 0 }),
    oldestSentAt: () => 0,
  } as unknown as QueueStore;
}

describe("QueueBacklogWatch", () => {
  it("tells a queue filling and draining; a backlog that stays re-counted at most 30 s apart, not every second", async () => {
    let n = 12;
    const clock = new VirtualClock(0);
    const changes: BacklogChange[] = [];
    const watch = new QueueBacklogWatch(storeOf(() => n), clock, (c) => changes.push(c));
    watch.poke("q");
    await clock.advanceBy(1000);
    expect(changes.map((c) => [c.messages, c.threshold, c.previous])).toEqual([[12, 10, 0]]);
    // A day of service time with the backlog unchanged (a DLQ nobody reads): a few thousand counts, not 86,400.
    const before = clock.firedTimers;
    await clock.advanceBy(86_400_000);
    expect(clock.firedTimers - before).toBeLessThan(86_400 / 30 + 10);
    expect(changes).toHaveLength(1);
    // Drained: told within 30 s of service time.
    n = 0;
    await clock.advanceBy(30_000);
    expect(changes.map((c) => [c.messages, c.threshold, c.previous])).toEqual([[12, 10, 0], [0, 0, 10]]);
    watch.stop();
  });
});
