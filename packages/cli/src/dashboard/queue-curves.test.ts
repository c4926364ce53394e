import { describe, expect, it } from "vitest";
import { KEEP_QUEUES, KEEP_SAMPLES, QueueCurves } from "./queue-curves.ts";

const q = (name: string, visible: number) => ({ name, visible, inflight: 1, delayed: 0 });

describe("the queues' curves sampled by the server (newuser14 F10)", () => {
  it("keeps each queue's last KEEP_SAMPLES samples, forgets a deleted queue, and ignores an absent view", () => {
    const c = new QueueCurves();
    for (let t = 0; t < KEEP_SAMPLES + 10; t++) c.sample([q("orders", t), q("dlq", 0)], t * 1000);
    const orders = c.view().orders!;
    expect(orders.length).toBe(KEEP_SAMPLES);
    expect(orders[0]).toEqual([10_000, 10, 1, 0]);
    expect(orders.at(-1)).toEqual([(KEEP_SAMPLES + 9) * 1000, KEEP_SAMPLES + 9, 1, 0]);
    c.sample(undefined, 1);
    c.sample({ error: "boom" }, 1);
    expect(Object.keys(c.view()).sort()).toEqual(["dlq", "orders"]);
    c.sample([q("orders", 1)], 200_000);
    expect(Object.keys(c.view())).toEqual(["orders"]);
  });

  it("follows at most KEEP_QUEUES queues", () => {
    const c = new QueueCurves();
    c.sample(Array.from({ length: KEEP_QUEUES + 20 }, (_, i) => q(`q${i}`, i)), 0);
    expect(Object.keys(c.view()).length).toBe(KEEP_QUEUES);
  });
});
