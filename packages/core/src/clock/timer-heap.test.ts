import { describe, expect, it } from "vitest";
import { TimerHeap, type HeapTimer } from "./timer-heap.ts";

describe("TimerHeap", () => {
  it("pops in (dueAt, seq) order whatever the insertion order, skipping removed timers", () => {
    const heap = new TimerHeap<HeapTimer & { id: number }>();
    const dues = [50, 10, 30, 10, 70, 0, 30, 90, 20, 10];
    const timers = dues.map((dueAt, seq) => ({ dueAt, seq, id: seq }));
    for (const t of timers) heap.push(t);
    heap.remove(timers[2]!);
    heap.remove(timers[2]!);
    expect(heap.size).toBe(9);
    const order: number[] = [];
    for (let t = heap.pop(); t !== undefined; t = heap.pop()) order.push(t.id);
    expect(order).toEqual([5, 1, 3, 9, 8, 6, 0, 4, 7]);
    heap.remove(timers[0]!); // already fired: a no-op
    expect(heap.size).toBe(0);
  });
});
